"""A partner's file of reports is read by the task worker, never in the request: the
upload page only keeps the file and shows the job; the job stores all rows or none, says
why not row by row, deletes the file, and a repeat stores nothing twice."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from trygg.core.audit import AuditEntry
from trygg.est.models import Observation, ObservationUpload

HEADER = "ref;kategori;datum;tid;lat;lon;plats;område;allvarlighet;beskrivning"


def csv_file(rows: list[str], name: str = "export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *rows]).encode(), "text/csv")


def rows(n: int, prefix: str = "R") -> list[str]:
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    return [f"{prefix}{k};klotter;{day};21:10;59,5080;17,6360;;;2;Klotter" for k in range(n)]


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_stored_by_the_worker_not_the_request(est, client, run_worker):
    client.force_login(est.housing.user)
    response = client.post("/veckobild/upload/", {"file": csv_file(rows(3))})
    job = ObservationUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/veckobild/upload/{job.pk}/"
    # Nothing is read in the request: the job waits for the worker, with its file.
    assert job.status == "queued" and job.file and Observation.objects.count() == 0
    path = job.file.path
    assert "Kontrollerar" in client.get(response["Location"]).content.decode()

    run_worker()
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.created_count, job.unchanged_count) == ("done", 3, 3, 0)
    assert len(job.file_sha256) == 64 and not job.file
    import os

    assert not os.path.exists(path), "the uploaded file is deleted once read"
    assert set(Observation.objects.values_list("reporter", "owner_organisation", "source")) == {
        (est.housing.user.pk, est.housing.organisation.pk, "upload")
    }
    # The audit log has one entry for the lot: by whom, about the upload, which ids.
    entry = AuditEntry.objects.get(action="create", path=f"upload {job.pk}")
    ids = sorted(Observation.objects.values_list("pk", flat=True))
    assert entry.actor == est.housing.user and entry.object_id == str(job.pk)
    assert entry.changes == {"created": 3, "model": "est.observation", "ids": [[ids[0], ids[2]]]}
    page = client.get(f"/veckobild/upload/{job.pk}/").content.decode()
    assert "3 nya rapporter" in page
    assert "export.csv" in client.get("/veckobild/upload/").content.decode()

    # The same file again: nothing twice.
    client.post("/veckobild/upload/", {"file": csv_file(rows(3))})
    run_worker()
    again = ObservationUpload.objects.order_by("-pk").first()
    assert (again.status, again.created_count, again.unchanged_count) == ("done", 0, 3)
    assert Observation.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_bad_file_fails_row_by_row_and_stores_nothing(est, client, run_worker):
    client.force_login(est.housing.user)
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    bad = [*rows(2), f"R9;okänd;{day};;59,5080;17,6360;;;1;x", rows(1)[0]]  # row 5 repeats R0
    client.post("/veckobild/upload/", {"file": csv_file(bad)})
    run_worker()
    job = ObservationUpload.objects.get()
    assert job.status == "failed" and not job.file, job.errors
    assert job.error_count == 2, job.errors
    assert {(e["row"], e["field"]) for e in job.errors} == {(4, "kategori"), (5, "ref")}
    page = client.get(f"/veckobild/upload/{job.pk}/").content.decode()
    assert "inget sparades" in page and "okänd" in page
    assert Observation.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_sender_who_lost_the_right_to_report_stores_nothing(est, client, run_worker):
    client.force_login(est.housing.user)
    client.post("/veckobild/upload/", {"file": csv_file(rows(2))})
    membership = est.housing.membership
    membership.is_active = False
    membership.save()
    run_worker()
    job = ObservationUpload.objects.get()
    assert job.status == "failed" and Observation.objects.count() == 0


def test_the_form_states_its_limits_and_refuses_other_files(est, client):
    client.force_login(est.housing.user)
    page = client.get("/veckobild/upload/").content.decode()
    assert "Högst 5 MB och 20\u202f000 rader" in page  # a narrow no-break space
    response = client.post("/veckobild/upload/", {"file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert response.status_code == 200 and "CSV eller XLSX" in response.content.decode()
    assert not ObservationUpload.objects.exists()


def test_one_organisation_cannot_see_another_organisations_upload(est, client):
    job = ObservationUpload.objects.create(
        municipality=est.municipality,
        organisation=est.housing.organisation,
        started_by=est.housing.user,
        file_name="brohus.csv",
    )
    client.force_login(est.police.user)
    assert client.get(f"/veckobild/upload/{job.pk}/").status_code == 404
    assert "brohus.csv" not in client.get("/veckobild/upload/").content.decode()


def test_a_body_larger_than_anyone_may_send_is_refused_before_it_is_read(est, client):
    client.force_login(est.housing.user)
    big = 500 * 1024 * 1024
    response = client.generic(
        "POST", "/veckobild/upload/", b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(big),
    )  # fmt: skip
    assert response.status_code == 413 and "för stor" in response.content.decode()
    client.logout()
    response = client.generic(
        "POST", "/rapportera/", b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(20 * 1024 * 1024),
    )  # fmt: skip
    assert response.status_code == 413


def test_the_upload_page_takes_as_many_queries_for_one_upload_as_for_ten(est, client):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n: int) -> None:
        for k in range(n):
            user = get_user_model().objects.create(username=f"u{k}-{n}")
            ObservationUpload.objects.create(
                municipality=est.municipality, organisation=est.housing.organisation,
                started_by=user, file_name=f"{k}.csv", status="done", created_count=k,
            )  # fmt: skip

    client.force_login(est.housing.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/veckobild/upload/").status_code == 200
        return len(captured)

    add(1)
    few = queries()
    add(9)
    assert queries() == few
