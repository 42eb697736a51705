"""Uploaded photos: checked by content (not by name), re-encoded as JPEG, metadata
removed (docs/privacy.md §7).

EXIF is dropped entirely — camera serials, owner names, times. Only for a staff member
capturing a safety-walk finding is the GPS position read from it (before it is dropped)
and returned, so that the finding can be placed; the stored file never carries it.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
GPS_IFD = 0x8825


@dataclass(frozen=True)
class CleanImage:
    content: bytes  # JPEG, no metadata
    width: int
    height: int
    lat: float | None = None
    lon: float | None = None
    taken_at: dt.datetime | None = None


def _rational(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ZeroDivisionError):
        num, den = value
        return float(num / den)


def _gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    try:
        gps = exif.get_ifd(GPS_IFD)
    except (KeyError, AttributeError):
        return None, None
    # 1/2: latitude ref/value, 3/4: longitude ref/value (degrees, minutes, seconds)
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    try:
        lat = sum(_rational(v) / 60**i for i, v in enumerate(gps[2]))
        lon = sum(_rational(v) / 60**i for i, v in enumerate(gps[4]))
    except (TypeError, ValueError, ZeroDivisionError):
        return None, None
    if gps.get(1) in ("S", b"S"):
        lat = -lat
    if gps.get(3) in ("W", b"W"):
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _taken_at(exif: Image.Exif) -> dt.datetime | None:
    raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal / DateTime
    if not raw:
        return None
    try:
        return dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def clean_photo(data: bytes, *, keep_position: bool = False) -> CleanImage:
    """Check, orient, downscale and re-encode ``data``; ValidationError if not a photo."""
    limit = settings.PHOTO_MAX_MB * 1024 * 1024
    if len(data) > limit:
        raise ValidationError(
            _("The photo is larger than %(mb)s MB.") % {"mb": settings.PHOTO_MAX_MB},
            code="too_large",
        )
    try:
        image = Image.open(io.BytesIO(data))
        image_format = image.format
        if image_format not in ALLOWED_FORMATS:
            raise ValidationError(_("Upload a photo (JPEG, PNG or WebP)."), code="not_an_image")
        # The size is in the header: refuse a decompression bomb (a small file of huge
        # dimensions) before a single pixel is decoded.
        megapixels = image.width * image.height / 1_000_000
        if megapixels > settings.PHOTO_MAX_MEGAPIXELS:
            raise ValidationError(
                _("The photo is %(mp)s megapixels; at most %(max)s are accepted.")
                % {"mp": round(megapixels), "max": settings.PHOTO_MAX_MEGAPIXELS},
                code="too_many_pixels",
            )
        if image_format == "JPEG":
            # Decode at a reduced scale when the photo is far larger than what is kept.
            image.draft("RGB", (settings.PHOTO_MAX_PIXELS, settings.PHOTO_MAX_PIXELS))
        exif = image.getexif()
        lat = lon = None
        if keep_position:
            lat, lon = _gps(exif)
        taken_at = _taken_at(exif) if keep_position else None
        image = ImageOps.exif_transpose(image)
        image.thumbnail((settings.PHOTO_MAX_PIXELS, settings.PHOTO_MAX_PIXELS))
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85, optimize=True)  # no exif= → no metadata
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("The file could not be read as a photo."), code="not_an_image"
        ) from exc
    return CleanImage(
        content=out.getvalue(),
        width=image.width,
        height=image.height,
        lat=lat,
        lon=lon,
        taken_at=taken_at,
    )
