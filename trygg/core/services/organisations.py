"""The collaboration's organisations (``manage_settings``): add, rename, give a contact,
deactivate. An organisation is never deleted — its records stay attributed to it — and it
cannot be deactivated while cases are routed to it."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trygg.core.models import Organisation
from trygg.core.permissions import Principal
from trygg.core.services.site import check_settings

FIELDS = ("name", "kind", "contact_email", "contact_info", "is_active")


@transaction.atomic
def save_organisation(
    principal: Principal, organisation: Organisation | None, **values: Any
) -> Organisation:
    municipality = principal.acting_municipality
    check_settings(principal, municipality)
    if organisation is not None and organisation.municipality_id != municipality.pk:
        raise PermissionDenied("Another municipality's organisation.")
    organisation = organisation or Organisation(municipality=municipality)
    # As stored: a bound ModelForm has already set the form's values on the instance.
    was_active = (
        organisation.pk is None
        or Organisation.objects.filter(pk=organisation.pk, is_active=True).exists()
    )
    for key, value in values.items():
        if key in FIELDS:
            setattr(organisation, key, value)
    organisation.name = organisation.name.strip()
    if (
        Organisation.objects.filter(municipality=municipality, name__iexact=organisation.name)
        .exclude(pk=organisation.pk)
        .exists()
    ):
        raise ValidationError({"name": _("Another organisation has this name.")})
    if was_active and not organisation.is_active:
        if principal.organisation is not None and organisation.pk == principal.organisation.pk:
            raise ValidationError(
                {"is_active": _("You cannot deactivate the organisation you act for.")}
            )
        # Routing rules live in the cases app (above core): found through the registry.
        rules = apps.get_model("cases", "RoutingRule").objects.filter(organisation=organisation)
        if rules.exists():
            raise ValidationError(
                {
                    "is_active": _(
                        "%(n)s routing rules send cases to this organisation: give them to "
                        "another organisation first."
                    )
                    % {"n": rules.count()}
                }
            )
    organisation.full_clean()
    organisation.save()
    return organisation
