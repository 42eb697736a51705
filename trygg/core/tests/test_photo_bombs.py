"""Decompression bombs: a small file of huge dimensions is refused from its header, before
any pixel is decoded — at every point where a photo is uploaded."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image

from trygg.core import images


@pytest.fixture(scope="module")
def bombs():
    """A 64-megapixel PNG and JPEG of a few hundred kilobytes."""
    out = {}
    for fmt, mode in (("PNG", "1"), ("JPEG", "L")):
        buffer = io.BytesIO()
        Image.new(mode, (8000, 8000)).save(buffer, fmt)
        out[fmt] = buffer.getvalue()
    return out


def test_the_check_reads_the_header_only(bombs):
    for data in bombs.values():
        assert len(data) < 2_000_000
        with translation.override("sv"), pytest.raises(ValidationError, match="64 megapixlar"):
            images.clean_photo(data)


def test_a_normal_photo_still_passes():
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "#336699").save(buffer, "JPEG")
    clean = images.clean_photo(buffer.getvalue())
    assert max(clean.width, clean.height) == 2048
