from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.cases.models import CaseCategory
from trygg.core.forms import DependentSelect
from trygg.core.models import Area, Organisation, Sensitivity
from trygg.core.permissions import Permission
from trygg.incidents.taxonomy import Category
from trygg.plan.models import (
    ActionPlan,
    Activity,
    ActivityType,
    Cause,
    Evidence,
    Indicator,
    IndicatorKind,
    Measure,
    Meeting,
    Pledge,
    PledgeFollowUp,
    Problem,
)
from trygg.surveys.questions import QUESTION_SET_NAMES, QUESTION_SETS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SENSITIVITY_CHOICES = [
    (Sensitivity.PUBLIC, Sensitivity.PUBLIC.label),
    (Sensitivity.PARTNERS, Sensitivity.PARTNERS.label),
]


class MunicipalForm(forms.ModelForm):
    """A ModelForm whose choices of areas and organisations are the municipality's."""

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = principal
        municipality = principal.municipality
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if qs is None:
                continue
            if qs.model is Area:
                field.queryset = Area.objects.filter(municipality=municipality)
            elif qs.model is Organisation:
                field.queryset = Organisation.objects.filter(
                    municipality=municipality, is_active=True
                )
            elif qs.model in (ActionPlan,):
                field.queryset = ActionPlan.objects.filter(municipality=municipality)
            elif qs.model is Problem:
                # A prefetch makes the choice iterator evaluate the queryset itself (so
                # reads of restricted rows are audited) instead of calling .iterator().
                field.queryset = Problem.objects.visible_to(principal).prefetch_related("areas")
            elif qs.model is Cause:
                # Only the causes of problems the principal may read (a restricted
                # problem's causes are as restricted as it).
                visible = Problem.objects.visible_to(principal).values("pk")
                field.queryset = Cause.objects.filter(problem__in=visible)
            elif qs.model._meta.label == "walks.Walk":
                field.queryset = qs.model.objects.visible_to(principal).prefetch_related("invited")
            elif qs.model is Measure:
                field.queryset = Measure.objects.visible_to(principal).prefetch_related("partners")
        if "sensitivity" in self.fields:
            self.fields["sensitivity"].choices = SENSITIVITY_CHOICES
        if not self.instance.pk and hasattr(self.instance, "municipality_id"):
            self.instance.municipality = municipality
            if (
                hasattr(self.instance, "owner_organisation_id")
                and not self.instance.owner_organisation_id
            ):
                self.instance.owner_organisation = principal.organisation


