"""Roles, sensitivity levels and what each role allows — the one table.

Kept apart from the models and the permission layer so that everything can name them
without importing either (the querysets that carry the permission layer among them).
"""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    # A partner organisation's own administrator: a member who also manages who else of
    # the organisation has an account.
    ORGANISATION_ADMIN = "organisation_admin", _("Organisation's administrator")
    ANALYST = "analyst", _("Analyst")
    MEMBER = "member", _("Member")
    FIELD_WORKER = "field_worker", _("Field worker")
    READ_ONLY = "read_only", _("Read only")


class Sensitivity(models.TextChoices):
    """Who may read a record (docs/privacy.md §5)."""

    PUBLIC = "public", _("Public")
    PARTNERS = "partners", _("Partners")
    RESTRICTED = "restricted", _("Restricted to named organisations")


_OPENNESS = {Sensitivity.PUBLIC: 0, Sensitivity.PARTNERS: 1, Sensitivity.RESTRICTED: 2}


def stricter(a: str, b: str) -> str:
    """The stricter of two sensitivities: a record made from another is never more open
    than its origin."""
    return a if _OPENNESS[Sensitivity(a)] >= _OPENNESS[Sensitivity(b)] else b


class Permission(enum.StrEnum):
    """What a role allows, each named after what it allows. The one table mapping them to
    roles is ``ROLE_PERMISSIONS`` below; code asks ``principal.has(Permission.X)``, never
    which role someone has."""

    # Records in general (the row-level rule: see the module docstring).
    VIEW = "view"
    CREATE = "create"
    EDIT_OWN_ORGANISATION = "edit_own_organisation"
    EDIT_ANY = "edit_any"  # change records of every organisation one may read
    # The collaboration: people of every organisation (invite, change role, deactivate),
    # people of one's own organisation only, and the municipality's settings
    # (Inställningar: organisations, categories, scales, routing, maps, public site).
    MANAGE_MEMBERS = "manage_members"
    MANAGE_OWN_MEMBERS = "manage_own_members"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_AREAS = "manage_areas"
    VIEW_AUDIT_LOG = "view_audit_log"
    IMPORT_DATA = "import_data"
    ANALYSE = "analyse"
    # Approve or withhold what the public wrote, hide spam, merge duplicates.
    MODERATE = "moderate"
    # The weekly joint picture: the review queue (recategorise, merge, needs action,
    # feedback), the weekly assessment per area, the weekly meeting and its decisions,
    # the tertial analysis' ranking.
    REVIEW_REPORTS = "review_reports"
    ASSESS_AREAS = "assess_areas"
    RUN_WEEKLY_MEETING = "run_weekly_meeting"
    WRITE_TERTIAL_ANALYSIS = "write_tertial_analysis"
    # The action plan: plans, every organisation's measures, pledges, the forum; and
    # recording a plan version as decided.
    MANAGE_PLAN = "manage_plan"
    DECIDE_PLAN = "decide_plan"
    # The statutory lägesbild document: generate versions, write its texts, decide.
    WRITE_LAGESBILD = "write_lagesbild"
    # Safety walks' checklist templates.
    MANAGE_CHECKLISTS = "manage_checklists"
    # Serious-event alerts: which events are serious and which organisations hear of them.
    MANAGE_ALERTS = "manage_alerts"


# What the coordinating function does (lag 2023:196): run the joint work.
_COORDINATION = frozenset(
    {
        Permission.REVIEW_REPORTS,
        Permission.ASSESS_AREAS,
        Permission.RUN_WEEKLY_MEETING,
        Permission.WRITE_TERTIAL_ANALYSIS,
        Permission.MANAGE_PLAN,
        Permission.DECIDE_PLAN,
        Permission.WRITE_LAGESBILD,
        Permission.MANAGE_CHECKLISTS,
        Permission.MANAGE_ALERTS,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.VIEW,
            Permission.CREATE,
            Permission.EDIT_OWN_ORGANISATION,
            Permission.EDIT_ANY,
            Permission.MANAGE_MEMBERS,
            Permission.MANAGE_OWN_MEMBERS,
            Permission.MANAGE_SETTINGS,
            Permission.MANAGE_AREAS,
            Permission.VIEW_AUDIT_LOG,
            Permission.IMPORT_DATA,
            Permission.ANALYSE,
            Permission.MODERATE,
        }
    )
    | _COORDINATION,
    Role.COORDINATOR: frozenset(
        {
            Permission.VIEW,
            Permission.CREATE,
            Permission.EDIT_OWN_ORGANISATION,
            Permission.EDIT_ANY,
            # The coordinating function sets the collaboration up: it invites the
            # partners' people and keeps the municipality's settings.
            Permission.MANAGE_MEMBERS,
            Permission.MANAGE_OWN_MEMBERS,
            Permission.MANAGE_SETTINGS,
            Permission.MANAGE_AREAS,
            Permission.IMPORT_DATA,
            Permission.ANALYSE,
            Permission.MODERATE,
        }
    )
    | _COORDINATION,
    Role.ORGANISATION_ADMIN: frozenset(
        {
            Permission.VIEW,
            Permission.CREATE,
            Permission.EDIT_OWN_ORGANISATION,
            Permission.MANAGE_OWN_MEMBERS,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Permission.VIEW,
            Permission.CREATE,
            Permission.EDIT_OWN_ORGANISATION,
            Permission.ANALYSE,
        }
    ),
    Role.MEMBER: frozenset({Permission.VIEW, Permission.CREATE, Permission.EDIT_OWN_ORGANISATION}),
    Role.FIELD_WORKER: frozenset(
        {Permission.VIEW, Permission.CREATE, Permission.EDIT_OWN_ORGANISATION}
    ),
    Role.READ_ONLY: frozenset({Permission.VIEW}),
}


def roles_with(permission: Permission) -> list[str]:
    """The roles that allow ``permission`` (for picking an account to act as)."""
    return [role for role, allowed in ROLE_PERMISSIONS.items() if permission in allowed]


class RegionalRole(models.TextChoices):
    ANALYST = "regional_analyst", _("Regional analyst")
    READER = "regional_reader", _("Regional reader")


class RegionPermission(enum.StrEnum):
    """What a regional role allows (a region's people act for no organisation of any
    municipality). What they read of each municipality is that municipality's public level,
    or its partners' level where it agreed to share it with the region."""

    VIEW_REGION = "view_region"  # the regional lägesbild and the comparison table
    ANALYSE_REGION = "analyse_region"  # hotspots across borders, the regional document


REGIONAL_ROLE_PERMISSIONS: dict[str, frozenset[RegionPermission]] = {
    RegionalRole.ANALYST: frozenset(
        {RegionPermission.VIEW_REGION, RegionPermission.ANALYSE_REGION}
    ),
    RegionalRole.READER: frozenset({RegionPermission.VIEW_REGION}),
}
