"""Fixtures shared by every test module (pytest-django)."""

import json

import pytest

from trygg.core.permissions import Principal
from trygg.core.tests.factories import MembershipFactory, OrganisationFactory


def pytest_addoption(parser):
    parser.addoption(
        "--runtime-install",
        action="store_true",
        help="run the runtime-install tests (a fresh venv with pip install .; make test runs them)",
    )


def pytest_ignore_collect(collection_path, config):
    """tests/install/ runs only when asked for (make test asks, once per run)."""
    if collection_path.name == "install" and collection_path.parent.name == "tests":
        return not config.getoption("--runtime-install")
    return None


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
    """The demo municipality (load_demo), as in make demo — without its 7 000 synthetic
    address points (half a second a test); ``demo_addresses`` adds them."""
    from trygg.core import demo as demo_data

    return demo_data.load(addresses=False)


@pytest.fixture
def demo_addresses(demo):
    """The demo municipality with its synthetic address register loaded."""
    from trygg.core import demo as demo_data

    demo_data.load_addresses(demo)
    return demo


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


@pytest.fixture
def linkoping(db):
    """A second municipality (Linköping) with its police organisation."""
    from trygg.core.models import OrganisationKind
    from trygg.core.tests.factories import MunicipalityFactory, OrganisationFactory

    municipality = MunicipalityFactory(code="0580", name="Linköping")
    OrganisationFactory(municipality=municipality, name="Polisen", kind=OrganisationKind.POLICE)
    return municipality


@pytest.fixture
def bro(demo):
    """The demo municipality by its name: Upplands-Bro."""
    return demo


@pytest.fixture
def run_worker(monkeypatch):
    """Run the real task worker over the queue, once. The worker closes "old" database
    connections between tasks; inside a test's transaction that would close the test's
    own connection (PostgreSQL), so that call is made a no-op here."""
    from django.core.management import call_command

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def page_queries(client):
    """page_queries(url) -> how many database queries one GET of ``url`` takes (it must
    answer 200). Query-count guards compare two sizes of the same data, as linkedevents'
    "adding a child does not add a query": the count may not grow with the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        return len(captured)

    return count


@pytest.fixture
def artifacts_dir():
    """Where tests leave pictures for people to look at (PDF pages, screenshots)."""
    from pathlib import Path

    path = Path(__file__).resolve().parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
