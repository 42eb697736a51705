"""The week's picture and the meeting's decisions as a PDF (Typst, Swedish by default):
the numbers per area with their changes, the map with the week's points and hotspots,
by category, upcoming events, the focus places and actions."""

from __future__ import annotations

from django.utils import formats as django_formats
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trygg.core import formats
from trygg.core.models import Area
from trygg.core.permissions import Principal
from trygg.documents import svgmap
from trygg.documents.rendering import render_pdf
from trygg.est import services
from trygg.est.weeks import Week


def _pair(last_year: int | None, now: int | None) -> str:
    """ "17 → 19": last year and this year from the same sources ("–" when not comparable)."""
    if last_year is None or now is None:
        return "–"
    return f"{formats.number(last_year)} → {formats.number(now)}"


LEVEL_FILL = {"normal": "#c7e9c0", "elevated": "#fdd49e", "serious": "#fc8d59"}


def render(principal: Principal, week: Week, lang: str = "sv") -> bytes:
    with translation.override(lang):
        picture = services.weekly_picture(principal, week)
        areas = list(Area.objects.filter(municipality=principal.municipality, kind="district"))
        values = {r.area.pk: r.total for r in picture.rows if r.area}
        cells = [{"geometry": c, "fill": "#b2182b"} for c in picture.hotspots_new] + [
            {"geometry": c, "fill": "#ef8a62"} for c in picture.hotspots_persistent
        ]
        svg = svgmap.area_map(
            [{"id": a.pk, "name": a.name, "geometry": a.geometry} for a in areas],
            values,
            cells,
            shading=(_("Fewer reports"), _("More reports")),
            keys=[
                ("#b2182b", _("New hotspot this week")),
                ("#ef8a62", _("Hotspot that persists")),
            ],
        )
        meeting = picture.meeting

        def change(r):
            if r.change_vs_previous is not None:
                mark = " *" if r.reading.significant else ""
                return formats.percent(r.change_vs_previous, signed=True) + mark
            if r.reading is not None and r.reading.kind == "too_few":
                return _("too few")
            return "–"

        data = {
            "lang": lang,
            "title": _("Weekly picture, week %(week)s") % {"week": f"{week.week}, {week.year}"},
            "municipality": principal.municipality.name,
            "period": " – ".join(
                (
                    django_formats.date_format(week.start, "j F"),
                    django_formats.date_format(week.end, "j F Y"),
                )
            ),
            "generated": django_formats.date_format(timezone.localtime(), "j F Y H:i"),
            "summary": _(
                "%(obs)s from the partners and %(inc)s this week; on average %(prev)s a "
                "week the four weeks before."
            )
            % {
                "obs": ngettext(
                    "%(n)s reviewed observation",
                    "%(n)s reviewed observations",
                    picture.totals["observations"],
                )
                % {"n": formats.number(picture.totals["observations"])},
                "inc": ngettext("%(n)s incident", "%(n)s incidents", picture.totals["incidents"])
                % {"n": formats.number(picture.totals["incidents"])},
                "prev": formats.number(picture.totals["previous_mean"], 1),
            }
            + (
                " "
                + _(
                    "The same week last year: %(ly)s, against %(now)s this week from the "
                    "same sources."
                )
                % {
                    "ly": formats.number(picture.totals["last_year"]),
                    "now": formats.number(picture.totals["this_year_same_sources"]),
                }
                if picture.totals["last_year"] is not None
                else ""
            ),
            "change_note": (
                _("The week has not ended: no change is given until it has.")
                if picture.partial
                else _(
                    "Change: this week against the four weeks before, counted only from what "
                    "reported in all five weeks (exact Poisson test; * = statistically "
                    "significant, p < 0.05; no percentage with fewer than 10 events)."
                )
                + (" " + picture.comparison_note if picture.comparison_note else "")
            ),
            "areas": {
                "header": [
                    _("Area"),
                    _("Observations"),
                    _("Incidents"),
                    _("Change vs 4 weeks"),
                    _("Same week last year → this year"),
                    _("Assessment"),
                ],
                "rows": [
                    [
                        r.area.name if r.area else _("No area"),
                        r.observations,
                        r.incidents,
                        change(r),
                        _pair(r.last_year, r.this_year_same_sources),
                        r.assessment_label or "–",
                    ]
                    for r in picture.rows
                ],
            },
            "categories": {
                "header": [_("Category"), _("This week"), _("Same week last year → this year")],
                "rows": [
                    [label, formats.number(n), _pair(ly, now)]
                    for label, n, ly, now in picture.by_category
                ]
                or [["–", "0", "–"]],
            },
            "events": [
                django_formats.date_format(timezone.localtime(e.occurred_at), "j F H:i")
                + f": {e.category}"
                + (f" – {e.area.name}" if e.area else "")
                + (f". {e.description}" if e.description else "")
                for e in picture.events
            ],
            "open_actions": [
                f"{a.text} ({a.owner.name}, {django_formats.date_format(a.due, 'j F')})"
                for a in picture.open_actions
            ],
            "focus": [
                f"{f.where} – {f.reason}" if f.reason else f.where
                for f in (meeting.focus.all() if meeting else [])
            ],
            "actions": [
                f"{a.text} ({a.owner.name}, {django_formats.date_format(a.due, 'j F')})"
                for a in (meeting.actions.all() if meeting else [])
            ],
            "attendees": ", ".join(o.name for o in meeting.attendees.all()) if meeting else "",
            "labels": {
                "kicker": _("Weekly joint situation picture (EST)"),
                "summary": _("Summary"),
                "areas": _("Per area"),
                "map": _("The week's map"),
                "map_caption": _(
                    "Areas shaded by the week's count; dark red cells are new hotspots, "
                    "light red persistent ones."
                ),
                "categories": _("By category"),
                "events": _("Upcoming events"),
                "open_actions": _("Open actions from earlier meetings"),
                "decisions": _("The meeting's decisions"),
                "focus": _("Focus for the coming week"),
                "actions": _("Actions"),
                "attendees": _("Organisations present"),
                "none": _("None."),
                "generated": _("Generated by Trygg"),
            },
        }
    return render_pdf("weekly", data, {"map.svg": svg})
