"""Incidents: the data spine of the lägesbild.

An incident is something that happened at a place and a time, reported by a source (the
police's public events, a housing company's log, the municipality's property damage log,
…). It describes a place, a time and a category — never a person.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trygg.core.jobs import BackgroundJob, JobStatus
from trygg.core.models import (
    Area,
    Municipality,
    Organisation,
    SensitiveRecord,
    Sensitivity,
)
from trygg.core.pdguard import validate_no_personal_data
from trygg.incidents.taxonomy import Category

DESCRIPTION_MAX = 1000


class SourceKind(models.TextChoices):
    POLICE_FEED = "police_feed", _("Police events feed")
    PARTNER_LOG = "partner_log", _("Partner's log")
    MUNICIPAL_LOG = "municipal_log", _("Municipality's own log")
    FIELD_REPORTS = "field_reports", _("Field-worker reports")
    OTHER = "other", _("Other")


class Source(models.Model):
    """Where incidents come from. Each source belongs to an organisation, which owns
    its incidents, and gives them a default sensitivity."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    slug = models.SlugField(_("short name"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    default_sensitivity = models.CharField(
        _("default sensitivity"),
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.PARTNERS,
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="source_unique_slug")
        ]

    def __str__(self) -> str:
        return self.name


# Import jobs have the shape every background job has (trygg.core.jobs).
ImportStatus = JobStatus


