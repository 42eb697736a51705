"""The municipality's own settings: the public site's texts, logo and colour, and the
retention periods it may choose (``manage_settings``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.core import formats, images
from trygg.core.models import Municipality, SiteProfile
from trygg.core.permissions import Principal
from trygg.core.roles import Permission

PROFILE_FIELDS = (
    "public_title",
    "public_intro",
    "public_about",
    "public_contact",
    "brand_colour",
    "case_email_retention_days",
    "incident_retention_years",
)
# WCAG 2.2 AA for normal text: white text on the colour (buttons, the header).
MIN_CONTRAST = 4.5


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of "#RRGGBB"."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def profile_of(municipality: Municipality) -> SiteProfile:
    profile, _created = SiteProfile.objects.get_or_create(municipality=municipality)
    return profile


def check_settings(principal: Principal, municipality: Municipality) -> None:
    if not principal.has(Permission.MANAGE_SETTINGS) or principal.municipality != municipality:
        raise PermissionDenied("Your role cannot change the municipality's settings.")


@transaction.atomic
def save_profile(
    principal: Principal,
    profile: SiteProfile,
    *,
    publish: bool = False,
    logo: bytes | None = None,
    remove_logo: bool = False,
    **values: Any,
) -> SiteProfile:
    """Change the profile; ``publish`` puts the texts on the public site (until then the
    public site keeps Trygg's standard texts)."""
    check_settings(principal, profile.municipality)
    for key, value in values.items():
        if key in PROFILE_FIELDS:
            setattr(profile, key, value)
    profile.brand_colour = (profile.brand_colour or "").strip().lower()
    profile.full_clean()  # the colour is #rrggbb from here on
    if profile.brand_colour:
        ratio = contrast(profile.brand_colour, "#ffffff")
        if ratio < MIN_CONTRAST:
            raise ValidationError(
                {
                    "brand_colour": _(
                        "White text on %(colour)s has a contrast of %(ratio)s:1; it must be at "
                        "least %(minimum)s:1 to be readable. Choose a darker colour."
                    )
                    % {
                        "colour": profile.brand_colour,
                        "ratio": formats.number(ratio, 1),
                        "minimum": formats.number(MIN_CONTRAST, 1),
                    }
                }
            )
    if remove_logo and profile.logo:
        profile.logo.delete(save=False)
        profile.logo = ""
    if logo is not None:
        # Checked by content and re-encoded without metadata, like every uploaded image.
        try:
            clean = images.clean_photo(logo)
        except ValidationError as exc:
            raise ValidationError({"logo": exc.messages}) from exc
        if profile.logo:
            profile.logo.delete(save=False)
        profile.logo.save("logo.jpg", ContentFile(clean.content), save=False)
    if publish:
        profile.published_at = timezone.now()
    profile.save()
    return profile
