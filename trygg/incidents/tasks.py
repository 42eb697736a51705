"""Background work of the incidents app, run by the task worker
(``python manage.py db_worker``)."""

from django_tasks import task

from trygg.incidents.models import ImportJob
from trygg.incidents.services import run_import_job


@task()
def run_import(job_id: int) -> str:

    job = ImportJob.objects.select_related("municipality", "started_by").get(pk=job_id)
    return run_import_job(job).status
