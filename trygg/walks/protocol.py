"""The walk protocol as a PDF (Typst): map with route and numbered findings, the
participants as counts, every finding with its photos, who is responsible and what was
decided — or why nothing will be done. Contains no personal data: positions are kept
(they are places), people are counts."""

from __future__ import annotations

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from trygg.cases import services as cases
from trygg.core import disclosure
from trygg.core.roles import Sensitivity
from trygg.documents import svgmap
from trygg.documents.rendering import render_pdf
from trygg.walks.models import Finding, Walk


def findings_for_protocol(walk: Walk) -> list[Finding]:
    return list(
        # The case's updates come along: the protocol shows each finding's public response
        # (cases.status_notes), one query for all findings.
        walk.findings.select_related("category", "case__owner_organisation").prefetch_related(
            "photos", "case__updates"
        )
    )


def finding_outcome(finding: Finding) -> dict:
    """Who is responsible and what was decided, in words for the protocol."""
    case = finding.case
    if case is None:
        return {"responsible": "", "status": _("Not yet routed"), "action": ""}
    return {
        "responsible": case.owner_organisation.name,
        "status": case.get_state_display(),
        "action": cases.status_notes(case),
        "case_id": case.pk,
    }


def build(walk: Walk, lang: str = "sv") -> tuple[dict, dict[str, bytes | str]]:
    with translation.override(lang):
        findings = findings_for_protocol(walk)
        labels = {i["key"]: i["label"] for i in walk.template.items}
        files: dict[str, bytes | str] = {}
        rows = []
        for number, f in enumerate(findings, start=1):
            outcome = finding_outcome(f)
            photos = []
            for k, photo in enumerate(f.photos.all()[:4]):
                name = f"photo-{number}-{k}.jpg"
                with photo.image.open("rb") as fh:
                    files[name] = fh.read()
                photos.append(name)
            rows.append(
                {
                    "number": number,
                    "category": f.category.label,
                    # The address first (what a caretaker looks for), then the point.
                    "position": (f"{f.address} " if f.address else "")
                    + (f"({f.lat:.5f}, {f.lon:.5f})" if f.address else f"{f.lat:.5f}, {f.lon:.5f}"),
                    "responsible": outcome["responsible"] or "–",
                    "status": outcome["status"],
                    "action": outcome["action"] or "–",
                    "description": f.description,
                    "checks": ", ".join(labels.get(k, k) for k in f.checks),
                    "scores": ", ".join(f"{labels.get(k, k)} {v}" for k, v in f.scores.items()),
                    "photos": photos,
                }
            )
        route = (walk.route or {}).get("coordinates") if walk.route else None
        files["map.svg"] = svgmap.walk_map(
            walk.area.geometry,
            route,
            [{"lat": f.lat, "lon": f.lon, "label": i + 1} for i, f in enumerate(findings)],
            legend=(_("The route walked"), _("A finding, numbered as in the list")),
        )
        data = {
            "lang": lang,
            "title": walk.title,
            "municipality": walk.municipality.name,
            "date": formats.date_format(walk.date, "j F Y"),
            "facts": [
                [
                    _("Date"),
                    formats.date_format(walk.date, "j F Y")
                    + " "
                    + walk.start_time.strftime("%H:%M"),
                ],
                [_("Light"), walk.get_light_display()],
                [_("Area"), walk.area.name],
                [_("Meeting point"), walk.meeting_point or "–"],
                [_("Organised by"), walk.owner_organisation.name],
                [_("Status"), walk.get_status_display()],
            ],
            "demo_note": _("Demo data: not a real safety walk.") if walk.is_demo else "",
            # A public walk's protocol is published: small counts are suppressed, and
            # so is the next one when the total would give a suppressed count away.
            **public_participants(walk, walk.sensitivity == Sensitivity.PUBLIC),
            "invited": ", ".join(o.name for o in walk.invited.all()),
            "summary": walk.summary,
            "stops": walk.stop_list(),
            "findings": rows,
            "labels": {
                "kicker": _("Safety walk – protocol"),
                "participants": _("Participants"),
                "total": _("Total"),
                "invited": _("Invited"),
                "summary": _("Summary"),
                "map": _("Route and findings"),
                "map_caption": _("The route walked and the findings, numbered as below."),
                "stops": _("Stops"),
                "findings": _("Findings and what is done about them"),
                "no_findings": _("Nothing was noted on this walk."),
                "position": _("Place"),
                "responsible": _("Responsible"),
                "status": _("Status"),
                "action": _("Decided action / reason"),
                "checklist": _("Checklist"),
                "scores": _("Scores (0 = poor, 3 = good)"),
                "privacy": _("Participants are counted, never named. Generated by Trygg %(at)s.")
                % {"at": formats.date_format(timezone.localtime(), "j F Y H:i")},
            },
        }
    return data, files


def render(walk: Walk, lang: str = "sv") -> bytes:
    data, files = build(walk, lang)
    return render_pdf("walk_protocol", data, files)


def public_participants(walk: Walk, public: bool = True) -> dict:
    """The participants per kind and in all, as a published protocol prints them."""
    labels, counts = zip(*walk.participants(), strict=True) if walk.participants() else ((), ())
    shown = disclosure.parts(list(counts), public)
    return {
        "participants": [[str(label), n] for label, n in zip(labels, shown, strict=True)],
        "participants_total": disclosure.printed(walk.participants_total, public),
    }
