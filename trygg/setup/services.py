"""Kom igång (the first-run checklist), uploads waiting for their preview, and the
routing tester's record — what the settings pages need beyond each app's own services."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trygg.cases import defaults as case_defaults
from trygg.cases.models import CaseCategory, RoutingRule
from trygg.core.models import (
    Area,
    AreaKind,
    Invitation,
    Membership,
    Municipality,
    Organisation,
    OrganisationKind,
    Population,
)
from trygg.core.permissions import Principal
from trygg.core.roles import Role
from trygg.core.services.people import create_invitation
from trygg.core.services.site import check_settings, profile_of
from trygg.est import defaults as est_defaults
from trygg.incidents.models import PoliceFeedFollow
from trygg.live.services.alerts import ensure_rules
from trygg.walks.services import default_template


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    detail: str
    url_name: str


def getting_started(municipality: Municipality) -> list[Step]:
    """What a new municipality does first, each step with whether it is done."""
    profile = profile_of(municipality)
    districts = Area.objects.filter(municipality=municipality, kind=AreaKind.DISTRICT)
    own_districts = districts.filter(is_demo=False).count()
    populations = Population.objects.filter(municipality=municipality).count()
    organisations_with_people = (
        Membership.objects.filter(organisation__municipality=municipality, is_active=True)
        .values("organisation")
        .distinct()
        .count()
    )
    invited = Invitation.objects.filter(organisation__municipality=municipality).count()
    categories = CaseCategory.objects.filter(municipality=municipality).count()
    rules = RoutingRule.objects.filter(municipality=municipality).count()
    feed = PoliceFeedFollow.objects.filter(municipality=municipality, is_active=True).exists()
    return [
        Step(
            "areas",
            str(_("Import the municipality's districts")),
            own_districts > 0,
            str(_("%(n)s districts") % {"n": own_districts}),
            "setup_areas",
        ),
        Step(
            "population",
            str(_("Import the population per area from SCB")),
            populations > 0,
            str(_("%(n)s figures") % {"n": populations}),
            "setup_population",
        ),
        Step(
            "people",
            str(_("Invite the partner organisations' people")),
            organisations_with_people > 1,
            str(
                _("%(orgs)s organisations with people, %(inv)s invitations sent")
                % {"orgs": organisations_with_people, "inv": invited}
            ),
            "setup_organisations",
        ),
        Step(
            "categories",
            str(_("Review the case categories and their deadlines")),
            "categories_reviewed" in profile.checklist,
            str(_("%(n)s categories") % {"n": categories}),
            "setup_categories",
        ),
        Step(
            "routing",
            str(_("Decide who is responsible, and test it")),
            rules > 0 and "routing_tested" in profile.checklist,
            str(_("%(n)s routing rules") % {"n": rules}),
            "setup_routing",
        ),
        Step(
            "feed",
            str(_("Turn on the police's events feed")),
            feed,
            str(_("on") if feed else _("off")),
            "live_index",
        ),
        Step(
            "site",
            str(_("Write and publish the public site's texts")),
            profile.published_at is not None,
            str(_("published") if profile.published_at else _("not published")),
            "setup_site",
        ),
    ]


@transaction.atomic
def mark(principal: Principal, step: str) -> None:
    """Record a step the checklist cannot see for itself (categories reviewed, routing
    tested)."""
    check_settings(principal, principal.acting_municipality)
    profile = profile_of(principal.acting_municipality)
    profile.checklist = {**profile.checklist, step: timezone.now().isoformat()}
    profile.save(update_fields=["checklist", "updated_at"])


# --- Uploads waiting for their preview ---------------------------------------------------

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_UPLOADS = "setup-uploads"


def store_upload(municipality: Municipality, upload: UploadedFile) -> str:
    """Keep an uploaded file (on the shared media storage, so any app server can read it
    for the preview and the import) under a random key."""
    key = secrets.token_urlsafe(18)
    suffix = "".join(Path(upload.name or "").suffixes[-1:]).lower()[:10]
    default_storage.save(f"{_UPLOADS}/{municipality.code}/{key}{suffix}", upload)
    return key + suffix


def upload_path(municipality: Municipality, name: str) -> Path | None:
    """The stored upload of ``municipality`` named ``name`` (key + suffix), or None."""
    key, _dot, suffix = name.partition(".")
    if not _KEY.match(key) or (suffix and not suffix.isalnum()):
        return None
    stored = f"{_UPLOADS}/{municipality.code}/{name}"
    if not default_storage.exists(stored):
        return None
    return Path(default_storage.path(stored))


def discard_upload(municipality: Municipality, name: str) -> None:
    path = upload_path(municipality, name)
    if path is not None:
        default_storage.delete(f"{_UPLOADS}/{municipality.code}/{name}")


# --- A new municipality -----------------------------------------------------------------


@dataclass
class NewMunicipality:
    municipality: Municipality
    organisation: Organisation
    added_defaults: int
    invitation_link: str | None


@transaction.atomic
def create_municipality(
    code: str,
    name: str,
    *,
    organisation_name: str | None = None,
    coordinator_email: str | None = None,
) -> NewMunicipality:
    """An empty municipality with Sweden-wide defaults — observation categories and both
    scales, case categories, the standard walk checklist, the serious-event rules — and
    its own organisation (the coordinating function); optionally an invitation for its
    first coordinator. Re-running it adds only what is missing."""
    municipality, _created = Municipality.objects.get_or_create(code=code, defaults={"name": name})
    if municipality.name != name:
        raise ValidationError(
            _("Municipality %(code)s exists as %(name)s.")
            % {"code": code, "name": municipality.name}
        )
    municipality.full_clean()
    organisation, _created = Organisation.objects.get_or_create(
        municipality=municipality,
        name=organisation_name or f"{name} kommun",
        defaults={"kind": OrganisationKind.MUNICIPAL_DEPARTMENT},
    )
    profile_of(municipality)
    added = est_defaults.install(municipality) + case_defaults.install(municipality)
    default_template(municipality)
    ensure_rules(municipality)
    link = None
    if coordinator_email:
        validate_email(coordinator_email)
        link = create_invitation(organisation, coordinator_email, Role.COORDINATOR).link
    return NewMunicipality(municipality, organisation, added, link)


def discard_stale_uploads(hours: int = 24) -> int:
    """Uploads left waiting for their preview longer than ``hours`` (the coordinator went
    away): removed by the nightly job. How many went."""
    limit = timezone.now() - dt.timedelta(hours=hours)
    removed = 0
    try:
        folders, _files = default_storage.listdir(_UPLOADS)
    except FileNotFoundError:
        return 0
    for folder in folders:
        _dirs, files = default_storage.listdir(f"{_UPLOADS}/{folder}")
        for name in files:
            stored = f"{_UPLOADS}/{folder}/{name}"
            if default_storage.get_modified_time(stored) < limit:
                default_storage.delete(stored)
                removed += 1
    return removed
