from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.core.models import Notice, Organisation, Sensitivity


class NoticeForm(forms.ModelForm):
    restricted_to = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Also visible to"),
        help_text=_(
            "Only for restricted notices: the organisations besides yours that may read it."
        ),
    )

    class Meta:
        model = Notice
        fields = ["title", "body", "valid_until", "sensitivity", "restricted_to"]
        widgets = {
            "valid_until": forms.DateInput(attrs={"type": "date"}),
            "body": forms.Textarea(attrs={"rows": 5}),
            "sensitivity": forms.RadioSelect,
        }
        help_texts = {
            "body": _(
                "Describe places, times and what happens — never names, personal "
                "identity numbers, phone numbers or e-mail addresses."
            ),
        }

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = principal
        self.fields["restricted_to"].queryset = Organisation.objects.filter(
            municipality=principal.municipality, is_active=True
        ).exclude(pk=principal.membership.organisation_id)

    def clean(self):
        data = super().clean()
        if data.get("sensitivity") != Sensitivity.RESTRICTED and data.get("restricted_to"):
            self.add_error(
                "restricted_to",
                _("Choose organisations only for a restricted notice."),
            )
        return data

    def _post_clean(self):
        # The owner and municipality are set by the service, not by the form.
        if self.instance.pk is None:
            self.instance.municipality = self.principal.municipality
            self.instance.owner_organisation = self.principal.organisation
        super()._post_clean()
