"""The named permissions: the one table of what each role allows (written out here, so a
change to it is a deliberate change to this test), and every permission-guarded action
tried by every role on a record of its own municipality and of another — allowed exactly
when the role has the permission and the record is its own municipality's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from trygg.assessment import documents
from trygg.assessment.models import LagesbildDocument
from trygg.cases import services as cases
from trygg.cases.models import Case, CaseCategory, Origin
from trygg.core.jobs import JobStatus
from trygg.core.permissions import Principal
from trygg.core.roles import ROLE_PERMISSIONS, Permission, Role
from trygg.core.services import people, site
from trygg.core.tests.factories import (
    AreaFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
)
from trygg.est import services as est
from trygg.est.models import Observation, ObservationCategory, Status, WeeklyMeeting
from trygg.est.weeks import Week
from trygg.live.services import alerts
from trygg.plan import editing
from trygg.plan import services as plan
from trygg.plan.models import ActionPlan, Pledge
from trygg.walks import services as walks
from trygg.walks.models import ChecklistTemplate

P = Permission
BASE = {P.VIEW}
MEMBER = BASE | {P.CREATE, P.EDIT_OWN_ORGANISATION}
COORDINATION = {
    P.REVIEW_REPORTS,
    P.ASSESS_AREAS,
    P.RUN_WEEKLY_MEETING,
    P.WRITE_TERTIAL_ANALYSIS,
    P.MANAGE_PLAN,
    P.DECIDE_PLAN,
    P.WRITE_LAGESBILD,
    P.MANAGE_CHECKLISTS,
    P.MANAGE_ALERTS,
}
SETTING_UP = {P.MANAGE_MEMBERS, P.MANAGE_OWN_MEMBERS, P.MANAGE_SETTINGS}
TABLE = {
    Role.ADMINISTRATOR: MEMBER
    | COORDINATION
    | SETTING_UP
    | {P.EDIT_ANY, P.MANAGE_AREAS, P.VIEW_AUDIT_LOG, P.IMPORT_DATA}
    | {P.ANALYSE, P.MODERATE},
    Role.COORDINATOR: MEMBER
    | COORDINATION
    | SETTING_UP
    | {P.EDIT_ANY, P.MANAGE_AREAS, P.IMPORT_DATA, P.ANALYSE, P.MODERATE},
    Role.ORGANISATION_ADMIN: MEMBER | {P.MANAGE_OWN_MEMBERS},
    Role.ANALYST: MEMBER | {P.ANALYSE},
    Role.MEMBER: MEMBER,
    Role.FIELD_WORKER: MEMBER,
    Role.READ_ONLY: BASE,
}


def test_the_table_of_named_permissions():
    assert {role: set(allowed) for role, allowed in ROLE_PERMISSIONS.items()} == TABLE
    unused = set(Permission) - set().union(*TABLE.values())
    assert not unused, f"permissions no role has: {unused}"


def records_of(municipality, organisation):
    """One record of each kind a named permission guards, in ``municipality``."""
    area = AreaFactory(municipality=municipality)
    category = ObservationCategory.objects.create(
        municipality=municipality, code="klotter", name="Klotter"
    )
    case_category = CaseCategory.objects.create(
        municipality=municipality, code="belysning", name="Belysning"
    )
    today = timezone.localdate()
    return {
        P.REVIEW_REPORTS: Observation.objects.create(
            municipality=municipality, owner_organisation=organisation, category=category,
            area=area, occurred_at=timezone.now(), status=Status.NEW,
        ),
        P.ASSESS_AREAS: area,
        P.RUN_WEEKLY_MEETING: WeeklyMeeting.objects.create(
            municipality=municipality, iso_year=2026, iso_week=47, held_on=dt.date(2026, 11, 20)
        ),
        P.MANAGE_PLAN: Pledge.objects.create(
            municipality=municipality, year=2026, title="Trygg station", problem="Oro",
            police_promise="Närvaro", municipality_promise="Belysning",
        ),
        P.DECIDE_PLAN: ActionPlan.objects.create(
            municipality=municipality, title="Plan", period_start=today,
            period_end=today + dt.timedelta(days=365),
        ),
        P.WRITE_LAGESBILD: LagesbildDocument.objects.create(
            municipality=municipality, version=1, date_from=today, date_to=today,
            audience="partners", status=JobStatus.FAILED, message="typst",
        ),
        P.MANAGE_CHECKLISTS: ChecklistTemplate.objects.create(
            municipality=municipality, name="Lista", items=[]
        ),
        P.MANAGE_ALERTS: alerts.ensure_rules(municipality)[0],
        # The people of another organisation; of one's own (whichever it is); settings.
        P.MANAGE_MEMBERS: organisation,
        P.MANAGE_OWN_MEMBERS: municipality,
        P.MANAGE_SETTINGS: site.profile_of(municipality),
        P.MODERATE: Case.objects.create(
            municipality=municipality, owner_organisation=organisation, category=case_category,
            origin=Origin.PUBLIC, lat=59.5, lon=17.6, description="Mörkt",
            deadline=today + dt.timedelta(days=180),
        ),
    }  # fmt: skip


ACTIONS = {
    P.REVIEW_REPORTS: lambda p, o: est.review(o, p, status=Status.INFO),
    P.ASSESS_AREAS: lambda p, o: est.assess(p, o, Week.of(timezone.localdate()), 1),
    P.RUN_WEEKLY_MEETING: lambda p, o: est.set_attendees(p, o, [], "Anteckning"),
    P.MANAGE_PLAN: lambda p, o: editing.follow_up_pledge(
        p, o, half=1, status="green", public_text="Klart"
    ),
    P.DECIDE_PLAN: lambda p, o: plan.decide(o, p, decided_by="KS", decided_on=dt.date(2026, 11, 1)),
    P.WRITE_LAGESBILD: lambda p, o: documents.retry_document(p, o),
    P.MANAGE_CHECKLISTS: lambda p, o: walks.save_checklist(
        p, o, name="Lista", description="", checks="Belysning", scores="", is_default=False
    ),
    P.MODERATE: lambda p, o: cases.moderate(o, p, approve=True),
    P.MANAGE_ALERTS: lambda p, o: alerts.save_rules(p, [(o, not o.is_active, [])]),
    P.MANAGE_MEMBERS: lambda p, o: people.invite(p, o, "ny@example.se", Role.MEMBER),
    P.MANAGE_OWN_MEMBERS: lambda p, m: people.invite(
        p,
        p.organisation if m == p.municipality else m.organisations.first(),
        "ny@example.se",
        Role.MEMBER,
    ),
    P.MANAGE_SETTINGS: lambda p, o: site.save_profile(p, o, public_intro="Välkommen"),
}


class Undo(Exception):
    pass


def attempt(action, principal, record) -> bool:
    """True if ``action`` was allowed; nothing it wrote is kept."""
    try:
        with transaction.atomic():
            action(principal, record)
            raise Undo
    except Undo:
        return True
    except PermissionDenied:
        return False


@pytest.fixture
def two_municipalities(db):
    home = MunicipalityFactory(code="0139", name="Upplands-Bro")
    far = MunicipalityFactory(code="0123", name="Järfälla")
    own = OrganisationFactory(municipality=home, name="Kommunledningskontoret")
    other = OrganisationFactory(municipality=home, name="Polisen")
    far_org = OrganisationFactory(municipality=far, name="Järfälla kommun")
    return {
        "home": records_of(home, other),  # another organisation's records, same municipality
        "far": records_of(far, far_org),
    }, own


@pytest.mark.parametrize("role", list(TABLE))
def test_every_named_permission_by_role_and_municipality(two_municipalities, role):
    records, own = two_municipalities
    membership = MembershipFactory(organisation=own, role=role)
    principal = Principal(user=membership.user, membership=membership)
    outcome = {
        (permission.value, place): attempt(action, principal, records[place][permission])
        for permission, action in ACTIONS.items()
        for place in ("home", "far")
    }
    expected = {
        (permission.value, place): permission in TABLE[role] and place == "home"
        for permission in ACTIONS
        for place in ("home", "far")
    }
    assert outcome == expected
