"""Core domain: the municipality (tenant), its collaboration's organisations, staff
memberships and roles, areas, sensitivity levels and the audit log.

No model here (or anywhere in Trygg) describes a private person: the only people the
system knows are staff accounts (docs/privacy.md §1).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trygg.core.pdguard import validate_no_personal_data
from trygg.core.querysets import AuditEntryQuerySet, SensitiveQuerySet
from trygg.core.roles import RegionalRole, Role, Sensitivity


class Municipality(models.Model):
    """A municipality: the tenant. All municipal data hangs off one."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("municipality code"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("An SCB municipality code has four digits."))],
        help_text=_("SCB's four-digit code, e.g. 0139 for Upplands-Bro."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OrganisationKind(models.TextChoices):
    MUNICIPAL_DEPARTMENT = "municipal_department", _("Municipal department")
    POLICE = "police", _("Police")
    HOUSING = "housing", _("Housing company / property owner")
    SCHOOL = "school", _("School")
    SOCIAL_SERVICES = "social_services", _("Social services")
    RESCUE_SERVICE = "rescue_service", _("Rescue service")
    REGION = "region", _("Region")
    ASSOCIATION = "association", _("Association")
    BUSINESS = "business", _("Business")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """A party to the municipality's safety collaboration."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    contact_email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        help_text=_(
            "The organisation's shared mailbox (e.g. trygghet@bostadsbolaget.se), not a "
            "person's: cases routed to the organisation and serious-event alerts go here "
            "as well as to its members."
        ),
    )
    contact_info = models.CharField(
        _("how to reach them"),
        max_length=300,
        blank=True,
        validators=[validate_no_personal_data],
        help_text=_("E.g. the customer service's opening hours or the duty function."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="organisation_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A staff account's membership of an organisation, with its role there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

    @property
    def municipality(self) -> Municipality:
        return self.organisation.municipality


class SensitiveRecord(models.Model):
    """Base for every record of municipal data that carries a sensitivity level.

    Read it only through ``Model.objects.visible_to(principal)`` or
    ``editable_by(principal)`` (trygg.core.permissions): those apply the one permission
    rule of Trygg and audit every read of restricted rows.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner organisation"),
    )
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.PARTNERS,
    )
    restricted_to = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="+",
        verbose_name=_("also visible to"),
        help_text=_(
            "For restricted records: the organisations besides the owner that may read it."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SensitiveQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if (
            self.owner_organisation_id
            and self.municipality_id
            and self.owner_organisation.municipality_id != self.municipality_id
        ):
            raise ValidationError(
                {"owner_organisation": _("The organisation belongs to another municipality.")}
            )


class AreaKind(models.TextChoices):
    DISTRICT = "district", _("District")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    DESO = "deso", _("DeSO (SCB demographic statistics area)")
    REGSO = "regso", _("RegSO (SCB regional statistics area)")
    OTHER = "other", _("Other")


class Area(models.Model):
    """A district or neighbourhood with its boundary (GeoJSON, WGS84)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="areas", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=AreaKind.choices, default=AreaKind.DISTRICT
    )
    code = models.CharField(_("code"), max_length=32, blank=True)
    # GeoJSON geometry object (Polygon or MultiPolygon), WGS84 lon/lat.
    geometry = models.JSONField(_("geometry"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    population = models.PositiveIntegerField(
        _("population"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_demo = models.BooleanField(
        _("demo boundary"),
        default=False,
        help_text=_("The boundary is synthetic demo data, not an official boundary."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "name"], name="area_unique_name_per_kind"
            )
        ]
        indexes = [models.Index(fields=["municipality", "kind"])]

    def __str__(self) -> str:
        return self.name


class AreaLayer(models.Model):
    """One imported version of a municipality's layer of areas of one kind, kept as it was
    imported: re-importing a changed file makes a new version (the areas are updated in
    place and the records in them re-assigned), and every earlier version stays readable."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AreaKind.choices)
    version = models.PositiveIntegerField(_("version"))
    source = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    crs = models.CharField(_("coordinate reference system"), max_length=200)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = models.CharField(_("imported by"), max_length=200, blank=True)
    # {"created": [...], "updated": [...], "unchanged": [...], "not_in_file": [...],
    #  "warnings": [...]}
    summary = models.JSONField(_("summary"), default=dict)
    # The layer as imported: [{"name", "code", "population", "geometry"}] in WGS84.
    features = models.JSONField(_("features"), default=list)

    class Meta:
        ordering = ["-imported_at", "-version"]
        verbose_name = _("area layer version")
        verbose_name_plural = _("area layer versions")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "version"], name="arealayer_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} ({self.source})"


