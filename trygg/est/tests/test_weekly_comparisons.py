"""The weekly picture compares like with like: a week that has not ended gives no change,
and an incident source that did not report in the four weeks before is left out (and
named)."""

import datetime as dt

from django.utils import translation

from trygg.assessment.filters import today
from trygg.assessment.tests.conftest import make_rows
from trygg.core.models import Organisation, Sensitivity
from trygg.est import services
from trygg.est.tests.conftest import at
from trygg.est.tests.test_review_weekly_permissions import obs
from trygg.est.weeks import Week
from trygg.incidents.models import Source
from trygg.incidents.services import write_incidents


def source(bro, slug, name):
    return Source.objects.create(
        municipality=bro,
        slug=slug,
        name=name,
        kind="partner_log",
        owner_organisation=Organisation.objects.get(municipality=bro, name="Upplands-Brohus"),
        default_sensitivity=Sensitivity.PARTNERS,
    )


def daily(prefix, start, days, lat=59.5117, lon=17.6365):
    return make_rows(
        [
            (f"{prefix}{i}", "vandalism", f"{start + dt.timedelta(days=i)} 12:00", lat, lon)
            for i in range(days)
        ]
    )


def test_the_current_week_gives_no_change(est):
    week = Week.of(today())
    obs(est, est.housing, "klotter", at(today()))
    picture = services.weekly_picture(est.coordinator, week)
    assert picture.partial and picture.comparison_note == ""
    assert all(r.change_vs_previous is None and r.reading is None for r in picture.rows)


def test_a_source_new_this_week_is_not_an_increase(est):
    bro = est.municipality
    week = Week(2026, 47)  # 16–22 November
    old, new = source(bro, "old", "Bostadsbolagets logg"), source(bro, "new", "Nytt flöde")
    start = week.shift(-4).start
    write_incidents(old, daily("o", start, 35), covers=(start, week.end))
    # The new feed: 30 incidents in the week alone, nothing before it existed.
    write_incidents(
        new,
        daily("n", week.start, 7) * 1 + daily("m", week.start, 7),
        covers=(week.start, week.end),
    )
    with translation.override("sv"):
        picture = services.weekly_picture(est.coordinator, week)
    bro_row = next(r for r in picture.rows if r.area and r.area.name == "Bro")
    assert bro_row.incidents == 21  # this week, every source
    # The change: 7 a week from the old source against 7 a week before.
    assert bro_row.reading.kind == "no_change" and bro_row.change_vs_previous == 0
    assert "Nytt flöde" in picture.comparison_note
    assert "Bostadsbolagets logg" not in picture.comparison_note


def test_last_year_is_compared_from_the_same_sources(est):
    bro = est.municipality
    week = Week(2026, 47)
    ly = week.same_week_last_year()
    old, new = source(bro, "old", "Bostadsbolagets logg"), source(bro, "new", "Nytt flöde")
    write_incidents(old, daily("o", ly.start, 3), covers=(ly.start, week.end))
    write_incidents(old, daily("p", week.start, 5), covers=(ly.start, week.end))
    write_incidents(new, daily("n", week.start, 7), covers=(week.shift(-1).start, week.end))
    with translation.override("sv"):
        picture = services.weekly_picture(est.coordinator, week)
    bro_row = next(r for r in picture.rows if r.area and r.area.name == "Bro")
    assert bro_row.incidents == 12  # every source
    assert (bro_row.last_year, bro_row.this_year_same_sources) == (3, 5)  # the old log alone
    assert "Nytt flöde" in picture.year_note


def test_a_source_joining_mid_tertial_makes_no_trend(est):
    bro = est.municipality
    old, new = source(bro, "old", "Bostadsbolagets logg"), source(bro, "new", "Nytt flöde")
    start, end = dt.date(2026, 4, 27), dt.date(2026, 8, 30)  # the whole weeks of tertial 2
    write_incidents(old, daily("o", start, (end - start).days + 1), covers=(start, end))
    july = dt.date(2026, 7, 6)
    write_incidents(
        new,
        daily("n", july, 56)
        + daily("m", july, 56, lat=59.5118)
        + daily("k", july, 56, lat=59.5119),
        covers=(july, end),
    )
    with translation.override("sv"):
        rows = services.tertial(est.coordinator, 2026, 2)
        basis = services.tertial_basis(est.coordinator, 2026, 2)
    bro_row = next(r for r in rows if r["name"] == "Bro")
    assert bro_row["trend"] == "no trend"  # seven a week throughout from the old log
    assert bro_row["total"] > 7 * 17  # the total counts every source
    assert not basis.partial and "Nytt flöde" in basis.note
