"""Fixtures shared by every test module (pytest-django)."""

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