class ImportJob(BackgroundJob):
    """One run of an importer: who, when, which file (hash), what it did or why not."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="import_jobs"
    )
    importer = models.CharField(_("importer"), max_length=40)
    file_name = models.CharField(_("file"), max_length=300)
    file_sha256 = models.CharField(_("file hash (SHA-256)"), max_length=64, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_by_label = models.CharField(_("started by"), max_length=200)
    options = models.JSONField(_("options"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    # The first errors and warnings: [{"row": 12, "field": "date", "message": "..."}]
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    upload = models.FileField(_("uploaded file"), upload_to="imports/%Y/%m/", blank=True)

    task_name = "trygg.incidents.tasks.run_import"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.importer} {self.file_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class SourceCoverage(models.Model):
    """A span of days a source is known to report completely: what one import (a file,
    one poll of a feed) covered. A source's coverage is the union of its spans; days
    between spans are gaps (e.g. days a continuous feed was not polled). Comparisons
    across periods use only sources that cover both sides (trygg.incidents.coverage)."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="coverage", verbose_name=_("source")
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    import_job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["source", "date_from"]
        verbose_name = _("source coverage")
        verbose_name_plural = _("source coverage")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "date_from", "date_to"], name="sourcecoverage_unique_span"
            ),
            models.CheckConstraint(
                condition=models.Q(date_from__lte=models.F("date_to")),
                name="sourcecoverage_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}: {self.date_from} – {self.date_to}"


class TimePrecision(models.TextChoices):
    EXACT = "exact", _("Exact")
    HOUR = "hour", _("Hour")
    DAY = "day", _("Day")


class PositionPrecision(models.TextChoices):
    EXACT = "exact", _("Exact")
    STREET = "street", _("Street")
    AREA = "area", _("Area")
    MUNICIPALITY = "municipality", _("Municipality centroid")


class Incident(SensitiveRecord):
    # Incidents are many (millions), written in bulk. Every index and every per-row
    # foreign-key check costs at import time, so the foreign keys that are the same for a
    # whole import (municipality, owner, source, import job) get neither an index of their
    # own (the composite indexes below lead with them) nor a database constraint: the
    # importer takes them from rows it has just read, and the ORM's on_delete (PROTECT /
    # SET_NULL) still guards deletions. The area, which varies per row, keeps its
    # constraint.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
        db_index=False,
        db_constraint=False,
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner organisation"),
        db_index=False,
        db_constraint=False,
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("source"),
        db_index=False,  # the unique (source, source_ref) index leads with it
        db_constraint=False,
    )
    source_ref = models.CharField(_("source reference"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    source_type = models.CharField(_("type at the source"), max_length=150, blank=True)
    occurred_at = models.DateTimeField(_("occurred"))
    occurred_precision = models.CharField(
        _("time precision"), max_length=8, choices=TimePrecision.choices
    )
    # Local (Europe/Stockholm) date, hour and weekday, precomputed for fast aggregation.
    occurred_date = models.DateField(_("date"))
    occurred_hour = models.PositiveSmallIntegerField(
        _("hour"), null=True, blank=True, validators=[MaxValueValidator(23)]
    )
    occurred_weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MaxValueValidator(6)]
    )
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    lat = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(55.0), MaxValueValidator(69.5)],
    )
    lon = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(10.0), MaxValueValidator(25.0)],
    )
    position_precision = models.CharField(
        _("position precision"), max_length=12, choices=PositionPrecision.choices
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("area"),
        db_index=False,  # filtered with the period index; removing an area is rare
    )
    # 250 m grid cell in SWEREF 99 TM: floor(E / 250), floor(N / 250).
    cell_e = models.IntegerField(null=True, blank=True)
    cell_n = models.IntegerField(null=True, blank=True)
    description = models.TextField(
        _("description"),
        max_length=DESCRIPTION_MAX,
        blank=True,
        validators=[validate_no_personal_data],
    )
    counts_in_statistics = models.BooleanField(
        _("counts in statistics"),
        default=True,
        help_text=_("False for the police's daily summaries, which are not incidents."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    import_job = models.ForeignKey(
        ImportJob,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Hash of the imported values: a re-import of an unchanged row writes nothing.
    content_hash = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], name="incident_unique_ref")
        ]
        indexes = [
            # Lists, exports and the hour × weekday profile scan a period; aggregates by
            # category and area read DailyCount instead.
            models.Index(fields=["municipality", "occurred_date"], name="incident_muni_date"),
            # Restricted incidents are counted live (they are not in DailyCount): a partial
            # index holds just them, so it costs nothing for the others.
            models.Index(
                fields=["municipality", "occurred_date"],
                name="incident_restricted_date",
                condition=models.Q(sensitivity="restricted"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.occurred_date} ({self.source_ref})"

    @property
    def is_plottable(self) -> bool:
        """Only positions better than the municipality centroid go on a map as points."""
        return self.lat is not None and self.position_precision != PositionPrecision.MUNICIPALITY


class IncidentRevision(models.Model):
    """What an import changed in an incident (the source updated it in place)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="revisions")
    import_job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.changed_at:%Y-%m-%d %H:%M}"


class DailyCount(models.Model):
    """Summary table: incidents per day × category × area × source × sensitivity.

    Only incidents that count in statistics and are not restricted; rebuilt for the
    affected days after every import. The lägesbild's aggregates read this table, not the
    incidents, so they stay fast at millions of rows.
    """

    # Written in bulk with each import (a national load writes ~5 M rows): as on Incident,
    # the keys that are the same for a whole import (municipality, source) get no index of
    # their own (the (municipality, day) index leads with the municipality) and no database
    # constraint — each cost more than the row itself; the ORM's CASCADE still removes the
    # rows with their municipality or source. The area, which varies per row, keeps both.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()
    category = models.CharField(max_length=16, choices=Category.choices)
    area = models.ForeignKey(Area, null=True, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["municipality", "day"], name="dailycount_muni_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category} {self.count}"


class AgeBand(models.TextChoices):
    UNDER_13 = "under_13", _("under 13")
    AGE_13_15 = "13_15", _("13–15")
    AGE_16_17 = "16_17", _("16–17")
    AGE_18_24 = "18_24", _("18–24")
    OVER_24 = "over_24", _("over 24")


class Observation(models.TextChoices):
    GATHERING = "gathering", _("Gathering of young people")
    DRUG_SIGNS = "drug_signs", _("Signs of drug dealing")
    VANDALISM = "vandalism", _("Vandalism")
    UNREST = "unrest", _("Unrest")
    FIRE = "fire", _("Fire")
    LITTER = "litter", _("Littering")
    NOTHING_NOTABLE = "nothing_notable", _("Nothing notable")


class FieldReport(SensitiveRecord):
    """A field worker's round: where, when, how many young people were met (counts by
    age band, never names) and what was observed. Shown in the lägesbild as
    observations, separate from reported crime."""

    date = models.DateField(_("date"))
    start_time = models.TimeField(pgettext_lazy("time", "from"))
    end_time = models.TimeField(pgettext_lazy("time", "to"))
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    met_under_13 = models.PositiveSmallIntegerField(_("under 13"), default=0)
    met_13_15 = models.PositiveSmallIntegerField(_("13–15"), default=0)
    met_16_17 = models.PositiveSmallIntegerField(_("16–17"), default=0)
    met_18_24 = models.PositiveSmallIntegerField(_("18–24"), default=0)
    met_over_24 = models.PositiveSmallIntegerField(_("over 24"), default=0)
    observations = models.JSONField(_("observed"), default=list)
    note = models.TextField(
        _("note"), max_length=1000, blank=True, validators=[validate_no_personal_data]
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-start_time"]
        verbose_name = _("field-worker report")
        verbose_name_plural = _("field-worker reports")

    def __str__(self) -> str:
        return f"{self.area} {self.date} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def young_people_met(self) -> int:
        return self.met_under_13 + self.met_13_15 + self.met_16_17 + self.met_18_24

    def observation_labels(self) -> list[str]:
        labels = dict(Observation.choices)
        return [str(labels.get(o, o)) for o in self.observations]


# --- Following the police's events feed continuously (trygg.incidents.feed) -------------


class FeedState(models.Model):
    """What the follower knows about one feed address between polls: the validators for a
    conditional request, when it last asked (never twice within 10 s) and the backoff
    after errors. One row per address; national, not per municipality."""

    url = models.CharField(max_length=500, unique=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_request_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)  # in a row
    retry_at = models.DateTimeField(null=True, blank=True)  # backing off until

    def __str__(self) -> str:
        return self.url


class PollStatus(models.TextChoices):
    OK = "ok", _("Fetched")
    NOT_MODIFIED = "not_modified", _("Unchanged since the last poll")
    FAILED = "failed", _("Failed")


class FeedPoll(models.Model):
    """One request to the feed and what came of it: the events it held, what was new or
    changed per municipality, or the error."""

    url = models.CharField(max_length=500)
    started_at = models.DateTimeField(_("polled"))
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PollStatus.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    events_seen = models.PositiveIntegerField(_("events in the feed"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    oldest_published = models.DateTimeField(null=True, blank=True)
    newest_published = models.DateTimeField(null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    # Per municipality code, only where something happened:
    # {"0139": {"new": 2, "changed": 1, "job": 17}} or {"0139": {"error": "…"}}
    results = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("feed poll")
        verbose_name_plural = _("feed polls")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"


class PoliceFeedFollow(models.Model):
    """That a municipality follows the police's events feed continuously, and what it has
    seen of it: ``observed_since`` starts its current unbroken observation (the oldest
    publication of the poll after a gap), ``observed_until`` is when the last poll asked the
    feed (what it saw reached that moment)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    source = models.OneToOneField(Source, on_delete=models.PROTECT, related_name="follow")
    is_active = models.BooleanField(_("followed"), default=True)
    turned_on_at = models.DateTimeField(_("turned on"), default=timezone.now)
    turned_on_by = models.CharField(_("turned on by"), max_length=200, blank=True)
    observed_since = models.DateTimeField(null=True, blank=True)
    observed_until = models.DateTimeField(null=True, blank=True)
    last_poll = models.ForeignKey(
        FeedPoll, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("police feed follow")

    def __str__(self) -> str:
        return f"{self.municipality} ({'on' if self.is_active else 'off'})"


class FeedGap(models.Model):
    """Events published between ``start`` and ``end`` may be missing from the source: the
    feed had moved past them before it was polled again."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="feed_gaps")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("to"))
    poll = models.ForeignKey(FeedPoll, null=True, on_delete=models.SET_NULL, related_name="+")
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("gap in the feed")
        verbose_name_plural = _("gaps in the feed")
        constraints = [
            models.UniqueConstraint(fields=["source", "start"], name="feedgap_unique_start")
        ]

    def __str__(self) -> str:
        return f"{self.source_id}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"
