"""Fixtures shared by every test module (pytest-django)."""

import json

import pytest

from trygg.core.permissions import Principal
from trygg.core.tests.factories import MembershipFactory, OrganisationFactory


@pytest.fixture
def member_of():
    """member_of(org, role) -> Principal of a new user with that membership."""

    def make(organisation, role, **kwargs):
        membership = MembershipFactory(organisation=organisation, role=role, **kwargs)
        return Principal(user=membership.user, membership=membership)

    return make


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def demo(db):
    """The demo municipality (load_demo), as in make demo."""
    from trygg.core import demo as demo_data

    return demo_data.load()


@pytest.fixture
def write_file(tmp_path):
    def write(content, name="events.json"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        return str(path)

    return write
