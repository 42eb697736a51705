from io import StringIO

import pytest
from django.core.management import call_command

from trygg.core.models import Organisation
from trygg.incidents.models import Source


@pytest.fixture
def run_command():
    def run(*args):
        out, err = StringIO(), StringIO()
        call_command(*args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    return run


@pytest.fixture
def housing(bro):
    """Upplands-Brohus' log of incidents (a housing company's source)."""
    return Source.objects.create(
        municipality=bro,
        slug="upplands-brohus",
        name="Upplands-Brohus felanmälan",
        kind="partner_log",
        owner_organisation=Organisation.objects.get(name="Upplands-Brohus"),
    )
