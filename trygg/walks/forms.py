import json

from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.core.models import Area, Organisation, Sensitivity
from trygg.walks.models import ChecklistTemplate, Walk


class WalkForm(forms.ModelForm):
    route = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Walk
        fields = [
            "title",
            "date",
            "start_time",
            "light",
            "area",
            "meeting_point",
            "stops",
            "route",
            "template",
            "invited",
            "sensitivity",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "stops": forms.Textarea(attrs={"rows": 3}),
            "invited": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = principal.municipality
        self.instance.municipality = municipality
        if not self.instance.pk:
            self.instance.owner_organisation = principal.organisation
        self.fields["area"].queryset = Area.objects.filter(municipality=municipality)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(
            municipality=municipality
        )
        self.fields["invited"].queryset = Organisation.objects.filter(
            municipality=municipality, is_active=True
        )
        self.fields["sensitivity"].choices = [
            (Sensitivity.PARTNERS, Sensitivity.PARTNERS.label),
            (Sensitivity.PUBLIC, Sensitivity.PUBLIC.label),
        ]
        if self.instance.route:
            self.initial["route"] = json.dumps(self.instance.route)

    def clean_route(self):
        raw = self.cleaned_data["route"].strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
            coords = value["coordinates"]
            ok = value.get("type") == "LineString" and all(
                len(c) == 2 and 10 <= c[0] <= 25 and 55 <= c[1] <= 69.5 for c in coords
            )
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise forms.ValidationError(_("The route could not be read: draw it again."))
        return {"type": "LineString", "coordinates": coords} if len(coords) > 1 else None


class ParticipantsForm(forms.ModelForm):
    class Meta:
        model = Walk
        fields = [
            "residents",
            "police",
            "housing",
            "municipality_staff",
            "association",
            "other",
            "summary",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    checks = forms.CharField(
        label=_("Checklist points (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 9}),
        help_text=_("Ticked at a place when they are a problem there."),
    )
    scores = forms.CharField(
        label=_("Scored parameters, 0–3 (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 9}),
        help_text=_("For example Safetipin's: Lighting, Openness, Visibility, …"),
    )
    is_default = forms.BooleanField(label=_("Default for new walks"), required=False)
