"""Invitations to a safety walk: an e-mail with an iCalendar (RFC 5545) file to the
contacts of each invited organisation — the walk planned (REQUEST), changed (REQUEST with
a higher SEQUENCE, the same UID, so calendars update the event they hold) or cancelled,
or an organisation no longer invited (CANCEL)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from trygg.core.tenancy import absolute_url
from trygg.walks.models import Walk

# A walk has a start, not an end: calendars get this long a slot.
DURATION = dt.timedelta(hours=2)
REQUEST, CANCEL = "REQUEST", "CANCEL"


def uid(walk: Walk) -> str:
    return f"walk-{walk.pk}-{walk.municipality.code}@trygg"


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline escaped."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets folded (§3.1), never inside a UTF-8 character."""
    out, current = [], ""
    for char in line:
        limit = 75 if not out else 74  # a continuation line starts with a space
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(walk: Walk, method: str, url: str) -> bytes:
    """The walk as a one-event calendar (times in UTC, which every client reads)."""
    start = walk.starts_at()
    where = ", ".join(x for x in (walk.meeting_point, walk.area.name) if x)
    description = _("Safety walk in %(area)s. Details and route: %(url)s") % {
        "area": walk.area.name,
        "url": url,
    }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Trygg//Safety walks//SV",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{uid(walk)}",
        f"SEQUENCE:{walk.invitation_sequence}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(start + DURATION)}",
        f"SUMMARY:{_escape(walk.title)}",
        f"LOCATION:{_escape(where)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if method == CANCEL else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    folded = [part for line in lines for part in _fold(line)]
    return ("\r\n".join(folded) + "\r\n").encode()


def message(walk: Walk, method: str, recipients: list[str], *, changed: bool) -> EmailMessage:
    """The invitation, its update or its cancellation, in the site's language."""
    url = absolute_url(reverse("walk_detail", args=[walk.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        when = formats.date_format(timezone.localtime(walk.starts_at()), "l j F Y \\k\\l. H.i")
        facts = {"title": walk.title, "when": when, "area": walk.area.name}
        if method == CANCEL:
            subject = _("Cancelled: %(title)s, %(when)s") % facts
            lead = _(
                "The safety walk below is cancelled, or your organisation is no longer invited."
            )
        elif changed:
            subject = _("Changed: %(title)s, %(when)s") % facts
            lead = _("The safety walk below has changed. The attached calendar file updates it.")
        else:
            subject = _("Invitation: %(title)s, %(when)s") % facts
            lead = _(
                "Your organisation is invited to a safety walk. Add it to your calendar "
                "with the attached file."
            )
        body = "\n".join(
            [
                lead,
                "",
                f"{walk.title}",
                _("When: %(when)s") % facts,
                _("Area: %(area)s") % facts,
                *(
                    [_("Meeting point: %(place)s") % {"place": walk.meeting_point}]
                    if walk.meeting_point
                    else []
                ),
                "",
                url,
            ]
        )
        ics = calendar(walk, method, url)
    email = EmailMessage(subject=subject, body=body, to=recipients)
    email.attach("trygghetsvandring.ics", ics, f"text/calendar; charset=utf-8; method={method}")
    return email
