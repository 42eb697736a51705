"""The anonymous and the staff upload points refuse a decompression bomb with a clear
message, and nothing is stored: a resident's report and a walk finding's photo (every
upload, the partners' observation photos too, goes through core.images.clean_photo)."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from trygg.cases.models import Case
from trygg.cases.tests.test_public_reporting import _form
from trygg.walks import services as walk_services
from trygg.walks.models import Finding
from trygg.walks.tests.conftest import finding_payload


@pytest.fixture(scope="module")
def bomb():
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, "PNG")  # 64 Mpx in a few kB
    return buffer.getvalue()


def test_a_residents_report_refuses_a_bomb(world, client, bomb):
    upload = SimpleUploadedFile("bomb.png", bomb, content_type="image/png")
    response = client.post("/rapportera/", _form(world, photo=upload))
    assert response.status_code == 200 and Case.objects.count() == 0
    assert "megapix" in response.content.decode()


def test_a_walk_findings_photo_refuses_a_bomb(world, walk, client, bomb):
    client.force_login(world.coordinator.user)
    client_id = uuid.uuid4()
    walk_services.sync_finding(walk, world.coordinator, client_id, finding_payload(world))
    upload = SimpleUploadedFile("bomb.png", bomb, content_type="image/png")
    response = client.post(
        f"/api/v1/findings/{client_id}/photos", {"photo_id": str(uuid.uuid4()), "photo": upload}
    )
    assert response.status_code in (400, 422), response.status_code
    assert "megapix" in response.content.decode()
    assert not Finding.objects.get(client_id=client_id).photos.exists()
