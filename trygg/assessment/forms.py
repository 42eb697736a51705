from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.assessment.models import Audience, LagesbildDocument


class DocumentForm(forms.ModelForm):
    class Meta:
        model = LagesbildDocument
        fields = ["date_from", "date_to", "audience", "language", "summary_text", "analysis_text"]
        widgets = {
            "date_from": forms.DateInput(attrs={"type": "date"}),
            "date_to": forms.DateInput(attrs={"type": "date"}),
            "audience": forms.RadioSelect,
            "language": forms.Select(choices=[("sv", "Svenska"), ("en", "English")]),
            "summary_text": forms.Textarea(attrs={"rows": 4}),
            "analysis_text": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "analysis_text": _(
                "Prioritised problems and their causes, in your words. Separate paragraphs "
                "with an empty line. Never names or anything that identifies a person."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Two versions and no blank third: the partners' version unless chosen otherwise.
        self.fields["audience"].choices = Audience.choices
        self.fields["audience"].initial = Audience.PARTNERS

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class DecisionForm(forms.Form):
    """The decision that freezes a version (written by assessment.documents, not here)."""

    decided_by_body = forms.CharField(
        label=LagesbildDocument._meta.get_field("decided_by_body").verbose_name, max_length=200
    )
    decided_on = forms.DateField(
        label=LagesbildDocument._meta.get_field("decided_on").verbose_name,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    minute_reference = forms.CharField(
        label=LagesbildDocument._meta.get_field("minute_reference").verbose_name, max_length=100
    )
