"""Perceived-safety surveys, stored as results per area, question and group — never as
individual answers (the importer aggregates respondent-level files on the way in)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from trygg.core.models import Area, Municipality
from trygg.surveys.questions import QUESTION_SET_NAMES


class SurveyKind(models.TextChoices):
    RESPONDENTS = "respondents", _("Anonymous answers, aggregated at import")
    AGGREGATE = "aggregate", _("Published aggregate table")


class Survey(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    question_set = models.CharField(
        _("question set"), max_length=20, choices=list(QUESTION_SET_NAMES.items())
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=SurveyKind.choices)
    respondents = models.PositiveIntegerField(_("respondents"), null=True, blank=True)
    response_rate = models.FloatField(_("response rate"), null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["question_set", "year"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "question_set", "year"], name="survey_unique_year"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SurveyResult(models.Model):
    """One index: a question's mean score or share in an area (or the whole municipality
    when ``area`` is empty) for a group (``all``, ``age:16-24``, ``gender:woman`` …).
    ``value`` and its interval are empty when fewer than 30 answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="results")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    question = models.CharField(max_length=40)
    group = models.CharField(max_length=40, default="all")
    n = models.PositiveIntegerField()
    value = models.FloatField(null=True, blank=True)
    sd = models.FloatField(null=True, blank=True)
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "area", "question", "group"], name="survey_result_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.area or '–'} {self.question} {self.group}"
