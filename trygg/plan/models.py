"""The action plan (åtgärdsplan) and its follow-up: problem → cause → measure → goal →
owner → deadline → status → indicator → effect. Plus the register of preventive
activities (counts only), citizen pledges (medborgarlöften), the collaboration forum's
meetings and decisions, and the collaboration agreement.

Nothing here describes a person: participants are counts by age band and gender
category; group-violence work (SIG, GVI) is recorded only as aggregate meetings and
counts (docs/privacy.md §1).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trygg.core.models import Area, Municipality, Organisation, SensitiveRecord
from trygg.core.pdguard import validate_no_personal_data

TEXT = {"validators": [validate_no_personal_data]}


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class Problem(SensitiveRecord):
    """A prioritised problem of the lägesbild, with its evidence and causes."""

    title = models.CharField(_("problem"), max_length=200, **TEXT)
    description = models.TextField(_("description"), blank=True, max_length=4000, **TEXT)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="+", verbose_name=_("areas"))
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["priority", "title"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")

    def __str__(self) -> str:
        return self.title


class EvidenceKind(models.TextChoices):
    INCIDENTS = "incidents", _("Incidents (a saved lägesbild filter)")
    HOTSPOT = "hotspot", _("Hotspot")
    SURVEY = "survey", _("Survey result")
    WALK_FINDINGS = "walk_findings", _("Safety-walk findings")
    OTHER = "other", _("Other")


class Evidence(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    label = models.CharField(_("what it shows"), max_length=300, **TEXT)
    link = models.CharField(
        _("link in Trygg"),
        max_length=500,
        blank=True,
        help_text=_("A lägesbild view with its filters, a survey page, a walk."),
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        # A path of this site only: "//other.host/…" and "/\\other.host" are other sites
        # to a browser.
        if self.link and (
            not self.link.startswith("/") or self.link[1:2] in ("/", "\\") or "\\" in self.link
        ):
            raise ValidationError({"link": _("Link to a page in Trygg (starting with /).")})


class Cause(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="causes")
    description = models.CharField(_("cause"), max_length=500, **TEXT)

    class Meta:
        ordering = ["id"]
        verbose_name = _("cause")
        verbose_name_plural = _("causes")

    def __str__(self) -> str:
        return self.description


class ActionPlan(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    title = models.CharField(_("title"), max_length=200, **TEXT)
    period_start = models.DateField(pgettext_lazy("period", "from"))
    period_end = models.DateField(pgettext_lazy("period", "to"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The plan ends before it starts.")})

    @property
    def decided_version(self):
        return self.versions.order_by("-number").first()


class FrozenError(ValidationError):
    pass


class PlanVersion(models.Model):
    """A decided version of a plan: a frozen snapshot of its measures and indicators,
    with the body that decided it, the date and the minute reference."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    decided_by = models.CharField(_("decided by"), max_length=200, **TEXT)
    decided_on = models.DateField(_("decided on"))
    minute_ref = models.CharField(_("minute reference"), max_length=100, blank=True)
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique")
        ]
        verbose_name = _("decided version")
        verbose_name_plural = _("decided versions")

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenError(
                _(
                    "Version %(n)s was decided and is frozen: change the plan and decide a new "
                    "version instead."
                )
                % {"n": self.number}
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError(_("A decided version cannot be deleted."))


class MeasureStatus(models.TextChoices):
    GREEN = "green", _("On track")
    YELLOW = "yellow", _("At risk")
    RED = "red", _("Off track")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Measure(SensitiveRecord):
    """One measure, following Brå's template: cause, measure, operational goal, when,
    who (responsible organisation = owner, and partners), follow-up."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="measures")
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures",
        verbose_name=_("problem"),
    )  # fmt: skip
    cause = models.ForeignKey(
        Cause, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures",
        verbose_name=_("cause"),
    )  # fmt: skip
    title = models.CharField(_("measure"), max_length=200, **TEXT)
    description = models.TextField(_("what is done"), blank=True, max_length=4000, **TEXT)
    goal = models.CharField(_("operational goal"), max_length=500, **TEXT)
    start = models.DateField(_("starts"))
    end = models.DateField(_("ends"))
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("partner organisations")
    )
    follow_up = models.CharField(
        _("follow-up"), max_length=500, blank=True, help_text=_("How and when it is followed up."),
        **TEXT,
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.GREEN
    )
    status_note = models.CharField(_("status comment"), max_length=500, blank=True, **TEXT)
    target_areas = models.ManyToManyField(
        Area, blank=True, related_name="+", verbose_name=_("target areas")
    )
    comparison_area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("comparison area"),
    )  # fmt: skip
    effect_categories = models.JSONField(
        _("incident categories the measure should affect"), default=list, blank=True
    )
    order = models.PositiveIntegerField(default=0)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The measure ends before it starts.")})


class IndicatorKind(models.TextChoices):
    INCIDENTS = "incidents", _("Incident count (categories × areas × period)")
    SURVEY = "survey", _("Survey index")
    ACTIVITIES = "activities", _("Activities (count or participants)")
    CASE_FIX_TIME = "case_fix_time", _("Median days to fix cases")
    MANUAL = "manual", _("Value entered by hand")


class Direction(models.TextChoices):
    DECREASE = "decrease", _("Lower is better")
    INCREASE = "increase", _("Higher is better")


class Indicator(models.Model):
    """How a measure's goal is measured. ``definition`` links it to data:

    * incidents: {"categories": [...], "areas": [ids]} — counted per measurement period;
    * survey: {"question_set": "ntu", "question": "otrygg_kvall", "area": id|null};
    * activities: {"type": "summer_jobs", "what": "participants"|"count", "areas": [ids]};
    * case_fix_time: {"categories": [case category codes]};
    * manual: {} — values entered by hand.
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200, **TEXT)
    kind = models.CharField(_("kind"), max_length=16, choices=IndicatorKind.choices)
    definition = models.JSONField(_("definition"), default=dict, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_label = models.CharField(
        _("baseline period"), max_length=60, blank=True, help_text=_("e.g. 2025")
    )
    # The period the baseline is measured over: once it has passed, an indicator linked to
    # data computes its baseline from it (``baseline_computed``), and recomputes it.
    baseline_from = models.DateField(_("baseline period from"), null=True, blank=True)
    baseline_to = models.DateField(_("baseline period to"), null=True, blank=True)
    baseline_computed = models.BooleanField(_("baseline computed from the data"), default=False)
    target = models.FloatField(_("target"))
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.DECREASE
    )
    period_months = models.PositiveSmallIntegerField(
        _("measured every (months)"), default=12, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["measure", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class Measurement(models.Model):
    """An indicator's value for the period that ends on ``period_end``."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period_start = models.DateField(pgettext_lazy("period", "from"))
    period_end = models.DateField(pgettext_lazy("period", "to"))
    value = models.FloatField(_("value"), null=True, blank=True)
    computed = models.BooleanField(default=False)
    note = models.CharField(_("note"), max_length=300, blank=True, **TEXT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"], name="measurement_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_end}: {self.value}"

    @property
    def is_running(self) -> bool:
        """The period has not ended: its value is not yet comparable with a whole one."""
        return self.period_end >= timezone.localdate()


class ActivityType(models.TextChoices):
    FIELD_ROUND = "field_round", _("Field-worker round")
    SUMMER_JOBS = "summer_jobs", _("Summer jobs")
    HOLIDAY_PROGRAMME = "holiday_programme", _("Holiday programme")
    FILM_DISCUSSION = "film_discussion", _("Film screening with discussion")
    CAREER_EVENT = "career_event", _("Talk or career event")
    SCHOOL_TRAINING = "school_training", _("School-staff training")
    STAFF_INFORMATION = "staff_information", _("Staff information meeting")
    ASSOCIATION = "association", _("Association partnership activity")
    RESIDENT_DIALOGUE = "resident_dialogue", _("Resident dialogue")
    SIG_GVI = "sig_gvi", _("SIG/GVI meeting (aggregate only)")
    SAFETY_WALK = "safety_walk", _("Safety walk")
    OTHER = "other", _("Other")


AGE_FIELDS = ["age_under_13", "age_13_15", "age_16_17", "age_18_24", "age_over_24"]
GENDER_FIELDS = ["girls_women", "boys_men", "gender_other"]


class Activity(SensitiveRecord):
    """A preventive activity: what, when, where, by whom, how many took part (counts
    only), what it cost, which measure it serves, what came of it."""

    type = models.CharField(_("type"), max_length=20, choices=ActivityType.choices)
    title = models.CharField(_("title"), max_length=200, **TEXT)
    start_date = models.DateField(pgettext_lazy("period", "from"))
    end_date = models.DateField(pgettext_lazy("period", "to"))
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("area"),
    )  # fmt: skip
    organisers = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisers")
    )
    participants = models.PositiveIntegerField(_("participants"), default=0)
    age_under_13 = models.PositiveIntegerField(_("under 13"), default=0)
    age_13_15 = models.PositiveIntegerField(_("13–15"), default=0)
    age_16_17 = models.PositiveIntegerField(_("16–17"), default=0)
    age_18_24 = models.PositiveIntegerField(_("18–24"), default=0)
    age_over_24 = models.PositiveIntegerField(_("over 24"), default=0)
    girls_women = models.PositiveIntegerField(_("girls/women"), default=0)
    boys_men = models.PositiveIntegerField(_("boys/men"), default=0)
    gender_other = models.PositiveIntegerField(_("other/not stated"), default=0)
    cost = models.DecimalField(
        _("cost (SEK)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities",
        verbose_name=_("measure"),
    )  # fmt: skip
    outcome = models.TextField(_("outcome"), blank=True, max_length=2000, **TEXT)
    walk = models.ForeignKey(
        "walks.Walk", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("safety walk"),
    )  # fmt: skip
    import_ref = models.CharField(max_length=100, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "import_ref"],
                condition=~models.Q(import_ref=""),
                name="activity_unique_import_ref",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.title}"

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The activity ends before it starts.")
        ages = sum(getattr(self, f) or 0 for f in AGE_FIELDS)
        genders = sum(getattr(self, f) or 0 for f in GENDER_FIELDS)
        if ages and ages != self.participants:
            errors["participants"] = _("The age bands add up to %(n)s, not the participants.") % {
                "n": ages
            }
        if genders and genders != self.participants:
            errors.setdefault("participants", _(
                "The gender categories add up to %(n)s, not the participants."
            ) % {"n": genders})  # fmt: skip
        if errors:
            raise ValidationError(errors)


class Pledge(models.Model):
    """A citizen pledge (medborgarlöfte): what the police and the municipality jointly
    promise the residents for a year, and its follow-up."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200, **TEXT)
    problem = models.TextField(_("the problem"), max_length=2000, **TEXT)
    police_promise = models.TextField(_("the police promise"), max_length=2000, **TEXT)
    municipality_promise = models.TextField(_("the municipality promises"), max_length=2000, **TEXT)
    # Signatories in their public office (a public document's signatures).
    police_signatory = models.CharField(
        _("signed for the police"), max_length=200, blank=True,
        help_text=_("Title, e.g. lokalpolisområdeschef"),
    )  # fmt: skip
    municipality_signatory = models.CharField(
        _("signed for the municipality"), max_length=200, blank=True,
        help_text=_("Title, e.g. kommunstyrelsens ordförande"),
    )  # fmt: skip
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("citizen pledge")
        verbose_name_plural = _("citizen pledges")

    def __str__(self) -> str:
        return f"{self.year}: {self.title}"


class PledgeFollowUp(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="follow_ups")
    half = models.PositiveSmallIntegerField(_("half-year"), choices=[(1, "1"), (2, "2")])
    status = models.CharField(_("status"), max_length=10, choices=MeasureStatus.choices)
    public_text = models.TextField(_("follow-up (public)"), max_length=2000, **TEXT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pledge", "half"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "half"], name="pledgefollowup_unique")
        ]

    def __str__(self) -> str:
        return f"{self.pledge} H{self.half}"


class Body(models.TextChoices):
    COUNCIL = "council", _("Crime-prevention council")
    STEERING = "steering", _("Steering group")
    WORKING = "working", _("Working group")


class Meeting(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    body = models.CharField(_("body"), max_length=10, choices=Body.choices)
    date = models.DateField(_("date"))
    agenda = models.TextField(_("agenda"), blank=True, max_length=4000, **TEXT)
    notes = models.TextField(_("minutes"), blank=True, max_length=8000, **TEXT)
    participants = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisations present")
    )

    class Meta:
        ordering = ["-date"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.date}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"), max_length=2000, **TEXT)
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Agreement(models.Model):
    """The collaboration agreement (samverkansöverenskommelse)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    title = models.CharField(_("title"), max_length=200, **TEXT)
    period_start = models.DateField(pgettext_lazy("period", "from"))
    period_end = models.DateField(pgettext_lazy("period", "to"))
    signatories = models.ManyToManyField(
        Organisation, related_name="+", verbose_name=_("signatories")
    )
    text = models.TextField(_("content"), blank=True, max_length=8000, **TEXT)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("collaboration agreement")
        verbose_name_plural = _("collaboration agreements")

    def __str__(self) -> str:
        return self.title
