from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from trygg.core.models import Area
from trygg.incidents.importers.tabular import FIELDS, PRESETS
from trygg.incidents.models import FieldReport, Observation, Source

IMPORTER_CHOICES = [
    ("incidents", _("A partner's log (CSV or XLSX)")),
    ("polisen", _("The police's public events (JSON)")),
]


class ImportForm(forms.Form):
    importer = forms.ChoiceField(label=_("Kind of file"), choices=IMPORTER_CHOICES)
    file = forms.FileField(label=_("File"))
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=Source.objects.none(),
        required=False,
        help_text=_("For a partner's log: whose log it is."),
    )
    preset = forms.ChoiceField(
        label=_("Column mapping"),
        choices=[(p, p) for p in PRESETS],
        initial="standard",
    )
    mapping = forms.CharField(
        label=_("Extra column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One COLUMN=FIELD per line. Fields: %(fields)s.")
        % {"fields": ", ".join(FIELDS)},
    )
    encoding = forms.ChoiceField(
        label=_("Text encoding (CSV)"),
        choices=[
            ("utf-8", "UTF-8"),
            ("cp1252", "Windows-1252 (Excel)"),
            ("iso-8859-1", "ISO-8859-1"),
        ],
        initial="utf-8",
    )

    covers_from = forms.DateField(
        label=_("The file reports everything from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "For a partner's log: the whole period the file covers, even days with nothing "
            "reported (e.g. all of October). Empty: from its first to its last row. "
            "Comparisons between periods use only sources that cover both."
        ),
    )
    covers_to = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.filter(municipality=municipality).exclude(
            slug="polisen"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": settings.IMPORT_MAX_UPLOAD_MB}
            )
        name = upload.name.lower()
        if not name.endswith((".csv", ".txt", ".xlsx", ".json")):
            raise forms.ValidationError(_("Upload a .csv, .xlsx or .json file."))
        return upload

    def clean_mapping(self):
        pairs = {}
        for line in self.cleaned_data["mapping"].splitlines():
            if not line.strip():
                continue
            column, sep, field = line.rpartition("=")
            if not sep or not column.strip() or field.strip() not in FIELDS:
                raise forms.ValidationError(
                    _("Write each line as COLUMN=FIELD, with a field from the list: %(line)s")
                    % {"line": line}
                )
            pairs[column.strip()] = field.strip()
        return pairs

    def clean(self):
        data = super().clean()
        if data.get("importer") == "incidents" and not data.get("source"):
            self.add_error("source", _("Choose whose log the file is."))
        start, end = data.get("covers_from"), data.get("covers_to")
        if bool(start) != bool(end):
            self.add_error("covers_to", _("Give both the first and the last day, or neither."))
        elif start and end and start > end:
            self.add_error("covers_to", _("The period ends before it starts."))
        return data


class FieldReportForm(forms.ModelForm):
    observations = forms.MultipleChoiceField(
        label=_("Observed"),
        choices=Observation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )

    class Meta:
        model = FieldReport
        fields = [
            "date",
            "start_time",
            "end_time",
            "area",
            "met_under_13",
            "met_13_15",
            "met_16_17",
            "met_18_24",
            "met_over_24",
            "observations",
            "note",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
            "note": forms.Textarea(attrs={"rows": 3}),
            **{
                f: forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
                for f in ("met_under_13", "met_13_15", "met_16_17", "met_18_24", "met_over_24")
            },
        }
        help_texts = {
            "note": _("What you saw and where — never names or anything that identifies a person."),
        }

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = principal
        self.fields["area"].queryset = Area.objects.filter(
            municipality=principal.municipality
        ).order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and start == end:
            self.add_error("end_time", _("The round must last some time."))
        observed = data.get("observations") or []
        if Observation.NOTHING_NOTABLE in observed and len(observed) > 1:
            self.add_error(
                "observations", _("'Nothing notable' cannot be combined with other observations.")
            )
        return data

    def _post_clean(self):
        if self.instance.pk is None:
            self.instance.municipality = self.principal.municipality
            self.instance.owner_organisation = self.principal.organisation
        super()._post_clean()
