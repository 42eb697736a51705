"""Findings and photos from phones are stored exactly once: retries after a lost
response, an interrupted sync, two phones on the same walk — nothing lost, nothing
duplicated. Through the real API, with a session (the capture app) or a bearer token."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from trygg.cases.models import Case
from trygg.cases.tests.conftest import jpeg
from trygg.core.tokens import create_token
from trygg.walks.models import Finding, FindingPhoto, WalkStatus
from trygg.walks.tests.conftest import finding_payload


@pytest.fixture
def leader(world, client):
    client.force_login(world.coordinator.user)
    return client


def put(client, walk, client_id, payload, **headers):
    return client.put(
        f"/api/v1/walks/{walk.pk}/findings/{client_id}",
        data=payload,
        content_type="application/json",
        **headers,
    )


def photo(client, client_id, photo_id, content=None, **headers):
    upload = SimpleUploadedFile("p.jpg", content or jpeg(), content_type="image/jpeg")
    return client.post(
        f"/api/v1/findings/{client_id}/photos",
        {"photo_id": str(photo_id), "photo": upload},
        **headers,
    )


def test_a_finding_is_stored_once_and_becomes_a_routed_case(world, walk, leader):
    walk.start_time = (timezone.localtime() - dt.timedelta(minutes=30)).time()
    walk.date = (timezone.localtime() - dt.timedelta(minutes=30)).date()
    walk.save()
    client_id = uuid.uuid4()
    first = put(leader, walk, client_id, finding_payload(world))
    assert first.status_code == 201
    body = first.json()
    assert body["created"] is True and body["case"] is not None
    # The response was lost; the phone sends it again.
    again = put(leader, walk, client_id, finding_payload(world))
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == body["id"]
    assert Finding.objects.count() == 1 and Case.objects.count() == 1
    finding = Finding.objects.get()
    assert finding.case.owner_organisation == world.brohus  # inside Brohus' yard
    assert finding.case.origin == "walk" and finding.checks == ["lighting", "visibility"]
    assert finding.scores == {"st_lighting": 0, "st_feeling": 1}
    assert "Checklista: Dålig eller trasig belysning" in finding.case.description
    walk.refresh_from_db()
    assert walk.status == WalkStatus.WALKED


def test_an_interrupted_sync_resumes_without_duplicates(world, walk, leader):
    client_id, photo_1, photo_2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # First attempt: the finding and one photo arrived, then the connection dropped.
    assert put(leader, walk, client_id, finding_payload(world)).status_code == 201
    assert photo(leader, client_id, photo_1).status_code == 201
    # Second attempt: everything again, from the start.
    assert put(leader, walk, client_id, finding_payload(world)).status_code == 200
    assert photo(leader, client_id, photo_1).status_code == 200
    assert photo(leader, client_id, photo_2).status_code == 201
    assert Finding.objects.count() == 1
    assert FindingPhoto.objects.count() == 2
    assert Case.objects.count() == 1


def test_two_phones_on_the_same_walk_keep_both_findings(world, walk, leader, client, member_of):
    from django.test import Client

    second_phone = Client()
    second_phone.force_login(world.coordinator.user)
    a, b = uuid.uuid4(), uuid.uuid4()
    assert put(leader, walk, a, finding_payload(world)).status_code == 201
    assert put(second_phone, walk, b, finding_payload(world, lat=59.5081)).status_code == 201
    assert put(second_phone, walk, a, finding_payload(world)).status_code == 200
    assert Finding.objects.count() == 2


def test_a_client_id_cannot_move_to_another_walk(world, walk, leader):
    from trygg.walks.models import Walk

    other = Walk.objects.get(pk=walk.pk)
    other.pk = None
    other.title = "Annan vandring"
    other.save()
    client_id = uuid.uuid4()
    put(leader, walk, client_id, finding_payload(world))
    response = put(leader, other, client_id, finding_payload(world))
    assert response.status_code == 422


def test_personal_data_is_masked_not_refused_so_the_finding_is_not_lost(world, walk, leader):
    response = put(
        leader,
        walk,
        uuid.uuid4(),
        finding_payload(world, description="Ring vaktmästaren 070-123 45 67 om lampan"),
    )
    assert response.status_code == 201 and response.json()["masked_personal_data"] == 1
    finding = Finding.objects.get()
    assert "070-123 45 67" not in finding.description
    assert "070-123 45 67" not in finding.case.description


@pytest.mark.parametrize(
    "bad",
    [{"scores": {"st_lighting": 7}}, {"category": 999999}, {"lat": "north"}],
)
def test_invalid_findings_are_refused_with_a_reason(world, walk, leader, bad):
    response = put(leader, walk, uuid.uuid4(), finding_payload(world, **bad))
    assert response.status_code == 422
    assert Finding.objects.count() == 0


def test_unknown_checklist_keys_are_dropped(world, walk, leader):
    put(leader, walk, uuid.uuid4(), finding_payload(world, checks=["lighting", "no-such-key"]))
    assert Finding.objects.get().checks == ["lighting"]


def test_read_only_members_and_other_municipalities_cannot_capture(world, walk, client):
    client.force_login(world.reader.user)
    assert put(client, walk, uuid.uuid4(), finding_payload(world)).status_code == 403
    client.logout()
    assert put(client, walk, uuid.uuid4(), finding_payload(world)).status_code == 401


def test_a_bearer_token_works_too(world, walk, client):
    _token, secret = create_token(world.coordinator.membership, "Vandringsappen")
    response = put(
        client, walk, uuid.uuid4(), finding_payload(world), HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 201


def test_photos_keep_the_position_as_fields_but_not_in_the_file(world, walk, leader):
    client_id = uuid.uuid4()
    put(leader, walk, client_id, finding_payload(world))
    content = jpeg(size=(4000, 3000), gps=(59.50812, 17.63633), make="Apple", artist="Anna")
    assert photo(leader, client_id, uuid.uuid4(), content).status_code == 201
    stored = FindingPhoto.objects.get()
    assert stored.lat == pytest.approx(59.50812, abs=1e-4)
    assert stored.lon == pytest.approx(17.63633, abs=1e-4)
    image = Image.open(stored.image.path)
    assert dict(image.getexif()) == {} and max(image.size) == 2048


def test_a_file_that_is_not_a_photo_is_refused(world, walk, leader):
    client_id = uuid.uuid4()
    put(leader, walk, client_id, finding_payload(world))
    response = photo(leader, client_id, uuid.uuid4(), b"%PDF-1.4 not a photo")
    assert response.status_code == 422 and FindingPhoto.objects.count() == 0


def test_the_capture_payload_lists_walks_categories_and_what_is_synced(world, walk, leader):
    client_id = uuid.uuid4()
    put(leader, walk, client_id, finding_payload(world))
    data = leader.get("/api/v1/walks/capture").json()
    mine = next(w for w in data["walks"] if w["id"] == walk.pk)
    assert mine["synced"] == [str(client_id)]
    assert {i["kind"] for i in mine["items"]} == {"check", "score"}
    assert len([i for i in mine["items"] if i["kind"] == "score"]) == 9  # Safetipin
    assert {c["label"] for c in data["categories"]} >= {"Belysning", "Klotter och skadegörelse"}


def test_a_delivery_racing_another_is_a_success_not_an_error(world, walk, leader, monkeypatch):
    """Two deliveries of one finding at the same moment: the second passed the "already
    stored?" check before the first committed. It must answer 200 with the stored finding
    (a 422 would make the phone give up on the finding's photos)."""
    from trygg.walks import services as walk_services

    client_id = uuid.uuid4()
    assert put(leader, walk, client_id, finding_payload(world)).status_code == 201
    real = walk_services._stored_finding
    calls = []

    def not_yet_visible(w, cid):
        calls.append(cid)
        return None if len(calls) == 1 else real(w, cid)  # the first look misses it

    monkeypatch.setattr(walk_services, "_stored_finding", not_yet_visible)
    again = put(leader, walk, client_id, finding_payload(world))
    assert again.status_code == 200, again.content
    assert again.json()["created"] is False and Finding.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_deliveries_store_one_finding_and_all_succeed(world, walk):
    """Real concurrency (PostgreSQL; SQLite serialises writers): 20 threads PUT the same
    finding at once."""
    import threading

    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL")
    client_id = uuid.uuid4()
    payload = finding_payload(world)
    statuses: list[int] = []
    barrier = threading.Barrier(20)

    def deliver():
        from django.db import connections

        client = Client()
        client.force_login(world.coordinator.user)
        barrier.wait()
        statuses.append(put(client, walk, client_id, payload).status_code)
        connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 19 + [201]
    assert Finding.objects.filter(client_id=client_id).count() == 1


def test_a_finding_noted_before_the_walk_starts_does_not_make_it_walked(world, walk, leader):
    start = timezone.localtime() + dt.timedelta(hours=3)
    walk.date, walk.start_time = start.date(), start.time()
    walk.save()
    # The caretaker notes a broken lamp that morning, hours before the walk.
    assert put(leader, walk, uuid.uuid4(), finding_payload(world)).status_code == 201
    walk.refresh_from_db()
    assert walk.status == WalkStatus.PLANNED
    # Captured after the start (the phone's clock), but the start has not come: still planned.
    later = (start + dt.timedelta(minutes=10)).isoformat()
    assert (
        put(leader, walk, uuid.uuid4(), finding_payload(world, captured_at=later)).status_code
        == 201
    )
    walk.refresh_from_db()
    assert walk.status == WalkStatus.PLANNED


def test_a_finding_gets_the_nearest_address_shown_in_the_protocol(
    world, walk, leader, demo_addresses
):
    from trygg.core.addresses import describe_place
    from trygg.walks import protocol

    payload = finding_payload(world)
    assert put(leader, walk, uuid.uuid4(), payload).status_code == 201
    finding = Finding.objects.get()
    expected = describe_place(walk.municipality_id, payload["lat"], payload["lon"])
    assert expected and finding.address == expected
    data, _files = protocol.build(walk)
    assert data["findings"][0]["position"].startswith(expected)
    assert expected in leader.get(f"/walks/{walk.pk}/").content.decode()
