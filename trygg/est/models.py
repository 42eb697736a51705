"""The weekly joint situation picture, after the EST method (Effektiv samordning för
trygghet): partners report observations every week, the coordinator reviews them, the
weekly meeting decides focus places and actions, three times a year a deeper (tertial)
analysis ranks the areas for longer-term measures.

An observation describes a place, a time and what was seen — never a person.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from trygg.core.jobs import BackgroundJob
from trygg.core.models import Area, Municipality, Organisation, SensitiveRecord
from trygg.core.pdguard import validate_no_personal_data

TEXT = {"validators": [validate_no_personal_data]}


class ObservationCategory(models.Model):
    """What was observed: a two-level tree fitted to EST practice, configurable by the
    coordinator (e.g. "Skadegörelse" → "Klotter", "Krossat glas")."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
        verbose_name=_("group"),
    )  # fmt: skip
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name (Swedish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_event = models.BooleanField(
        _("an upcoming event"), default=False,
        help_text=_("Reports of this kind are shown as upcoming events in the weekly picture."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("observation category")
        verbose_name_plural = _("observation categories")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="obscategory_unique")
        ]

    def __str__(self) -> str:
        return f"{self.parent.label} – {self.label}" if self.parent_id else self.label

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "sv").startswith("en"):
            return self.name_en
        return self.name

    @property
    def group(self) -> ObservationCategory:
        return self.parent or self


class Place(models.Model):
    """A named place partners report about ("Bro centrum, torget", "Kungsängens
    station"): a quick alternative to a map pin."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=200)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="place_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("the status of one report", "New")
    INFO = "info", _("Information only")
    ACTION = "action", _("Needs action")
    DUPLICATE = "duplicate", _("Duplicate")


class ObservationSource(models.TextChoices):
    FORM = "form", _("Form")
    API = "api", _("API")
    UPLOAD = "upload", _("File upload")


class Observation(SensitiveRecord):
    """A partner's report: what, where, when, how serious. The reporting organisation
    is the owner organisation."""

    category = models.ForeignKey(
        ObservationCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("what")
    )
    lat = models.FloatField(
        _("latitude"), null=True, blank=True,
        validators=[MinValueValidator(55.0), MaxValueValidator(69.5)],
    )  # fmt: skip
    lon = models.FloatField(
        _("longitude"), null=True, blank=True,
        validators=[MinValueValidator(10.0), MaxValueValidator(25.0)],
    )  # fmt: skip
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("area"),
    )  # fmt: skip
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("place"),
    )  # fmt: skip
    # The nearest address (or street) from the municipality's register: core.addresses.
    address = models.CharField(_("address"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("when"))
    occurred_until = models.DateTimeField(_("until"), null=True, blank=True)
    severity = models.PositiveSmallIntegerField(_("how serious"), default=1)
    description = models.TextField(_("description"), blank=True, max_length=1000, **TEXT)
    photo = models.ImageField(_("photo"), upload_to="est/%Y/%m/", blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=8, choices=ObservationSource.choices, default="form")
    client_ref = models.CharField(_("reference in the sender's system"), max_length=100, blank=True)
    status = models.CharField(
        _("review"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("case"),
    )  # fmt: skip
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(_("feedback to the reporter"), blank=True, max_length=1000, **TEXT)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        indexes = [models.Index(fields=["municipality", "occurred_at"], name="obs_muni_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_organisation", "client_ref"],
                condition=~models.Q(client_ref=""),
                name="observation_unique_client_ref",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def is_reviewed(self) -> bool:
        return self.status != Status.NEW


class ScaleKind(models.TextChoices):
    SEVERITY = "severity", _("How serious a report is")
    ASSESSMENT = "assessment", _("The weekly assessment of an area")


class ScaleLevel(models.Model):
    """One step of a scale the coordinator configures: how serious a report is (e.g.
    1 low … 3 high) and the weekly assessment of an area (e.g. 1 normal, 2 elevated,
    3 serious). Higher values are more serious. Without configured steps the defaults
    in ``trygg.est.services.DEFAULT_SCALES`` apply."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    scale = models.CharField(_("scale"), max_length=12, choices=ScaleKind.choices)
    value = models.PositiveSmallIntegerField(
        _("value"), validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 to 5; higher is more serious."),
    )  # fmt: skip
    label = models.CharField(_("name (Swedish)"), max_length=60)
    label_en = models.CharField(_("name (English)"), max_length=60, blank=True)

    class Meta:
        ordering = ["municipality", "scale", "value"]
        verbose_name = _("scale step")
        verbose_name_plural = _("scale steps")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "scale", "value"], name="scalelevel_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scale_display()}: {self.value} {self.label}"


