from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from trygg.cases.models import CaseCategory
from trygg.core import formats
from trygg.core.models import Area, Organisation
from trygg.est.importers import MAX_BYTES, MAX_MB, MAX_ROWS
from trygg.est.models import ObservationCategory, Place, ScaleKind, Status
from trygg.est.services import scale

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ReportForm(forms.Form):
    """The ≤ 30 s report: what, where (position, place or area), when, how serious."""

    category = CategoryChoiceField(label=_("What"), queryset=ObservationCategory.objects.none())
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    place = forms.ModelChoiceField(
        label=_("Or a place from the list"), queryset=Place.objects.none(), required=False
    )
    area = forms.ModelChoiceField(
        label=_("Or an area"), queryset=Area.objects.none(), required=False
    )
    occurred_at = forms.DateTimeField(label=_("When"), widget=DATETIME)
    occurred_until = forms.DateTimeField(
        label=_("Until (if it went on for a while)"), required=False, widget=DATETIME
    )
    severity = forms.TypedChoiceField(
        label=_("How serious"), choices=(), coerce=int, initial=1, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Short description"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Places and things, never names or other personal details."),
    )  # fmt: skip
    photo = forms.FileField(
        label=_("Photo (optional)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )  # fmt: skip

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            ObservationCategory.objects.filter(municipality=municipality, is_active=True)
            .select_related("parent")
            .order_by("parent__order", "order", "name")
        )
        self.fields["place"].queryset = Place.objects.filter(municipality=municipality)
        self.fields["area"].queryset = Area.objects.filter(
            municipality=municipality, kind="district"
        )
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

        self.fields["severity"].choices = scale(municipality, ScaleKind.SEVERITY)


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Status.INFO, Status.INFO.label), (Status.ACTION, Status.ACTION.label)],
        widget=forms.RadioSelect,
    )  # fmt: skip
    category = CategoryChoiceField(
        label=_("Category"), queryset=ObservationCategory.objects.none(), required=False
    )
    case_category = forms.ModelChoiceField(
        label=_("Kind of case (needs action)"), queryset=CaseCategory.objects.none(), required=False
    )
    feedback = forms.CharField(label=_("Feedback to the reporter"), required=False, max_length=1000)

    def __init__(self, *args, municipality, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ObservationCategory.objects.filter(
            municipality=municipality
        ).select_related("parent")
        self.fields["case_category"].queryset = CaseCategory.objects.filter(
            municipality=municipality
        )
        # A queue shows one form per report: their choice lists are read once, not per form.
        for name, field_choices in (choices or {}).items():
            self.fields[name].choices = field_choices

    @classmethod
    def shared_choices(cls, municipality) -> dict[str, list]:
        form = cls(municipality=municipality)
        return {name: list(form.fields[name].choices) for name in ("category", "case_category")}


class AssessmentForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), widget=forms.HiddenInput)
    level = forms.TypedChoiceField(label=_("Assessment"), choices=(), coerce=int)
    justification = forms.CharField(label=_("Justification"), required=False, max_length=500)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(municipality=municipality)

        self.fields["level"].choices = scale(municipality, ScaleKind.ASSESSMENT)


class FocusForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(
            municipality=municipality, kind="district"
        )


class ActionForm(forms.Form):
    text = forms.CharField(label=pgettext_lazy("a decided measure", "Action"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Who"), queryset=Organisation.objects.none())
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)
    due = forms.DateField(
        label=pgettext_lazy("deadline", "By"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(
            municipality=municipality, is_active=True
        )
        self.fields["area"].queryset = Area.objects.filter(
            municipality=municipality, kind="district"
        )


class AttendeesForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        label=_("Organisations present"), queryset=Organisation.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = Organisation.objects.filter(
            municipality=municipality, is_active=True
        )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("At most %(mb)s MB and %(rows)s rows.") % {
            "mb": MAX_MB,
            "rows": formats.number(MAX_ROWS),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_MB})
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Send a CSV or XLSX file."))
        return upload
