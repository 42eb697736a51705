from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from shapely.geometry import shape
from shapely.ops import unary_union

from trygg.core.models import Area, AuditEntry, Membership, Municipality, Notice, Organisation, Role
from trygg.core.permissions import Principal

pytestmark = pytest.mark.django_db


def counts():
    return (
        Municipality.objects.count(),
        Organisation.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        Area.objects.count(),
        Notice.objects.count(),
    )


def test_load_demo_is_idempotent_and_prints_the_logins():
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = counts()
    entries = AuditEntry.objects.count()
    out2 = StringIO()
    call_command("load_demo", stdout=out2)
    assert counts() == first
    assert AuditEntry.objects.count() == entries  # the second run changed nothing
    for username in ("samordnare", "polis", "bostad", "falt", "admin"):
        assert username in out2.getvalue()
    assert "trygg-demo" in out2.getvalue()


def test_demo_users_have_the_documented_roles(demo):
    User = get_user_model()
    expected = {
        "samordnare": (Role.COORDINATOR, "municipal_department"),
        "polis": (Role.MEMBER, "police"),
        "bostad": (Role.MEMBER, "housing"),
        "falt": (Role.FIELD_WORKER, "municipal_department"),
        "admin": (Role.ADMINISTRATOR, "municipal_department"),
    }
    for username, (role, kind) in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password("trygg-demo")
        principal = Principal.for_user(user)
        assert principal.municipality.code == "0139"
        assert (principal.role, principal.organisation.kind) == (role, kind), username


def test_demo_districts_tile_the_municipality_and_are_marked_as_demo(demo):
    areas = list(Area.objects.filter(municipality=demo))
    assert sorted(a.name for a in areas) == ["Bro", "Brunna", "Håtuna", "Kungsängen", "Låssa"]
    shapes = [shape(a.geometry) for a in areas]
    assert all(s.is_valid for s in shapes)
    # Neighbours share their borders, as real districts do: they touch, never overlap ...
    touching = 0
    for i, a in enumerate(shapes):
        for b in shapes[i + 1 :]:
            assert a.intersection(b).area < 1e-9  # square degrees: a few square metres
            touching += a.touches(b) or a.distance(b) < 1e-6
    assert touching >= 4
    # ... and together they cover the municipality without holes between them.
    whole = unary_union([s.buffer(1e-7) for s in shapes])
    assert whole.geom_type == "Polygon" and not whole.interiors
    assert all(a.is_demo for a in areas)
