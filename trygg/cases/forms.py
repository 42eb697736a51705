from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from trygg.cases.models import DESCRIPTION_MAX, CaseCategory, State
from trygg.core.models import Organisation, Sensitivity


class PositionMixin(forms.Form):
    """The place, picked on the map (the map writes these hidden fields)."""

    lat = forms.FloatField(widget=forms.HiddenInput, min_value=55.0, max_value=69.5)
    lon = forms.FloatField(widget=forms.HiddenInput, min_value=10.0, max_value=25.0)

    def clean(self):
        data = super().clean()
        if ("lat" in self.errors or "lon" in self.errors) or (
            data.get("lat") is None or data.get("lon") is None
        ):
            self.errors.pop("lat", None)
            self.errors.pop("lon", None)
            self.add_error(None, _("Mark the place on the map."))
        return data


class PhotoField(forms.FileField):
    widget = forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload.size > settings.PHOTO_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The photo is larger than %(mb)s MB.") % {"mb": settings.PHOTO_MAX_MB}
            )
        return upload


class PublicReportForm(PositionMixin):
    category = forms.ModelChoiceField(
        label=_("What is it about?"),
        queryset=CaseCategory.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Describe the place and what feels unsafe"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Do not write names, phone numbers or personal identity numbers."),
    )
    photo = PhotoField(label=_("Photo (optional)"), required=False)
    email = forms.EmailField(
        label=_("Your e-mail, if you want to hear what happens (optional)"),
        required=False,
        help_text=_("Never shown to anyone. Erased some time after the case is closed."),
    )
    # Honeypot: hidden from people (CSS and aria-hidden); bots fill it in.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(CaseCategory.objects.filter(municipality=municipality, is_public=True))
        self.fields["category"].queryset = CaseCategory.objects.filter(
            pk__in=[c.pk for c in categories]
        )
        # A category's extra questions (the same ones Open311 publishes), asked when it
        # is chosen: one group of fields per category that has any.
        self._questions: dict[int, list[tuple[str, dict]]] = {}
        for category in categories:
            for definition in category.attributes:
                name = f"attr-{category.pk}-{definition['code']}"
                self.fields[name] = attribute_field(definition)
                self._questions.setdefault(category.pk, []).append((name, definition))
        self._categories = {c.pk: c for c in categories}

    @property
    def attribute_groups(self):
        """(category, its bound fields) for each category with extra questions."""
        return [
            (self._categories[pk], [self[name] for name, _d in questions])
            for pk, questions in self._questions.items()
        ]

    def clean(self):
        data = super().clean()
        answers = {}
        category = data.get("category")
        for name, definition in self._questions.get(category.pk if category else 0, []):
            value = data.get(name)
            if value in (None, "", []):
                if definition.get("required"):
                    self.add_error(name, _("Answer this question for the chosen category."))
                continue
            answers[definition["code"]] = value if isinstance(value, list) else str(value)
        data["attributes"] = answers
        return data


def attribute_field(definition: dict) -> forms.Field:
    """The form field of an Open311 attribute definition."""
    label = definition.get("description") or definition["code"]
    datatype = definition.get("datatype", "string")
    choices = [
        (str(v["key"]), v.get("name") or str(v["key"])) for v in definition.get("values", [])
    ]
    if datatype == "singlevaluelist":
        return forms.ChoiceField(
            label=label, required=False, choices=[("", _("Choose …")), *choices]
        )
    if datatype == "multivaluelist":
        return forms.MultipleChoiceField(
            label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
        )
    if datatype == "number":
        return forms.FloatField(label=label, required=False)
    return forms.CharField(label=label, required=False, max_length=500)


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail"),
        help_text=_(
            "We send a link to confirm. Used for nothing else; erased some time after the "
            "case is closed, or when you stop following."
        ),
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class StaffCaseForm(PositionMixin):
    category = forms.ModelChoiceField(label=_("Category"), queryset=CaseCategory.objects.none())
    address = forms.CharField(label=_("Address or place"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    sensitivity = forms.ChoiceField(
        label=_("Who may read it"),
        choices=[
            (Sensitivity.PARTNERS, Sensitivity.PARTNERS.label),
            (Sensitivity.PUBLIC, Sensitivity.PUBLIC.label),
        ],
        initial=Sensitivity.PARTNERS,
    )
    photo = PhotoField(label=_("Photo"), required=False)
    create_anyway = forms.BooleanField(
        label=_("None of these: it is a new problem"), required=False
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.filter(municipality=municipality)


class UpdateForm(forms.Form):
    state = forms.ChoiceField(label=_("New status"), required=False)
    text = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_public = forms.BooleanField(
        label=_("Public: shown on the public page and sent to the reporter"),
        required=False,
        initial=True,
    )
    decided_action = forms.CharField(
        label=_("Decided action (public)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, states, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Unchanged"))] + [
            (s, State(s).label) for s in states
        ]
        self.fields["decided_action"].initial = case.decided_action


class ReassignForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Responsible organisation"), queryset=Organisation.objects.none()
    )
    text = forms.CharField(label=_("Why (internal)"), required=False, max_length=2000)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            municipality_id=case.municipality_id, is_active=True
        ).exclude(pk=case.owner_organisation_id)


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Number of the case it duplicates"), min_value=1)


class ModerationForm(forms.Form):
    description = forms.CharField(
        label=_("Text as it will be shown"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(
        label=_("Address as it will be shown"),
        max_length=200,
        required=False,
        help_text=_("Empty: only the area is shown."),
    )


class CaseFilterForm(forms.Form):
    STATUS = [
        ("open", _("Open")),
        ("overdue", _("Overdue")),
        ("closed", _("Closed")),
        ("all", _("All")),
    ]
    status = forms.ChoiceField(label=_("Status"), choices=STATUS, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Responsible"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=CaseCategory.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("A case number, or words from the case, its address, category or area."),
    )
    SORT = [
        ("-created", _("Newest first")),
        ("created", _("Oldest first")),
        ("deadline", _("Deadline first")),
    ]
    sort = forms.ChoiceField(label=_("Order"), choices=SORT, required=False)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            municipality=municipality
        )
        self.fields["category"].queryset = CaseCategory.objects.filter(municipality=municipality)