class PopulationMethod(models.TextChoices):
    TABLE = "table", _("From the table")
    OVERLAP = "overlap", _("Shared out from DeSO/RegSO by overlapping area")
    SUM = "sum", _("Sum of the areas")


class Population(models.Model):
    """The number of residents of an area (or, with no area, of the whole municipality) at
    the end of one year, from an SCB table — what "per 1 000 residents" divides by."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="populations",
        verbose_name=_("area"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(_("population"))
    # Optional breakdown, {"0-19 år": {"män": 120, "kvinnor": 118}, ...}: counts of groups
    # are public statistics from SCB, never about a person.
    by_group = models.JSONField(_("by age band and sex"), default=dict, blank=True)
    method = models.CharField(
        _("method"), max_length=16, choices=PopulationMethod.choices, default=PopulationMethod.TABLE
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("population")
        verbose_name_plural = _("populations")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "area", "year"],
                condition=models.Q(area__isnull=False),
                name="population_unique_area_year",
            ),
            models.UniqueConstraint(
                fields=["municipality", "year"],
                condition=models.Q(area__isnull=True),
                name="population_unique_municipality_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area or self.municipality} {self.year}: {self.population}"


class AddressPoint(models.Model):
    """A street address of the municipality's register (belägenhetsadress) and where it
    lies: public reference data, imported with ``import_addresses``. Cases, walk findings
    and observations are given the nearest one (``core.addresses``)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="address_points",
        verbose_name=_("municipality"),
    )
    street = models.CharField(_("street"), max_length=120)
    number = models.CharField(_("number"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    town = models.CharField(_("postal town"), max_length=60, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_demo = models.BooleanField(
        _("demo address"),
        default=False,
        help_text=_("The address is synthetic demo data, not a real address."),
    )

    class Meta:
        ordering = ["street", "number"]
        verbose_name = _("address point")
        verbose_name_plural = _("address points")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "street", "number", "postcode"],
                name="address_point_unique",
            )
        ]
        indexes = [models.Index(fields=["municipality", "lat", "lon"])]

    def __str__(self) -> str:
        return self.label

    @property
    def street_address(self) -> str:
        return f"{self.street} {self.number}".strip()

    @property
    def label(self) -> str:
        return address_label(self.street, self.number, self.postcode, self.town)


def address_label(street: str, number: str, postcode: str, town: str) -> str:
    """ "Storgatan 12, 196 30 Kungsängen" — as written on an envelope."""
    first = f"{street} {number}".strip()
    rest = f"{postcode} {town}".strip()
    return f"{first}, {rest}" if rest else first


class Notice(SensitiveRecord):
    """A notice on the collaboration's notice board, e.g. a heads-up to partners before
    a weekend, or a restricted note from the police to the field workers."""

    title = models.CharField(_("title"), max_length=200, validators=[validate_no_personal_data])
    body = models.TextField(_("text"), validators=[validate_no_personal_data])
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title

    @property
    def is_current(self) -> bool:
        return self.valid_until is None or self.valid_until >= timezone.localdate()


