from io import StringIO

import pytest
from django.core.management import call_command

from trygg.core.models import OrganisationKind
from trygg.core.tests.factories import MunicipalityFactory, OrganisationFactory


@pytest.fixture
def linkoping(db):
    municipality = MunicipalityFactory(code="0580", name="Linköping")
    OrganisationFactory(municipality=municipality, name="Polisen", kind=OrganisationKind.POLICE)
    return municipality


@pytest.fixture
def run_command():
    def run(*args):
        out, err = StringIO(), StringIO()
        call_command(*args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    return run
