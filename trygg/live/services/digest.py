"""The weekly digest (opt-in per user): on Monday morning, last week's picture in one
e-mail — the changes that are statistically distinguishable, new and persistent hotspots,
serious events, open actions falling due — with links. Built through the same permission
layer as the pages, for the user's own organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from trygg.core.models import Membership, Municipality
from trygg.core.permissions import Permission, Principal
from trygg.core.tenancy import absolute_url
from trygg.est.models import Action, ActionStatus
from trygg.est.services.picture import weekly_picture
from trygg.est.weeks import Week
from trygg.live.models import DigestSubscription, EventAlert

DUE_WITHIN_DAYS = 7


@dataclass
class Digest:
    week: Week
    municipality: Municipality
    changes: list  # (area name, reading)
    hotspots_new: int
    hotspots_persistent: int
    alerts: list[EventAlert]
    actions_due: list[Action]

    @property
    def is_empty(self) -> bool:
        return not (
            self.changes
            or self.hotspots_new
            or self.hotspots_persistent
            or self.alerts
            or self.actions_due
        )


def build(principal: Principal, week: Week) -> Digest:
    municipality = principal.acting_municipality
    picture = weekly_picture(principal, week)
    changes = [
        (row.area.name if row.area else "–", row.reading)
        for row in picture.rows
        if row.reading is not None and row.reading.significant
    ]
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(week.start, dt.time(), tz)
    end = dt.datetime.combine(week.end + dt.timedelta(days=1), dt.time(), tz)
    today = timezone.localdate()
    return Digest(
        week=week,
        municipality=municipality,
        changes=changes,
        hotspots_new=len(picture.hotspots_new),
        hotspots_persistent=len(picture.hotspots_persistent),
        alerts=list(
            EventAlert.objects.filter(
                municipality=municipality, occurred_at__gte=start, occurred_at__lt=end
            ).select_related("area")
        ),
        actions_due=list(
            Action.objects.filter(
                meeting__municipality=municipality,
                status=ActionStatus.OPEN,
                due__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS),
            ).select_related("owner", "area")
        ),
    )


def subscribe(principal: Principal) -> DigestSubscription:
    if not principal.has(Permission.VIEW):
        raise PermissionError
    sub, _ = DigestSubscription.objects.get_or_create(
        user=principal.user, municipality=principal.acting_municipality
    )
    return sub


def unsubscribe(principal: Principal) -> None:
    DigestSubscription.objects.filter(
        user=principal.user, municipality=principal.acting_municipality
    ).delete()


def is_subscribed(principal: Principal) -> bool:
    return (
        principal.municipality is not None
        and DigestSubscription.objects.filter(
            user=principal.user, municipality=principal.municipality
        ).exists()
    )


def _url(name: str, *args) -> str:
    return absolute_url(reverse(name, args=args))


def send_all(today: dt.date | None = None) -> int:
    """Last week's digest to every subscriber (once per week each); returns e-mails sent."""
    today = today or timezone.localdate()
    week = Week.of(today).shift(-1)
    sent = 0
    for sub in DigestSubscription.objects.select_related("user", "municipality").exclude(
        last_sent_week=str(week)
    ):
        user = sub.user
        membership = (
            Membership.objects.filter(
                user=user,
                is_active=True,
                organisation__municipality=sub.municipality,
                organisation__is_active=True,
            )
            .order_by("organisation__name")
            .first()
        )
        if not user.is_active or not user.email or membership is None:
            continue
        principal = Principal.for_user(user, membership.organisation_id)
        digest = build(principal, week)
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "digest": digest,
                "weekly_url": _url("est_weekly") + f"?week={week}",
                "live_url": _url("live_index"),
                "alert_links": [(a, _url("live_brief", a.pk)) for a in digest.alerts],
            }
            subject = render_to_string("live/email/digest_subject.txt", context).strip()
            body = render_to_string("live/email/digest.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        DigestSubscription.objects.filter(pk=sub.pk).update(last_sent_week=str(week))
        sent += 1
    return sent
