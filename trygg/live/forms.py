from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trygg.core.models import Organisation
from trygg.live.services.followup import ACTION_KINDS


class FollowUpActionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Action to take"),
        choices=[*ACTION_KINDS.items(), ("other", _("Another action (describe it)"))],
    )
    text = forms.CharField(label=_("Describe it (optional)"), max_length=250, required=False)
    owner = forms.ModelChoiceField(label=_("Who"), queryset=Organisation.objects.none())
    due = forms.DateField(label=_("Done by"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, municipality, until: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(
            municipality=municipality, is_active=True
        ).order_by("name")
        self.fields["due"].initial = max(until, timezone.localdate())


class RuleForm(forms.Form):
    """One family's rule: alert or not, and which organisations hear of it."""

    is_active = forms.BooleanField(label=_("Alert"), required=False)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations alerted"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(
            municipality=municipality, is_active=True
        ).order_by("name")
