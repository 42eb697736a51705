"""The live picture's pages: serious events and the feed's health, the event brief with
its follow-up, the rules of who is alerted."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from trygg.core.forms import add_service_errors
from trygg.core.guards import member_required
from trygg.core.permissions import Permission
from trygg.core.services import map_extent
from trygg.incidents import feed
from trygg.incidents.models import FeedPoll, PoliceFeedFollow
from trygg.live.forms import FollowUpActionForm, RuleForm
from trygg.live.services import alerts, digest, followup
from trygg.live.services import brief as briefs

LIST_DAYS = 60
POLLS_SHOWN = 12


@member_required(Permission.VIEW)
def index(request):
    principal = request.principal
    municipality = principal.municipality
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("follow", "unfollow"):
            if not principal.has(Permission.IMPORT_DATA):
                raise PermissionDenied
            if action == "follow":
                feed.turn_on(municipality, by=principal.label)
                messages.success(request, _("The police feed is followed from the next poll."))
            else:
                feed.turn_off(municipality, by=principal.label)
                messages.success(request, _("The police feed is no longer followed."))
        elif action == "digest-on":
            digest.subscribe(principal)
            messages.success(request, _("You will get the weekly digest on Monday mornings."))
        elif action == "digest-off":
            digest.unsubscribe(principal)
            messages.success(request, _("You will no longer get the weekly digest."))
        return redirect("live_index")
    since = timezone.now() - dt.timedelta(days=LIST_DAYS)
    follow = (
        PoliceFeedFollow.objects.filter(municipality=municipality)
        .select_related("last_poll", "source")
        .first()
    )
    return render(
        request,
        "live/index.html",
        {
            "alerts": list(alerts.alerts_for(municipality.pk, since)),
            "follow": follow,
            "gaps": feed.gaps(follow.source_id) if follow else [],
            "polls": list(FeedPoll.objects.all()[:POLLS_SHOWN]) if follow else [],
            "rules": alerts.ensure_rules(municipality),
            "subscribed": digest.is_subscribed(principal),
            "list_days": LIST_DAYS,
        },
    )


@member_required(Permission.VIEW)
def brief(request, pk: int):
    principal = request.principal
    alert = briefs.access_alert(principal, pk)
    until = timezone.localtime(alert.risk_until).date()
    form = FollowUpActionForm(municipality=alert.municipality, until=until)
    if request.method == "POST":
        if not principal.has(Permission.RUN_WEEKLY_MEETING):
            raise PermissionDenied
        if request.POST.get("action") == "agenda":
            focus = followup.put_on_agenda(principal, alert)
            messages.success(
                request,
                _("On the agenda of week %(week)s as a focus place.") % {"week": focus.meeting},
            )
            return redirect("live_brief", pk=alert.pk)
        form = FollowUpActionForm(request.POST, municipality=alert.municipality, until=until)
        if form.is_valid():
            try:
                action = followup.add_action(
                    principal,
                    alert,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    owner=form.cleaned_data["owner"],
                    due=form.cleaned_data["due"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Action added to the meeting of week %(week)s: %(text)s")
                    % {"week": action.meeting, "text": action.text},
                )
                return redirect("live_brief", pk=alert.pk)
    return render(
        request,
        "live/brief.html",
        {
            "brief": briefs.build(principal, alert),
            "form": form,
            "can_follow_up": principal.has(Permission.RUN_WEEKLY_MEETING),
            "on_agenda": followup.on_this_weeks_agenda(alert),
            "map_extent": map_extent(alert.municipality),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@member_required(Permission.VIEW)
def brief_map(request, pk: int):
    alert = briefs.access_alert(request.principal, pk)
    return JsonResponse(briefs.map_for(request.principal, alert))


@member_required(Permission.MANAGE_ALERTS)
def rules(request):
    principal = request.principal
    municipality = principal.municipality
    rule_list = alerts.ensure_rules(municipality)
    forms = [
        (
            rule,
            RuleForm(
                request.POST or None,
                prefix=rule.family,
                municipality=municipality,
                initial={
                    "is_active": rule.is_active,
                    "organisations": list(rule.organisations.all()),
                },
            ),
        )
        for rule in rule_list
    ]
    if request.method == "POST" and all(form.is_valid() for _, form in forms):
        alerts.save_rules(
            principal,
            [
                (rule, form.cleaned_data["is_active"], form.cleaned_data["organisations"])
                for rule, form in forms
            ],
        )
        messages.success(request, _("The rules are saved."))
        return redirect("live_rules")
    return render(request, "live/rules.html", {"forms": forms})
