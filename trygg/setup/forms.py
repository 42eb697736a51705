from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.cases.forms import PositionMixin
from trygg.cases.models import CaseCategory, Land
from trygg.cases.services.settings import DATATYPES
from trygg.core.models import Area, AreaKind, Organisation, OrganisationKind, Role, SiteProfile
from trygg.core.vector import ACCEPTED
from trygg.est.models import ObservationCategory

MAX_UPLOAD_MB = 50


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "contact_email", "contact_info", "is_active"]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles: list[Role], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        if Role.MEMBER in roles:
            self.fields["role"].initial = Role.MEMBER


class AreaUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Map file"),
        help_text=_(
            "GeoPackage (.gpkg), Shapefile (all its files in one .zip) or GeoJSON, in the "
            "coordinate system it was exported in: SWEREF 99 TM, SWEREF 99 18 00 or another "
            "local zone, RT 90 or WGS 84."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED.replace(" (Shapefile)", "")}),
    )
    kind = forms.ChoiceField(label=_("The areas are"), choices=AreaKind.choices)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_MB}
            )
        return upload


class AreaFieldsForm(forms.Form):
    """Which of the file's columns holds the name, the code and the population."""

    name_field = forms.ChoiceField(label=_("Name column"))
    code_field = forms.ChoiceField(label=_("Code column"), required=False)
    population_field = forms.ChoiceField(label=_("Population column"), required=False)

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c, c) for c in columns]
        none = [("", _("(none)"))]
        self.fields["name_field"].choices = choices
        self.fields["code_field"].choices = none + choices
        self.fields["population_field"].choices = none + choices


class PopulationForm(forms.Form):
    file = forms.FileField(
        label=_("Table from SCB"),
        help_text=_(
            "CSV or XLSX exported from Statistikdatabasen, e.g. “Folkmängden per region "
            "efter ålder och kön” per DeSO, RegSO or your own areas' names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1968,
        max_value=2100,
        help_text=_("Only this year of the table; needed when the table does not say."),
    )


class CategoryForm(forms.ModelForm):
    class Meta:
        model = CaseCategory
        fields = [
            "name",
            "name_en",
            "description",
            "group",
            "deadline_months",
            "is_public",
            "order",
        ]


class QuestionForm(forms.Form):
    """One extra question of a category (an Open311 attribute)."""

    code = forms.CharField(required=False, widget=forms.HiddenInput)
    question = forms.CharField(label=_("Question"), required=False, max_length=200)
    datatype = forms.ChoiceField(
        label=_("Answer"),
        choices=list(
            zip(
                DATATYPES,
                [_("Short text"), _("Longer text"), _("Number"), _("One of the choices")],
                strict=True,
            )
        ),
        initial="string",
    )
    required = forms.BooleanField(label=_("Must be answered"), required=False)
    choices = forms.CharField(label=_("Choices (separated by ;)"), required=False, max_length=500)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, max_num=12)


class MergeForm(forms.Form):
    merge_into = forms.ModelChoiceField(
        label=_("Move its cases to"), queryset=CaseCategory.objects.none(), required=False
    )

    def __init__(self, *args, category: CaseCategory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merge_into"].queryset = CaseCategory.objects.filter(
            municipality_id=category.municipality_id
        ).exclude(pk=category.pk)


class RuleForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=CaseCategory.objects.none(),
        required=False,
        empty_label=_("Every category"),
    )
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.none(), required=False, empty_label=_("Every area")
    )
    land = forms.ChoiceField(label=_("Land"), choices=Land.choices, initial=Land.ANY)
    organisation = forms.ModelChoiceField(
        label=_("Responsible organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("The property's owner"),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.filter(municipality=municipality)
        self.fields["area"].queryset = Area.objects.filter(
            municipality=municipality, kind=AreaKind.DISTRICT
        )
        self.fields["organisation"].queryset = Organisation.objects.filter(
            municipality=municipality, is_active=True
        )


class RouteTestForm(PositionMixin):
    category = forms.ModelChoiceField(label=_("Category"), queryset=CaseCategory.objects.none())

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.filter(municipality=municipality)


class SiteForm(forms.ModelForm):
    logo_file = forms.ImageField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPEG, shown at the top of the public site."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = SiteProfile
        fields = [
            "public_title",
            "public_intro",
            "public_about",
            "public_contact",
            "brand_colour",
            "case_email_retention_days",
            "incident_retention_years",
        ]
        widgets = {
            "brand_colour": forms.TextInput(
                attrs={"placeholder": "#005a8c", "pattern": "#[0-9a-fA-F]{6}", "size": 8}
            ),
            "public_intro": forms.Textarea(attrs={"rows": 4}),
            "public_about": forms.Textarea(attrs={"rows": 6}),
        }


class AcceptForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


KIND_LABELS = dict(OrganisationKind.choices)


class ObservationCategoryForm(forms.ModelForm):
    class Meta:
        model = ObservationCategory
        fields = ["name", "name_en", "parent", "is_event", "is_active", "order"]

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        groups = ObservationCategory.objects.filter(municipality=municipality, parent__isnull=True)
        if self.instance.pk:
            groups = groups.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = groups
        self.fields["parent"].empty_label = _("(a group of its own)")


class ObservationMergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Move its reports to"), queryset=ObservationCategory.objects.none()
    )

    def __init__(self, *args, category, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = ObservationCategory.objects.filter(
            municipality_id=category.municipality_id
        ).exclude(pk=category.pk)


class PlaceForm(PositionMixin):
    name = forms.CharField(label=_("Name of the place"), max_length=200)


class ScaleForm(forms.Form):
    """The wording of one scale's three steps."""

    def __init__(self, *args, steps: list[tuple[int, str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label, label_en in steps:
            self.fields[f"label_{value}"] = forms.CharField(
                label=_("Step %(n)s (Swedish)") % {"n": value}, initial=label, max_length=60
            )
            self.fields[f"label_en_{value}"] = forms.CharField(
                label=_("Step %(n)s (English)") % {"n": value},
                initial=label_en,
                max_length=60,
                required=False,
            )


class PropertyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Map file of the properties"),
        help_text=_("GeoPackage, zipped Shapefile or GeoJSON, as for areas."),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Organisation.objects.none())
    name_field = forms.CharField(
        label=_("Name column"),
        required=False,
        max_length=60,
        help_text=_("Empty: the column that looks like a name."),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(
            municipality=municipality, is_active=True
        )
