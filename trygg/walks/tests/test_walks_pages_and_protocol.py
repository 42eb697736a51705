"""Planning, checklists, the walk's page, the protocol (page and PDF via the task
worker) and the public site."""

import datetime as dt
import io
import json
import uuid

import pypdfium2
import pytest
from django.utils import timezone

from trygg.cases import services as cases
from trygg.cases.models import State
from trygg.cases.tests.conftest import jpeg
from trygg.walks import protocol, services
from trygg.walks.models import ChecklistTemplate, Walk, WalkStatus
from trygg.walks.tests.conftest import finding_payload


def test_the_default_checklist_has_swedish_practice_and_safetipin(world):
    template = services.default_template(world.municipality)
    labels = [i["label"] for i in template.checks()]
    assert "Dålig eller trasig belysning" in labels
    assert "Växtlighet som skymmer sikten" in labels
    assert [i["label"] for i in template.scores()] == [
        "Belysning", "Öppenhet", "Sikt", "Människor", "Bevakning", "Gångväg",
        "Kollektivtrafik", "Könsfördelning", "Känsla",
    ]  # fmt: skip


def test_coordinators_edit_checklists_and_keys_of_unchanged_items_stay(world, client):
    template = services.default_template(world.municipality)
    client.force_login(world.coordinator.user)
    checks = "\n".join(i["label"] for i in template.checks()) + "\nNedsläckta skyltfönster"
    response = client.post(
        f"/walks/checklists/{template.pk}/",
        {
            "name": template.name,
            "checks": checks,
            "scores": "Belysning\nKänsla",
            "is_default": "on",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    keys = {i["label"]: i["key"] for i in template.items}
    assert keys["Dålig eller trasig belysning"] == "lighting"
    assert keys["Belysning"] == "st_lighting"
    assert keys["Nedsläckta skyltfönster"] == "nedslackta-skyltfonster"
    client.force_login(world.teknik_member.user)
    assert client.get(f"/walks/checklists/{template.pk}/").status_code == 403


def test_planning_a_walk_with_a_route_and_invited_partners(world, client):
    client.force_login(world.coordinator.user)
    area = world.municipality.areas.get(name="Bro")
    template = services.default_template(world.municipality)
    route = {"type": "LineString", "coordinates": [[17.63, 59.50], [17.64, 59.51]]}
    response = client.post(
        "/walks/new/",
        {
            "title": "Kvällsvandring Bro",
            "date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "start_time": "19:00",
            "light": "dark",
            "area": area.pk,
            "meeting_point": "Biblioteket",
            "stops": "Torget\nTunneln",
            "route": json.dumps(route),
            "template": template.pk,
            "invited": [world.police.pk, world.brohus.pk],
            "sensitivity": "partners",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    walk = Walk.objects.get(title="Kvällsvandring Bro")
    assert walk.route == route and walk.stop_list() == ["Torget", "Tunneln"]
    assert set(walk.invited.all()) == {world.police, world.brohus}
    assert walk.owner_organisation == world.coordination
    page = client.get(f"/walks/{walk.pk}/").content.decode()
    assert "Kvällsvandring Bro" in page and "Torget → Tunneln" in page
    bad = client.post(f"/walks/{walk.pk}/edit/", {"title": "x", "route": "{nonsense"})
    assert "Rutten kunde inte läsas" in bad.content.decode()


def test_participants_are_counts(world, walk, client):
    client.force_login(world.coordinator.user)
    client.post(
        f"/walks/{walk.pk}/",
        {"residents": 14, "police": 2, "housing": 1, "municipality_staff": 3, "association": 0,
         "other": 0, "summary": "Mörka gångvägar var det som flest tog upp."},
    )  # fmt: skip
    walk.refresh_from_db()
    assert walk.participants_total == 20


@pytest.fixture
def walked(world, walk):
    finding, _ = services.sync_finding(
        walk, world.coordinator, uuid.uuid4(), finding_payload(world)
    )
    services.add_finding_photo(finding, world.coordinator, uuid.uuid4(), jpeg(colour="#884422"))
    services.sync_finding(
        walk,
        world.coordinator,
        uuid.uuid4(),
        finding_payload(world, lat=59.5150, lon=17.6450, category=world.categories["skyltning"].pk,
                        description="Ingen skylt mot stationen.", checks=["signage"]),
    )  # fmt: skip
    fixed = finding.case
    cases.change_state(fixed, world.brohus_member, State.FIXED, text="Lampan är bytt.")
    second = walk.findings.exclude(pk=finding.pk).get().case
    cases.change_state(
        second, world.teknik_member, State.WONT_FIX, text="Området byggs om nästa år."
    )
    return walk


def test_the_protocol_page_shows_responsible_and_decision_per_finding(world, walked, client):
    client.force_login(world.police_member.user)
    page = client.get(f"/walks/{walked.pk}/protocol/").content.decode()
    assert "Upplands-Brohus" in page and "Lampan är bytt." in page
    assert "Området byggs om nästa år." in page  # the reason where nothing will be done
    assert "Åtgärdat" in page and "Åtgärdas inte" in page
    # Participants: only the kinds that came, no dangling comma before the total.
    assert ", –" not in page and "Övriga 0" not in page


@pytest.mark.django_db(transaction=True)
def test_the_protocol_pdf_is_made_by_the_worker_and_reads_right(
    world, walked, client, run_worker, artifacts_dir
):
    client.force_login(world.coordinator.user)
    client.post(f"/walks/{walked.pk}/protocol/", {"action": "generate"})
    status = client.get(f"/walks/{walked.pk}/protocol/status/").content.decode()
    assert "PDF:en skapas" in status
    run_worker()
    walked.refresh_from_db()
    assert walked.protocol_pdf and not walked.protocol_pending
    pdf = client.get(f"/walks/{walked.pk}/protocol.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(b"".join(pdf.streaming_content))
    text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    for expected in (
        "Trygghetsvandring – protokoll",
        "Deltagare",
        "Rutt och fynd",
        "Fynd och vad som görs åt dem",
        "Upplands-Brohus",
        "Lampan är bytt.",
        "Området byggs om nästa år.",
        "Boende",
    ):
        assert expected in text, expected
    for i in range(len(document)):
        document[i].render(scale=1.2).to_pil().save(
            artifacts_dir / f"walk-protocol-page-{i + 1}.png"
        )


def test_publishing_puts_the_protocol_on_the_public_site(world, walked, client):
    assert client.get(f"/trygghetsvandringar/{walked.pk}/").status_code == 404
    services.publish(walked, world.coordinator)
    listing = client.get("/trygghetsvandringar/").content.decode()
    assert walked.title in listing
    page = client.get(f"/trygghetsvandringar/{walked.pk}/").content.decode()
    assert "Lampan är bytt." in page and "Upplands-Brohus" in page
    # 12 residents and 2 police: the police count is suppressed, and the total 14 does
    # not give it away (the other kinds are hidden too, zeros included).
    assert "Boende 12, Polisen &lt;5" in page and "Polisen 2" not in page
    published = protocol.public_participants(walked)
    assert published["participants_total"] == "14"
    photo = walked.findings.first().photos.first()
    assert client.get(f"/trygghetsvandringar/foto/{photo.pk}.jpg").status_code == 200
    services.unpublish(walked, world.coordinator)
    assert client.get(f"/trygghetsvandringar/{walked.pk}/").status_code == 404
    assert client.get(f"/trygghetsvandringar/foto/{photo.pk}.jpg").status_code == 404


def test_the_protocol_pdf_can_be_rendered_directly(world, walked):
    pdf = protocol.render(walked)
    assert pdf.startswith(b"%PDF") and len(pypdfium2.PdfDocument(io.BytesIO(pdf))) >= 1


def test_the_capture_app_is_installable(world, client):
    client.force_login(world.coordinator.user)
    page = client.get("/walks/capture/").content.decode()
    assert 'rel="manifest"' in page and "capture.js" in page
    manifest = client.get("/walks/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["display"] == "standalone" and data["start_url"] == "/walks/capture/"
    assert any(i["sizes"] == "512x512" for i in data["icons"])
    worker = client.get("/walks/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    body = worker.content.decode()
    assert "/walks/capture/" in body and "leaflet.js" in body and "capture.js" in body


def test_the_case_dashboard_counts_walk_findings(world, walked, client):
    client.force_login(world.coordinator.user)
    page = client.get("/cases/dashboard/").content.decode()
    assert "Fynd från trygghetsvandringar per status" in page
    assert WalkStatus.WALKED


def test_checklist_template_needs_items(world):
    with pytest.raises(Exception):  # noqa: B017
        services.items_from_lines("", "")
    assert ChecklistTemplate.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_protocol_that_fails_says_so_and_can_be_made_again(
    world, walked, client, run_worker, monkeypatch
):
    """Regression: when Typst failed, the walk stayed "pending" and its page polled every
    2 s for ever. Now the job is failed with a message, polling stops, and "Try again"
    queues it once more."""
    from trygg.walks import protocol

    client.force_login(world.coordinator.user)
    client.post(f"/walks/{walked.pk}/protocol/", {"action": "generate"})

    def broken(walk):
        raise RuntimeError("typst: font not found")

    monkeypatch.setattr(protocol, "render", broken)
    run_worker()
    walked.refresh_from_db()
    job = walked.protocol_job
    assert job.status == "failed" and job.attempts == 1
    assert not walked.protocol_pending and not walked.protocol_pdf
    status = client.get(f"/walks/{walked.pk}/protocol/status/").content.decode()
    assert "hx-trigger" not in status  # no polling for a job that ended
    assert "PDF:en kunde inte skapas" in status and "Försök igen" in status

    monkeypatch.undo()
    client.post(f"/walks/{walked.pk}/protocol/", {"action": "retry"})
    walked.refresh_from_db()
    assert walked.protocol_pending
    run_worker()
    walked.refresh_from_db()
    assert walked.protocol_pdf and walked.protocol_job.status == "done"
    assert walked.protocol_job.attempts == 2