class ProblemForm(MunicipalForm):
    class Meta:
        model = Problem
        fields = ["title", "description", "priority", "areas", "sensitivity"]
        widgets = {
            "areas": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["kind", "label", "link"]


class CauseForm(forms.ModelForm):
    class Meta:
        model = Cause
        fields = ["description"]


class PlanForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["title", "period_start", "period_end"]
        widgets = {"period_start": DATE, "period_end": DATE}


class MeasureForm(MunicipalForm):
    effect_categories = forms.MultipleChoiceField(
        label=_("Incident categories the measure should affect"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With target and comparison areas, Trygg estimates the measure's effect."),
    )

    class Meta:
        model = Measure
        fields = [
            "plan", "problem", "cause", "title", "description", "goal", "start", "end",
            "owner_organisation", "partners", "follow_up", "status", "status_note",
            "target_areas", "comparison_area", "effect_categories", "sensitivity",
        ]  # fmt: skip
        labels = {"owner_organisation": _("Responsible organisation")}
        widgets = {
            "start": DATE,
            "end": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.CheckboxSelectMultiple,
            "target_areas": forms.CheckboxSelectMultiple,
            # Only the chosen problem's causes are offered.
            "cause": DependentSelect("id_problem", "problem_id"),
        }

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, principal=principal, **kwargs)

        if not principal.has(Permission.MANAGE_PLAN):
            # Members plan measures for their own organisation.
            self.fields["owner_organisation"].queryset = Organisation.objects.filter(
                pk=principal.organisation.pk
            )
        self.fields["owner_organisation"].initial = principal.organisation

    def clean(self):
        data = super().clean()
        cause, problem = data.get("cause"), data.get("problem")
        if cause and problem and cause.problem_id != problem.pk:
            self.add_error("cause", _("The cause belongs to another problem."))
        return data


class StatusForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["status", "status_note"]


class IndicatorForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Incident categories"), choices=Category.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas (none: the whole municipality)"), queryset=Area.objects.none(),
        required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    survey_question = forms.ChoiceField(label=_("Survey question"), required=False)
    activity_type = forms.ChoiceField(
        label=_("Activity type"), required=False,
        choices=[("", _("All types")), *ActivityType.choices],
    )  # fmt: skip
    activity_what = forms.ChoiceField(
        label=_("Count"), required=False,
        choices=[("participants", _("participants")), ("count", _("activities"))],
    )  # fmt: skip
    case_categories = forms.ModelMultipleChoiceField(
        label=_("Case categories"), queryset=CaseCategory.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = Indicator
        fields = ["name", "kind", "unit", "baseline", "baseline_label", "baseline_from",
                  "baseline_to", "target", "direction", "period_months"]  # fmt: skip
        widgets = {
            "baseline_from": forms.DateInput(attrs={"type": "date"}),
            "baseline_to": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "baseline_from": _(
                "Indicators linked to data compute their baseline from this period once it "
                "has passed (leave the baseline empty)."
            ),
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Area.objects.filter(municipality=municipality)
        self.fields["case_categories"].queryset = CaseCategory.objects.filter(
            municipality=municipality
        )
        # Grouped under each survey's name (never its key, "polisen: …").
        self.fields["survey_question"].choices = [("", _("Choose …"))] + [
            (
                QUESTION_SET_NAMES[set_name],
                [(f"{set_name}:{code}", q.label) for code, q in questions.items()],
            )
            for set_name, questions in QUESTION_SETS.items()
        ]
        d = self.instance.definition or {}
        if self.instance.pk:
            self.initial.update(
                categories=d.get("categories", []),
                areas=d.get("areas", []),
                survey_question=f"{d['question_set']}:{d['question']}" if d.get("question") else "",
                activity_type=d.get("type", ""),
                activity_what=d.get("what", "participants"),
            )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == IndicatorKind.INCIDENTS:
            definition = {
                "categories": data.get("categories") or [],
                "areas": [a.pk for a in data.get("areas") or []],
            }
        elif kind == IndicatorKind.SURVEY:
            if not data.get("survey_question"):
                self.add_error("survey_question", _("Choose the survey question."))
                return data
            question_set, question = data["survey_question"].split(":", 1)
            areas = data.get("areas") or []
            definition = {
                "question_set": question_set,
                "question": question,
                "area": areas[0].pk if len(areas) == 1 else None,
            }
        elif kind == IndicatorKind.ACTIVITIES:
            definition = {
                "type": data.get("activity_type") or "",
                "what": data.get("activity_what") or "participants",
                "areas": [a.pk for a in data.get("areas") or []],
            }
        elif kind == IndicatorKind.CASE_FIX_TIME:
            definition = {"categories": [c.code for c in data.get("case_categories") or []]}
        else:
            definition = {}
        self.instance.definition = definition
        return data


class MeasurementForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=DATE)
    period_end = forms.DateField(label=_("To"), widget=DATE)
    value = forms.FloatField(label=_("Value"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class DecideForm(forms.Form):
    decided_by = forms.CharField(label=_("Decided by (body)"), max_length=200,
                                 initial=_("Kommunstyrelsen"))  # fmt: skip
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DATE)
    minute_ref = forms.CharField(label=_("Minute reference"), max_length=100, required=False)


class ActivityForm(MunicipalForm):
    class Meta:
        model = Activity
        fields = [
            "type", "title", "start_date", "end_date", "area", "organisers", "participants",
            "age_under_13", "age_13_15", "age_16_17", "age_18_24", "age_over_24",
            "girls_women", "boys_men", "gender_other", "cost", "measure", "walk", "outcome",
            "sensitivity",
        ]  # fmt: skip
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "organisers": forms.CheckboxSelectMultiple,
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }


class ActivityImportForm(forms.Form):
    file = forms.FileField(label=_("File (XLSX or CSV)"))
    encoding = forms.ChoiceField(
        label=_("Text encoding (CSV)"),
        choices=[("utf-8", "UTF-8"), ("cp1252", "Windows-1252 (Excel)")],
        initial="utf-8",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .xlsx or .csv file."))
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": 20})
        return upload


class PledgeForm(forms.ModelForm):
    class Meta:
        model = Pledge
        fields = ["year", "title", "problem", "police_promise", "municipality_promise",
                  "police_signatory", "municipality_signatory", "signed_on"]  # fmt: skip
        widgets = {
            "signed_on": DATE,
            "problem": forms.Textarea(attrs={"rows": 3}),
            "police_promise": forms.Textarea(attrs={"rows": 3}),
            "municipality_promise": forms.Textarea(attrs={"rows": 3}),
        }


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = PledgeFollowUp
        fields = ["half", "status", "public_text"]
        widgets = {"public_text": forms.Textarea(attrs={"rows": 3})}


class MeetingForm(MunicipalForm):
    decisions = forms.CharField(
        label=_("Decisions (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Meeting
        fields = ["body", "date", "agenda", "notes", "participants"]
        widgets = {
            "date": DATE,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "participants": forms.CheckboxSelectMultiple,
        }
