"""Safety walks (trygghetsvandringar): planned with partners, walked with residents,
captured on a phone, followed up as cases, published as a protocol.

Participants are counts per kind ("12 residents, 2 police officers"), never people.
A finding is a place and what was seen there; it becomes a case routed to whoever must
fix it (trygg.cases).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trygg.cases.models import Case, CaseCategory
from trygg.core.jobs import BackgroundJob
from trygg.core.models import Area, Municipality, Organisation, SensitiveRecord
from trygg.core.pdguard import validate_no_personal_data


class ItemKind(models.TextChoices):
    CHECK = "check", _("Checklist point")
    SCORE = "score", _("Scored 0–3")


class ChecklistTemplate(models.Model):
    """What the walk looks at. ``items``: [{"key", "label", "kind": "check"|"score"}]."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    items = models.JSONField(_("items"), default=list)
    is_default = models.BooleanField(_("default for new walks"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="checklist_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def checks(self) -> list[dict]:
        return [i for i in self.items if i.get("kind") == ItemKind.CHECK]

    def scores(self) -> list[dict]:
        return [i for i in self.items if i.get("kind") == ItemKind.SCORE]


class Light(models.TextChoices):
    DAYLIGHT = "daylight", _("Daylight")
    DUSK = "dusk", _("Dusk")
    DARK = "dark", _("After dark")


class WalkStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    WALKED = "walked", _("Walked")
    PUBLISHED = "published", _("Protocol published")
    CANCELLED = "cancelled", pgettext_lazy("a walk that will not take place", "Cancelled")


# (field, label) of the participant counts.
PARTICIPANT_KINDS = [
    ("residents", _("Residents")),
    ("police", _("Police")),
    ("housing", _("Housing companies")),
    ("municipality_staff", _("Municipality")),
    ("association", _("Associations")),
    ("other", _("Others")),
]


class Walk(SensitiveRecord):
    title = models.CharField(_("title"), max_length=200, validators=[validate_no_personal_data])
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts"))
    light = models.CharField(_("light"), max_length=10, choices=Light.choices, default=Light.DARK)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    meeting_point = models.CharField(
        _("meeting point"), max_length=200, blank=True, validators=[validate_no_personal_data]
    )
    # GeoJSON LineString (WGS84) drawn on the map, and/or stops as a list of names.
    route = models.JSONField(_("route"), null=True, blank=True)
    stops = models.TextField(
        _("stops"),
        blank=True,
        help_text=_("One stop per line."),
        validators=[validate_no_personal_data],
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="+", verbose_name=_("checklist")
    )
    invited = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("invited organisations")
    )
    residents = models.PositiveSmallIntegerField(_("residents"), default=0)
    police = models.PositiveSmallIntegerField(_("police"), default=0)
    housing = models.PositiveSmallIntegerField(_("housing companies"), default=0)
    municipality_staff = models.PositiveSmallIntegerField(_("municipality"), default=0)
    association = models.PositiveSmallIntegerField(_("associations"), default=0)
    other = models.PositiveSmallIntegerField(_("others"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=WalkStatus.choices, default=WalkStatus.PLANNED
    )
    summary = models.TextField(
        _("summary"), blank=True, max_length=4000, validators=[validate_no_personal_data]
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Raised with each change sent to the invited (iCalendar SEQUENCE: trygg.walks.invitations).
    invitation_sequence = models.PositiveIntegerField(default=0, editable=False)
    protocol_pdf = models.FileField(upload_to="walks/protocols/", blank=True)
    protocol_generated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.start_time, timezone.get_current_timezone())

    def has_started(self, at: dt.datetime | None = None) -> bool:
        """Whether the walk's start time has come (by ``at``, default now)."""
        return (at or timezone.now()) >= self.starts_at()

    class Meta:
        ordering = ["-date", "-start_time"]
        verbose_name = _("safety walk")
        verbose_name_plural = _("safety walks")

    def __str__(self) -> str:
        return f"{self.title} {self.date:%Y-%m-%d}"

    @property
    def participants_total(self) -> int:
        return sum(getattr(self, field) for field, _label in PARTICIPANT_KINDS)

    def participants(self) -> list[tuple[str, int]]:
        return [(label, getattr(self, field)) for field, label in PARTICIPANT_KINDS]

    def participants_present(self) -> list[tuple[str, int]]:
        """The kinds of participant that came (no "Others 0")."""
        return [(label, n) for label, n in self.participants() if n]

    def stop_list(self) -> list[str]:
        return [s.strip() for s in self.stops.splitlines() if s.strip()]

    @property
    def protocol_job_or_none(self) -> ProtocolJob | None:
        try:
            return self.protocol_job
        except ProtocolJob.DoesNotExist:
            return None

    @property
    def protocol_pending(self) -> bool:
        job = self.protocol_job_or_none
        return job is not None and job.is_active


class ProtocolJob(BackgroundJob):
    """Making a walk's protocol PDF on the task worker: one row per walk, queued again
    for each new request (``attempts`` counts the runs)."""

    walk = models.OneToOneField(Walk, on_delete=models.CASCADE, related_name="protocol_job")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)

    task_name = "trygg.walks.tasks.generate_protocol"

    class Meta:
        verbose_name = _("protocol job")
        verbose_name_plural = _("protocol jobs")

    def __str__(self) -> str:
        return f"protocol of {self.walk_id} ({self.status})"

    def task_args(self) -> tuple[object, ...]:
        return (self.walk_id,)


class PositionSource(models.TextChoices):
    GPS = "gps", _("Device position")
    MAP = "map", _("Marked on the map")
    PHOTO = "photo", _("From the photo")


class Finding(models.Model):
    """Something seen at a place during a walk. ``client_id`` is made by the phone
    when the finding is captured: it is what makes syncing exactly-once."""

    walk = models.ForeignKey(Walk, on_delete=models.CASCADE, related_name="findings")
    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    lat = models.FloatField(
        _("latitude"), validators=[MinValueValidator(55.0), MaxValueValidator(69.5)]
    )
    lon = models.FloatField(
        _("longitude"), validators=[MinValueValidator(10.0), MaxValueValidator(25.0)]
    )
    position_source = models.CharField(
        _("position from"), max_length=8, choices=PositionSource.choices, default=PositionSource.GPS
    )
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    # The nearest address (or street) from the municipality's register: core.addresses.
    address = models.CharField(_("address"), max_length=200, blank=True)
    category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    checks = models.JSONField(_("checklist"), default=list, blank=True)  # keys ticked
    scores = models.JSONField(_("scores"), default=dict, blank=True)  # key → 0..3
    description = models.TextField(
        _("description"), max_length=2000, blank=True, validators=[validate_no_personal_data]
    )
    masked_personal_data = models.PositiveSmallIntegerField(default=0)
    captured_at = models.DateTimeField(_("captured"))
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    case = models.OneToOneField(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="walk_finding",
        verbose_name=_("case"),
    )

    class Meta:
        ordering = ["captured_at", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"{self.category} ({self.walk})"


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    client_id = models.UUIDField(unique=True)
    image = models.ImageField(upload_to="walks/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # Read from the photo's EXIF before it was stripped (staff captures only).
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"photo {self.client_id}"