class AreaAssessment(models.Model):
    """The coordinator's assessment of an area for a week, with a short justification."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(53)]
    )
    # A step of the municipality's assessment scale (ScaleLevel, 1 = least serious).
    level = models.PositiveSmallIntegerField(
        _("assessment"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    justification = models.CharField(_("justification"), max_length=500, blank=True, **TEXT)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["iso_year", "iso_week", "area__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "iso_year", "iso_week"], name="areaassessment_unique_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.iso_year}-W{self.iso_week:02d}: {self.level}"


class WeeklyMeeting(models.Model):
    """The partners' weekly operational meeting: who attended, the focus places for the
    coming week, the actions with owner and due date."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    held_on = models.DateField(_("held on"))
    attendees = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisations present")
    )
    notes = models.TextField(_("notes"), blank=True, max_length=4000, **TEXT)
    shared_at = models.DateTimeField(_("shared with the partners"), null=True, blank=True)

    class Meta:
        ordering = ["-iso_year", "-iso_week"]
        verbose_name = _("weekly meeting")
        verbose_name_plural = _("weekly meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "iso_year", "iso_week"], name="weeklymeeting_unique_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"


class FocusPlace(models.Model):
    meeting = models.ForeignKey(WeeklyMeeting, on_delete=models.CASCADE, related_name="focus")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("area"),
    )  # fmt: skip
    place = models.CharField(_("place"), max_length=200, blank=True, **TEXT)
    reason = models.CharField(_("why"), max_length=300, blank=True, **TEXT)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.place or str(self.area)

    @property
    def where(self) -> str:
        """ "Bro torg", "Kungsängens station (Kungsängen)", "Bro": the place, with its
        area when the place's name does not already say it — never "Bro Bro torg"."""
        area = self.area.name if self.area else ""
        if not self.place:
            return area
        if area and area.casefold() not in self.place.casefold():
            return f"{self.place} ({area})"
        return self.place


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("the status of one action", "Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Action(models.Model):
    """Who does what before a date; open actions come back on the next week's agenda."""

    meeting = models.ForeignKey(WeeklyMeeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("action"), max_length=300, **TEXT)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("area"),
    )  # fmt: skip
    due = models.DateField(_("by"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=300, blank=True, **TEXT)

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.text


class TertialAnalysis(models.Model):
    """The deeper analysis three times a year: the computed ranking of areas and the
    coordinator's adjusted ranking with justifications."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    tertial = models.PositiveSmallIntegerField(choices=[(1, "T1"), (2, "T2"), (3, "T3")])
    # [{"area": id, "name", "computed_rank", "rank", "score", "justification"}]
    ranking = models.JSONField(default=list)
    summary = models.TextField(_("summary"), blank=True, max_length=4000, **TEXT)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-tertial"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "tertial"], name="tertial_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} T{self.tertial}"


class ObservationUpload(BackgroundJob):
    """A partner's file of reports (CSV/XLSX from its own system), read and stored by the
    task worker — never inside the request — all or nothing, idempotent by each row's
    ``ref``. The file is deleted once read; the job keeps its name, hash and outcome."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    file = models.FileField(_("uploaded file"), upload_to="uploads/observations/%Y/%m/", blank=True)
    file_name = models.CharField(_("file"), max_length=300)
    file_sha256 = models.CharField(_("file hash (SHA-256)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # The first errors: [{"row": 12, "field": "date", "message": "..."}]
    errors = models.JSONField(_("errors"), default=list, blank=True)

    task_name = "trygg.est.tasks.run_upload"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("upload of reports")
        verbose_name_plural = _("uploads of reports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
