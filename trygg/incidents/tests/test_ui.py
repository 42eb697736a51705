"""Import jobs from the UI (upload → task queue → worker → outcome) and field workers'
round reports."""

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from trygg.core.models import Area
from trygg.incidents.models import FieldReport, ImportJob, ImportStatus, Incident


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def upload(client, content, name="log.csv", **extra):
    data = {
        "importer": "incidents",
        "preset": "standard",
        "encoding": "utf-8",
        "mapping": "",
        "file": SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content),
        **extra,
    }
    return client.post("/incidents/imports/", data)


def test_coordinator_uploads_a_file_and_the_worker_imports_it(
    client, housing, django_capture_on_commit_callbacks, settings, tmp_path, run_worker
):
    settings.MEDIA_ROOT = tmp_path
    login(client, "samordnare")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client,
            "id;datum;typ;område\n1;2026-01-05;Klotter;Bro\n2;2026-01-06;Brand;Låssa\n",
            source=housing.pk,
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incidents/imports/{job.pk}/"
    assert job.status == ImportStatus.QUEUED
    assert job.started_by.username == "samordnare"

    run_worker()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    assert job.created_count == 2
    assert Incident.objects.filter(source=housing).count() == 2
    # The uploaded file is not kept once read (it may hold what the import masked).
    assert not job.upload and not any(p.is_file() for p in tmp_path.rglob("*"))
    assert job.file_name == "log.csv" and len(job.file_sha256) == 64

    page = client.get(f"/incidents/imports/{job.pk}/").content.decode()
    assert "2 nya" in page or "2 new" in page
    partial = client.get(f"/incidents/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="job-status"')
    assert "hx-trigger" not in partial  # finished: the page stops polling


def test_a_bad_upload_shows_row_errors_and_imports_nothing(
    client, housing, django_capture_on_commit_callbacks, settings, tmp_path, run_worker
):
    settings.MEDIA_ROOT = tmp_path
    login(client, "samordnare")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "id;datum;typ;område\n1;igår;Klotter;Bro\n", source=housing.pk)
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    page = client.get(f"/incidents/imports/{job.pk}/").content.decode()
    assert "unreadable date" in page
    assert not Incident.objects.filter(source=housing).exists()
    assert not job.upload and not any(p.is_file() for p in tmp_path.rglob("*"))


def test_upload_form_validation(client, housing):
    login(client, "samordnare")
    response = upload(client, "x", name="log.exe", source=housing.pk)
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    response = upload(client, "id;datum\n", source="")
    assert not ImportJob.objects.exists()


def test_only_importing_roles_see_imports(client, bro):
    for username in ("polis", "bostad", "falt", "lasare", "analytiker"):
        login(client, username)
        assert client.get("/incidents/imports/").status_code == 403
    login(client, "admin")
    assert client.get("/incidents/imports/").status_code == 200


def test_field_worker_reports_a_round(client, bro):
    login(client, "falt")
    bro_area = Area.objects.get(name="Bro")
    response = client.post(
        "/incidents/field-reports/new/",
        {
            "date": "2026-11-20",
            "start_time": "18:00",
            "end_time": "22:00",
            "area": bro_area.pk,
            "met_under_13": 0,
            "met_13_15": 8,
            "met_16_17": 5,
            "met_18_24": 1,
            "met_over_24": 0,
            "observations": ["gathering", "litter"],
            "note": "Lugnt vid centrum, grupp vid stationen.",
        },
    )
    assert response.status_code == 302
    report = FieldReport.objects.get(note__startswith="Lugnt")
    assert report.young_people_met == 14
    assert report.owner_organisation.name == "Fritid – fältverksamheten"
    assert report.created_by.username == "falt"


def test_field_report_refuses_personal_data_and_contradictions(client, bro):
    login(client, "falt")
    bro_area = Area.objects.get(name="Bro")
    response = client.post(
        "/incidents/field-reports/new/",
        {
            "date": "2026-11-20",
            "start_time": "18:00",
            "end_time": "18:00",
            "area": bro_area.pk,
            "met_under_13": 0,
            "met_13_15": 0,
            "met_16_17": 0,
            "met_18_24": 0,
            "met_over_24": 0,
            "observations": ["nothing_notable", "unrest"],
            "note": "Pratade med Kalle, 070-123 45 67",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "telefonnummer" in html
    assert not FieldReport.objects.filter(date="2026-11-20").exists()


def test_read_only_cannot_report(client, bro):
    login(client, "lasare")
    assert client.get("/incidents/field-reports/new/").status_code == 403
    assert client.get("/incidents/field-reports/").status_code == 200
