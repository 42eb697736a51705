"""Fixtures of the cases tests: the demo municipality with its case categories, routing
rules and housing properties (trygg.cases.demo), but none of its demo cases."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from PIL import Image

from trygg.cases import demo as cases_demo
from trygg.core.models import Organisation, Role

# Points in the demo municipality.
BRO_MUNICIPAL = (59.5150, 17.6450)  # in Bro, outside the housing properties
BRO_HOUSING = (59.5080, 17.6360)  # inside Upplands-Brohus' yard in Bro centrum
OUTSIDE = (59.3293, 18.0686)  # Stockholm


@pytest.fixture
def world(bro, member_of):
    categories = cases_demo._categories(bro)
    cases_demo._routing(bro, categories)
    orgs = {o.name.split(" ")[0].lower(): o for o in Organisation.objects.filter(municipality=bro)}
    teknik = Organisation.objects.get(municipality=bro, name__startswith="Tekniska")
    brohus = Organisation.objects.get(municipality=bro, name="Upplands-Brohus")
    coordination = Organisation.objects.get(municipality=bro, name__startswith="Kommunledning")
    police = Organisation.objects.get(municipality=bro, name__startswith="Polisen")
    return SimpleNamespace(
        municipality=bro,
        categories=categories,
        orgs=orgs,
        teknik=teknik,
        brohus=brohus,
        coordination=coordination,
        police=police,
        coordinator=member_of(coordination, Role.COORDINATOR),
        teknik_member=member_of(teknik, Role.MEMBER, user__email="lampa@teknik.example"),
        brohus_member=member_of(brohus, Role.MEMBER, user__email="drift@brohus.example"),
        police_member=member_of(police, Role.MEMBER),
        reader=member_of(police, Role.READ_ONLY),
    )


def jpeg(
    size=(800, 600), colour="#336699", gps: tuple[float, float] | None = None, **exif
) -> bytes:
    """A JPEG, optionally with EXIF (GPS position, camera make, …)."""
    image = Image.new("RGB", size, colour)
    data = Image.Exif()
    if gps is not None:
        lat, lon = gps

        def dms(value):
            from PIL.TiffImagePlugin import IFDRational

            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60 * 100)
            return (IFDRational(d, 1), IFDRational(m, 1), IFDRational(s, 100))

        data[0x8825] = {1: "N", 2: dms(lat), 3: "E", 4: dms(lon)}
    for tag, value in exif.items():
        data[{"make": 0x010F, "artist": 0x013B}[tag]] = value
    out = io.BytesIO()
    image.save(out, "JPEG", exif=data.tobytes())
    return out.getvalue()
