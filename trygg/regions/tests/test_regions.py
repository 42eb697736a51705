"""Regions: a regional person reads each municipality at the level it agreed to share —
never a partners' figure of one that did not agree —, every read is in the municipality's
audit log, and the comparison table's region and country are exactly the sums of their
municipalities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from trygg.core import sweden
from trygg.core.models import AuditAction, AuditEntry, Municipality, Organisation, RegionMember
from trygg.core.permissions import Principal
from trygg.core.roles import RegionalRole, Role, Sensitivity
from trygg.core.services.regions import (
    RegionalPrincipal,
    add_person,
    create_region,
    ensure_municipality,
    set_sharing,
)
from trygg.core.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from trygg.incidents.models import DailyCount, Source, SourceCoverage
from trygg.regions import services

YEARS = services.complete_years()
LAST = YEARS[-1]


def test_the_national_list_has_290_municipalities_in_21_counties():
    everyone = sweden.municipalities()
    assert len(everyone) == 290
    assert len({m.code for m in everyone}) == 290
    assert len(sweden.counties()) == 21
    assert sweden.by_code("0139").name == "Upplands-Bro"
    assert sweden.by_code("0139").county == "Stockholms län"
    assert len(sweden.in_county("01")) == 26
    assert all(m.geometry["type"] in ("Polygon", "MultiPolygon") for m in everyone)


def _source(municipality, kind, slug, sensitivity, covered_from):
    owner = OrganisationFactory(municipality=municipality)
    source = Source.objects.create(
        municipality=municipality,
        slug=slug,
        name=slug,
        kind=kind,
        owner_organisation=owner,
        default_sensitivity=sensitivity,
    )
    SourceCoverage.objects.create(
        source=source, date_from=covered_from, date_to=dt.date(LAST, 12, 31)
    )
    return source


def _count(source, day, category, n, sensitivity):
    DailyCount.objects.create(
        municipality_id=source.municipality_id,
        day=day,
        category=category,
        source=source,
        sensitivity=sensitivity,
        count=n,
    )


@pytest.fixture
def region(db):
    """Järfälla (shares the partners' level) and Upplands-Bro (does not) in a local police
    area; Stockholm outside it, in the country."""
    region = create_region("Lokalpolisområde Järfälla", "police_area", ["0123", "0139"])
    jarfalla = Municipality.objects.get(code="0123")
    bro = Municipality.objects.get(code="0139")
    stockholm = ensure_municipality("0180")
    for municipality, population in ((jarfalla, 85_000), (bro, 31_000), (stockholm, 990_000)):
        municipality.population = population
        municipality.save()
    first = dt.date(YEARS[0], 1, 1)
    police = {
        jarfalla: _source(jarfalla, "police_feed", "polisen-j", Sensitivity.PUBLIC, first),
        # Upplands-Bro's police feed starts in the second year: its first year is not counted.
        bro: _source(bro, "police_feed", "polisen-b", Sensitivity.PUBLIC, dt.date(YEARS[1], 1, 1)),
        stockholm: _source(stockholm, "police_feed", "polisen-s", Sensitivity.PUBLIC, first),
    }
    housing = {
        m: _source(m, "partner_log", f"bostad-{m.code}", Sensitivity.PARTNERS, first)
        for m in (jarfalla, bro)
    }
    for k, year in enumerate(YEARS):
        day = dt.date(year, 6, 1)
        _count(police[jarfalla], day, "burglary", 40 + k, Sensitivity.PUBLIC)
        _count(police[jarfalla], day, "violence", 10, Sensitivity.PUBLIC)
        _count(police[bro], day, "burglary", 3, Sensitivity.PUBLIC)  # under five
        _count(police[bro], day, "violence", 12 + k, Sensitivity.PUBLIC)
        _count(police[stockholm], day, "burglary", 900 + k, Sensitivity.PUBLIC)
        _count(housing[jarfalla], day, "vandalism", 25, Sensitivity.PARTNERS)
        _count(housing[bro], day, "vandalism", 30, Sensitivity.PARTNERS)
    RegionMember.objects.filter(region=region, municipality=jarfalla).update(
        shares_partner_data=True
    )
    return region


def _person(region, role, username):
    user = UserFactory(username=username)
    add_person(region, user, role)
    return user


def _readers(region, user):
    return RegionalPrincipal.for_user(user, region).readers()


def test_a_region_reads_the_partners_level_only_where_the_municipality_agreed(region):
    analyst = _person(region, RegionalRole.ANALYST, "lansanalytiker")
    readers = {r.municipality.code: r for r in _readers(region, analyst)}
    assert readers["0123"].level == "partners" and readers["0139"].level == "public"
    data = services.summary(list(readers.values()), dt.date(LAST, 1, 1), dt.date(LAST, 12, 31))
    by_code = {m["code"]: m for m in data["by_municipality"]}
    k = len(YEARS) - 1
    # Järfälla: police (public) and the housing company's partners' log.
    assert by_code["0123"]["count"] == (40 + k) + 10 + 25
    # Upplands-Bro: the public level only — never its housing company's 30.
    assert by_code["0139"]["count"] == 3 + 12 + k
    categories = {c["category"]: c["count"] for c in data["by_category"]}
    assert categories["vandalism"] == 25  # Järfälla's only
    assert categories["burglary"] == 40 + k + 3


def test_the_municipality_decides_and_a_withdrawn_agreement_is_honoured_at_once(region):
    analyst = _person(region, RegionalRole.ANALYST, "lansanalytiker")
    jarfalla = Municipality.objects.get(code="0123")
    own = Organisation.objects.filter(municipality=jarfalla).first()
    coordinator = MembershipFactory(organisation=own, role=Role.COORDINATOR)
    member = MembershipFactory(organisation=own, role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        set_sharing(Principal(member.user, member), region, False)
    set_sharing(Principal(coordinator.user, coordinator), region, False)
    readers = _readers(region, analyst)
    assert all(r.level == "public" for r in readers)
    data = services.summary(readers, dt.date(LAST, 1, 1), dt.date(LAST, 12, 31))
    assert {c["category"] for c in data["by_category"]} == {"burglary", "violence"}
    decided = AuditEntry.objects.filter(
        municipality_id=jarfalla.pk, content_type__model="regionmember"
    )
    assert decided.exists()


URLS = {
    "dashboard": "/region/{pk}/",
    "comparison": "/region/{pk}/jamforelse/",
    "outlines": "/region/{pk}/kommuner.geojson",
    "api": "/api/v1/regions/{pk}/summary",
    "map": "/region/{pk}/karta.json",
    "document": "/region/{pk}/lagesbild.pdf",
}
# What each kind of person gets: the analyst everything, the reader the tables, anyone
# without a place in the region (another region's analyst, a municipality's own
# coordinator) nothing — the same answer as for a region that does not exist.
EXPECTED = {
    "analyst": dict.fromkeys(URLS, 200),
    "reader": {**dict.fromkeys(URLS, 200), "map": 403, "document": 403},
    "other_region": {**dict.fromkeys(URLS, 404)},
    "municipal_coordinator": {**dict.fromkeys(URLS, 404)},
}


def test_the_regional_permission_matrix(region, client):
    other = create_region("Gotlands län", "county", ["0980"])
    jarfalla = Municipality.objects.get(code="0123")
    coordinator = MembershipFactory(
        organisation=OrganisationFactory(municipality=jarfalla), role=Role.COORDINATOR
    )
    people = {
        "analyst": _person(region, RegionalRole.ANALYST, "analytiker"),
        "reader": _person(region, RegionalRole.READER, "lasare"),
        "other_region": _person(other, RegionalRole.ANALYST, "gotland"),
        "municipal_coordinator": coordinator.user,
    }
    problems = {}
    for who, user in people.items():
        client.force_login(user)
        for name, url in URLS.items():
            status = client.get(url.format(pk=region.pk)).status_code
            if status != EXPECTED[who][name]:
                problems[(who, name)] = status
        client.logout()
    assert not problems, problems
    # An anonymous visitor is sent to log in (the API answers 401).
    assert client.get(f"/region/{region.pk}/").status_code == 302
    assert client.get(f"/api/v1/regions/{region.pk}/summary").status_code == 401


def test_every_regional_read_is_in_each_municipalitys_audit_log(region, client):
    analyst = _person(region, RegionalRole.ANALYST, "analytiker")
    client.force_login(analyst)
    before = AuditEntry.objects.filter(action=AuditAction.READ).count()
    assert client.get(f"/region/{region.pk}/").status_code == 200
    assert client.get(f"/api/v1/regions/{region.pk}/summary").status_code == 200
    response = client.get(f"/region/{region.pk}/lagesbild.pdf?year={LAST}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    reads = AuditEntry.objects.filter(action=AuditAction.READ).order_by("pk")[before:]
    assert len(reads) == 6  # three reads × two municipalities
    levels = {(e.municipality.code, e.changes["level"]) for e in reads}
    assert levels == {("0123", "partners"), ("0139", "public")}
    assert {e.actor_id for e in reads} == {analyst.pk}
    assert all(e.changes["region"] == region.pk for e in reads)
    # The API hides Upplands-Bro's public-level count under five.
    api = client.get(f"/api/v1/regions/{region.pk}/summary").json()
    assert {m["code"]: m["level"] for m in api["by_municipality"]} == {
        "0123": "partners",
        "0139": "public",
    }


def test_the_comparison_per_1000_is_the_sum_of_its_municipalities(region):
    analyst = _person(region, RegionalRole.ANALYST, "analytiker")
    readers = _readers(region, analyst)
    table = services.comparison(readers, None)
    rows = {m.code: cells for m, cells in table.rows}
    first = YEARS[0]
    # Upplands-Bro's police feed did not cover the first year: not counted, not summed.
    assert rows["0139"][first].count is None and rows["0139"][first].per_1000 is None
    assert table.region[first].count == rows["0123"][first].count == 50
    assert table.region[first].population == 85_000
    for k, year in enumerate(YEARS):
        cells = [rows[code][year] for code in ("0123", "0139") if rows[code][year].counted]
        region_cell = table.region[year]
        assert region_cell.count == sum(c.count for c in cells)
        assert region_cell.population == sum(c.population for c in cells)
        assert region_cell.per_1000 == pytest.approx(
            1000 * region_cell.count / region_cell.population
        )
        # The country: every municipality of the installation counted that year.
        stockholm = 900 + k
        assert table.country[year].count == region_cell.count + stockholm
        assert table.country[year].population == region_cell.population + 990_000
    # Police events only: the housing companies' vandalism is in no cell.
    assert rows["0123"][LAST].count == 40 + len(YEARS) - 1 + 10
    # One category.
    burglary = services.comparison(readers, "burglary")
    assert {m.code: c[LAST].count for m, c in burglary.rows} == {
        "0123": 40 + len(YEARS) - 1,
        "0139": 3,
    }
    # Upplands-Bro is read at the public level: its 3 is suppressed, Järfälla's is not.
    assert {m.code: c[LAST].suppressed for m, c in burglary.rows} == {
        "0123": False,
        "0139": True,
    }
    assert burglary.region[LAST].count == 40 + len(YEARS) - 1 + 3


def test_the_comparison_page_prints_the_figures_the_swedish_way(region, client):
    client.force_login(_person(region, RegionalRole.READER, "lasare"))
    html = client.get(f"/region/{region.pk}/jamforelse/").content.decode()
    rows = {
        m.code: cells
        for m, cells in services.comparison(
            _readers(region, UserFactory._meta.model.objects.get(username="lasare")), None
        ).rows
    }
    expected = f"{rows['0123'][LAST].per_1000:.1f}".replace(".", ",")
    assert expected in html


def test_create_region_from_a_county_code(db):
    call_command("create_region", "Stockholms län", "--county", "01")
    assert Municipality.objects.filter(code__startswith="01").count() == 26
    # Again: nothing new; each new municipality has its outline as its first area.
    call_command("create_region", "Stockholms län", "--county", "01")
    assert Municipality.objects.filter(code__startswith="01").count() == 26
    assert Municipality.objects.get(code="0180").areas.count() == 1
    with pytest.raises(Exception, match="9999"):
        call_command("create_region", "Fel", "--codes", "0180,9999")


def test_the_dashboard_compares_a_year_on_the_sources_covering_both(region):
    analyst = _person(region, RegionalRole.ANALYST, "analytiker")
    readers = _readers(region, analyst)
    rows = {r.municipality.code: r for r in services.municipality_rows(readers, YEARS[1])}
    # Upplands-Bro's police feed began in YEARS[1]: left out of its change, and named.
    assert rows["0139"].left_out == ["polisen-b"]
    assert rows["0139"].change is None
    # Järfälla: police and housing company both covered both years (partners' level).
    jarfalla = rows["0123"]
    assert jarfalla.left_out == []
    assert (jarfalla.comparable_now, jarfalla.comparable_before) == (41 + 10 + 25, 40 + 10 + 25)
    assert jarfalla.change == pytest.approx(100 / 75)
    assert jarfalla.per_1000 == pytest.approx(1000 * 76 / 85_000)


def test_a_regions_pages_ask_the_same_number_of_queries_however_many_municipalities(region, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(_person(region, RegionalRole.ANALYST, "analytiker"))
    urls = [
        f"/region/{region.pk}/",
        f"/region/{region.pk}/jamforelse/",
        f"/api/v1/regions/{region.pk}/summary",
    ]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    create_region(region.name, region.kind, ["0123", "0139", "0138", "0160", "0180"])
    for code in ("0138", "0160"):
        _source(Municipality.objects.get(code=code), "police_feed", f"p-{code}",
                Sensitivity.PUBLIC, dt.date(YEARS[0], 1, 1))  # fmt: skip
    assert counts() == before