class Invitation(models.Model):
    """An invitation by e-mail into an organisation with a role: a one-time link to set a
    password (or to sign in through the municipality's single sign-on), valid for a few
    days. Only a hash of the link's secret is stored."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"

    @property
    def municipality(self) -> Municipality:
        return self.organisation.municipality

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


def _logo_path(instance: SiteProfile, filename: str) -> str:
    return f"site/{instance.municipality.code}/logo.jpg"


class SiteProfile(models.Model):
    """What a municipality sets about itself: the public site's texts, its logo and
    colour, and how long the personal data Trygg must keep for a while is kept."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="profile"
    )
    public_title = models.CharField(
        _("public site heading"),
        max_length=120,
        blank=True,
        help_text=_('Empty: "Safety in <municipality>".'),
    )
    public_intro = models.TextField(
        _("public site introduction"),
        max_length=1500,
        blank=True,
        validators=[validate_no_personal_data],
        help_text=_("Empty: Trygg's standard text about reporting an unsafe place."),
    )
    public_about = models.TextField(
        _("about the safety work"),
        max_length=3000,
        blank=True,
        validators=[validate_no_personal_data],
    )
    public_contact = models.CharField(
        _("contact for residents"),
        max_length=300,
        blank=True,
        validators=[validate_no_personal_data],
        help_text=_("E.g. the municipality's contact centre and its opening hours."),
    )
    published_at = models.DateTimeField(_("texts published"), null=True, blank=True)
    logo = models.ImageField(_("logo"), upload_to=_logo_path, blank=True)
    brand_colour = models.CharField(
        _("colour"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour is written #RRGGBB."))],
        help_text=_("Buttons and the header; must keep white text readable."),
    )
    # What the Kom igång list cannot see for itself: {"categories_reviewed": ISO time,
    # "routing_tested": ISO time}.
    checklist = models.JSONField(_("getting started"), default=dict, blank=True)
    case_email_retention_days = models.PositiveSmallIntegerField(
        _("residents' e-mail addresses kept (days after a case is closed)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text=_("Empty: the installation's default."),
    )
    incident_retention_years = models.PositiveSmallIntegerField(
        _("incidents kept (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_(
            "Incidents older than this many years are deleted by the nightly housekeeping, "
            "with their daily counts. Empty: kept."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("site profile")
        verbose_name_plural = _("site profiles")

    def __str__(self) -> str:
        return str(self.municipality)


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    READ = "read", _("Read restricted data")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    IMPORT = "import", _("Imported data")


class AuditEntry(models.Model):
    """One append-only line of the audit log: who did what, when, from where.

    Rows are never updated or deleted through Django (see save/delete and the queryset),
    and on PostgreSQL a trigger refuses UPDATE and DELETE as well.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept as text as well, so the log still says who it was if the account is removed.
    actor_label = models.CharField(_("actor"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("acting for"),
    )
    municipality = models.ForeignKey(
        Municipality,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("municipality"),
    )
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("from"), max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["municipality", "-at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("The audit log is append-only: entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("The audit log is append-only: entries cannot be deleted.")


class ApiToken(models.Model):
    """A secret for the JSON API, acting as one membership (a user acting for an
    organisation, e.g. a security company's system posting observations). Only a hash is
    stored; the token itself is shown once, when created."""

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("membership"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RateCounter(models.Model):
    """A fixed-window request counter for rate limiting (trygg.core.ratelimit).

    The key is a keyed hash of what is limited (a client address, an API key), never the
    address itself; rows of past windows are deleted by the daily housekeeping job."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.window_start:%H:%M} {self.count}"


class ScheduledRun(models.Model):
    """That a scheduled job was enqueued for one slot (e.g. one day): the unique
    constraint is what keeps two schedulers from enqueueing the same run twice."""

    job = models.CharField(max_length=100)
    slot = models.CharField(max_length=40)
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-enqueued_at"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduledrun_unique")]

    def __str__(self) -> str:
        return f"{self.job} {self.slot}"


# --- Regions: municipalities seen together ---------------------------------------------


class RegionKind(models.TextChoices):
    COUNTY = "county", _("County (länsstyrelsen)")
    POLICE_REGION = "police_region", _("Police region")
    POLICE_AREA = "police_area", _("Local police area")
    SHARED_SERVICE = "shared_service", _("Shared service of several municipalities")
    OTHER = "other", _("Other")


class Region(models.Model):
    """Municipalities seen together: a county, a police region or local police area, a
    shared service. A region owns no data: what its people see of each municipality is
    what the municipality agreed to share with it (``RegionMember.shares_partner_data``)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RegionKind.choices)
    municipalities = models.ManyToManyField(
        Municipality,
        through="RegionMember",
        related_name="regions",
        verbose_name=_("municipalities"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class RegionMember(models.Model):
    """A municipality in a region, and whether it shares the partners' level of its data
    with the region's people (decided by the municipality, not by the region)."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="members", verbose_name=_("region")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="region_memberships",
        verbose_name=_("municipality"),
    )
    shares_partner_data = models.BooleanField(_("shares the partners' level"), default=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        ordering = ["municipality__name"]
        verbose_name = _("municipality of a region")
        verbose_name_plural = _("municipalities of regions")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "municipality"], name="regionmember_unique_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} – {self.municipality}"


class RegionalMembership(models.Model):
    """A person's place in a region (the county administrative board's analyst, the
    local police area's officer), with a regional role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="regional_memberships",
        verbose_name=_("user"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="people", verbose_name=_("region")
    )
    role = models.CharField(_("role"), max_length=32, choices=RegionalRole.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["region__name"]
        verbose_name = _("regional membership")
        verbose_name_plural = _("regional memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region"], name="regionalmembership_unique_user_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.region} ({self.get_role_display()})"
