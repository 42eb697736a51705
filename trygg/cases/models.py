"""Cases (ärenden): something at a place that someone must fix — from a safety-walk
finding, a resident's report, another app through Open311, or staff.

A case is routed to the organisation responsible for fixing it (its owner organisation,
in the permission layer's terms), moves through states grouped like FixMyStreet's, and
tells the public what was decided. It describes a place and a problem, never a person:
the only personal data is a resident's optional e-mail for feedback, kept in its own
field, never shown, and erased when the case has been closed for the retention period.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from trygg.core.models import Area, Municipality, Organisation, SensitiveRecord
from trygg.core.pdguard import validate_no_personal_data

DESCRIPTION_MAX = 4000  # Open311's limit for description


class CaseCategory(models.Model):
    """What a case is about ("Belysning", "Sly och buskar"): an Open311 service."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Stable identifier; Open311's service_code.")
    )
    name = models.CharField(_("name (Swedish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    group = models.CharField(_("group"), max_length=60, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    deadline_months = models.PositiveSmallIntegerField(
        _("deadline (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("How long the responsible organisation has to close a case."),
    )
    is_public = models.BooleanField(
        _("residents can report"), default=True, help_text=_("Offered on the public page.")
    )
    # Open311 service-definition attributes: [{"code", "datatype", "required",
    # "description", "order", "datatype_description", "values": [{"key", "name"}]}]
    attributes = models.JSONField(_("extra questions"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="casecategory_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "sv").startswith("en"):
            return self.name_en
        return self.name


class PropertyArea(models.Model):
    """Land owned or managed by an organisation other than the municipality (a housing
    company's yards), for routing: a case inside it can go to its owner."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    geometry = models.JSONField(_("geometry"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()

    class Meta:
        ordering = ["name"]
        verbose_name = _("property")
        verbose_name_plural = _("properties")

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"


class Land(models.TextChoices):
    ANY = "any", _("Anywhere")
    MUNICIPAL = "municipal", _("Outside every property (municipal land)")
    PROPERTY = "property", _("Inside a property")


class RoutingRule(models.Model):
    """Category × area × land → the organisation responsible.

    The most specific matching rule wins: a rule naming the category beats one that does
    not, then the area, then the land. A property rule without an organisation sends the
    case to the property's owner."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    category = models.ForeignKey(
        CaseCategory,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Empty: every category."),
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("area"),
        help_text=_("Empty: every area."),
    )
    land = models.CharField(_("land"), max_length=12, choices=Land.choices, default=Land.ANY)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organisation"),
        help_text=_("Empty on a property rule: the property's owner."),
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        who = self.organisation or _("the property's owner")
        return f"{self.category or '*'} / {self.area or '*'} / {self.get_land_display()} → {who}"

    @property
    def specificity(self) -> int:
        return (
            4 * (self.category_id is not None)
            + 2 * (self.area_id is not None)
            + (self.land != Land.ANY)
        )


class State(models.TextChoices):
    NEW = "new", pgettext_lazy("the state of one case", "New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Investigating")
    ACTION_SCHEDULED = "action_scheduled", _("Action scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    FIXED = "fixed", _("Fixed")
    WONT_FIX = "wont_fix", _("Will not be fixed")
    DUPLICATE = "duplicate", _("Duplicate")
    HIDDEN = "hidden", _("Hidden")


OPEN_STATES = frozenset(
    {
        State.NEW,
        State.ACKNOWLEDGED,
        State.INVESTIGATING,
        State.ACTION_SCHEDULED,
        State.IN_PROGRESS,
    }
)
CLOSED_STATES = frozenset({State.FIXED, State.WONT_FIX, State.DUPLICATE})


class Origin(models.TextChoices):
    WALK = "walk", _("Safety walk")
    PUBLIC = "public", _("Resident's report")
    OPEN311 = "open311", _("Another app (Open311)")
    STAFF = "staff", _("Staff")


class Moderation(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Text withheld")


def new_token() -> str:
    return secrets.token_hex(16)


class Case(SensitiveRecord):
    """One thing to fix. ``owner_organisation`` is the organisation responsible for it."""

    category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    # A record of another app the case was made from, "<kind>:<id>" (cases.origins).
    origin_ref = models.CharField(_("made from"), max_length=60, blank=True)
    state = models.CharField(
        _("status"), max_length=20, choices=State.choices, default=State.NEW, db_index=True
    )
    lat = models.FloatField(
        _("latitude"), validators=[MinValueValidator(55.0), MaxValueValidator(69.5)]
    )
    lon = models.FloatField(
        _("longitude"), validators=[MinValueValidator(10.0), MaxValueValidator(25.0)]
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("address or place"), max_length=200, blank=True)
    # False: the nearest address from the municipality's register (core.addresses), public
    # like the position; True: typed by whoever reported it, public once moderated.
    address_typed = models.BooleanField(default=False)
    description = models.TextField(
        _("description"), max_length=DESCRIPTION_MAX, validators=[validate_no_personal_data]
    )
    # Text written by the public is shown publicly only once a moderator approved it.
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.APPROVED
    )
    decided_action = models.TextField(
        _("decided action"),
        max_length=2000,
        blank=True,
        validators=[validate_no_personal_data],
        help_text=_("What will be done, or why nothing will be done. Shown publicly."),
    )
    attributes = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    # Private: never shown, never exported, erased after closing + retention.
    reporter_email = models.EmailField(_("reporter's e-mail"), blank=True)
    token = models.CharField(max_length=32, unique=True, default=new_token)
    open311_key = models.ForeignKey(
        "Open311Key", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    media_url = models.URLField(_("media URL"), blank=True)
    deadline = models.DateField(_("deadline"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["municipality", "state"], name="case_muni_state"),
            models.Index(fields=["municipality", "created_at"], name="case_muni_created"),
            models.Index(fields=["municipality", "lat"], name="case_muni_lat"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.localdate()

    @property
    def public_status(self) -> str:
        """Open311's two-valued status."""
        return "open" if self.state in OPEN_STATES else "closed"

    @property
    def public_description(self) -> str:
        return self.description if self.moderation == Moderation.APPROVED else ""

    def answers(self) -> list[tuple[str, str]]:
        """The answers to the category's extra questions as (question, answer) in words —
        a list's keys shown by their names."""
        questions = {d["code"]: d for d in self.category.attributes}
        shown = []
        for code, value in (self.attributes or {}).items():
            definition = questions.get(code, {})
            names = {str(v["key"]): v.get("name") or v["key"] for v in definition.get("values", [])}
            values = value if isinstance(value, list) else [value]
            shown.append(
                (
                    definition.get("description") or code,
                    ", ".join(str(names.get(str(v), v)) for v in values),
                )
            )
        return shown

    @property
    def public_address(self) -> str:
        """The place text the public may see: the register's address always, a typed one
        once moderated."""
        if self.address_typed and self.moderation != Moderation.APPROVED:
            return ""
        return self.address

    @property
    def responsible(self) -> Organisation:
        return self.owner_organisation


class CaseUpdate(models.Model):
    """A step in a case's history: a note (public or internal), a change of status, a
    reassignment."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(_("time"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(
        _("note"), max_length=2000, blank=True, validators=[validate_no_personal_data]
    )
    is_public = models.BooleanField(_("public"), default=False)
    state_from = models.CharField(max_length=20, choices=State.choices, blank=True)
    state_to = models.CharField(max_length=20, choices=State.choices, blank=True)
    reassigned_from = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reassigned_to = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case update")
        verbose_name_plural = _("case updates")

    def __str__(self) -> str:
        return f"#{self.case_id} {self.at:%Y-%m-%d %H:%M}"


class CaseSubscription(models.Model):
    """A resident who asked for e-mail about a case's progress. Personal data: the
    address is used for nothing else, confirmed by a link sent to it (double opt-in),
    ended by the link in every e-mail, and erased with the case's other personal data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=32, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["case", "email"], name="subscription_unique_email")
        ]

    def __str__(self) -> str:
        return f"subscription {self.pk} to #{self.case_id}"


class CasePhoto(models.Model):
    """A photo of the place, re-encoded as JPEG with its metadata removed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="cases/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    is_public = models.BooleanField(_("shown publicly"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of #{self.case_id}"


class Open311Key(models.Model):
    """An api_key for POSTing to the Open311 API (an app's, not a person's). Only a hash
    is stored; the key is shown once by ``manage.py create_open311_key``."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    requests_per_minute = models.PositiveIntegerField(_("requests per minute"), default=60)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
