"""A case is never more open than the record it was made from: a restricted walk's finding
or a restricted observation becomes a case restricted to the origin's organisations (and
the one routed to fix it); a partners' record gives a partners' case; what the public
reports is public. Through each origin's own path."""

import uuid

from django.utils import timezone

from trygg.cases import services
from trygg.cases.models import Case, Origin
from trygg.core.models import Sensitivity
from trygg.core.permissions import can_view
from trygg.walks import services as walk_services
from trygg.walks.tests.conftest import finding_payload
from trygg.walks.tests.conftest import walk as walk


def test_a_restricted_walks_finding_becomes_a_restricted_case(world, walk):
    walk.sensitivity = Sensitivity.RESTRICTED
    walk.save()
    walk.restricted_to.set([world.police])
    finding, _created = walk_services.sync_finding(
        walk, world.coordinator, uuid.uuid4(), finding_payload(world)
    )
    case = finding.case
    assert case.sensitivity == Sensitivity.RESTRICTED
    assert case.owner_organisation == world.brohus  # routed to whoever must fix it
    assert set(case.restricted_to.all()) == {world.coordination, world.police}
    assert can_view(world.police_member, case) and can_view(world.coordinator, case)
    assert not can_view(world.teknik_member, case)  # neither the walk's nor the fixer's


def test_a_partners_walk_gives_a_partners_case_and_a_public_walk_a_public_one(world, walk):
    for sensitivity in (Sensitivity.PARTNERS, Sensitivity.PUBLIC):
        walk.sensitivity = sensitivity
        walk.save()
        finding, _created = walk_services.sync_finding(
            walk, world.coordinator, uuid.uuid4(), finding_payload(world)
        )
        assert finding.case.sensitivity == sensitivity


def test_a_restricted_observation_becomes_a_restricted_case(world):
    from trygg.est import services as est_services
    from trygg.est.models import Observation, ObservationCategory, Status

    category = ObservationCategory.objects.create(
        municipality=world.municipality, code="klotter", name="Klotter", name_en="Graffiti"
    )
    observation = Observation.objects.create(
        municipality=world.municipality,
        owner_organisation=world.police,
        sensitivity=Sensitivity.RESTRICTED,
        category=category,
        occurred_at=timezone.now(),
        lat=59.5080,
        lon=17.6360,
        description="Klotter på tunneln",
    )
    observation.restricted_to.set([world.coordination])  # the police named the coordinator
    est_services.review(
        observation, world.coordinator, status=Status.ACTION,
        case_category=world.categories["klotter"],
    )  # fmt: skip
    case = Case.objects.get()
    assert case.sensitivity == Sensitivity.RESTRICTED
    readers = {case.owner_organisation, *case.restricted_to.all()}
    assert {world.police, world.coordination} <= readers  # the observation's organisations
    others = [m for m in (world.brohus_member, world.teknik_member)
              if m.organisation not in readers]  # fmt: skip
    assert others and not any(can_view(m, case) for m in others)


def test_what_the_public_reports_is_public(world):
    case = services.create_case(
        world.municipality, category=world.categories["belysning"], lat=59.5080, lon=17.6360,
        description="Trasig lampa", origin=Origin.PUBLIC,
    )  # fmt: skip
    assert case.sensitivity == Sensitivity.PUBLIC


def test_a_restricted_case_stays_readable_by_the_organisation_that_made_it(world):
    """Found by the leak matrix: a police officer's restricted case was routed to the
    housing company and the police could no longer open their own case."""
    case = services.create_case(
        world.municipality, category=world.categories["belysning"], lat=59.5080, lon=17.6360,
        description="Oro vid porten", origin=Origin.STAFF, principal=world.police_member,
        sensitivity=Sensitivity.RESTRICTED,
    )  # fmt: skip
    assert case.owner_organisation != world.police
    assert can_view(world.police_member, case)
    assert not can_view(world.teknik_member, case)
