"""Running an import job from a management command: progress bar, row-level errors on
stderr, a summary on stdout, a non-zero exit when nothing was imported."""

from __future__ import annotations

from django.core.management.base import CommandError

from trygg.incidents.models import ImportStatus
from trygg.incidents.services import run_import_job


def run_and_report(command, job) -> None:
    with command.progress(None, "rows") as advance:
        job = run_import_job(job, cli_progress=advance)
    for warning in job.warnings[:50]:
        command.stderr.write(f"  warning: {_issue(warning)}")
    if job.warning_count > 50:
        command.stderr.write(f"  … and {job.warning_count - 50} more warnings")
    if job.status != ImportStatus.DONE:
        for error in job.errors[:200]:
            command.stderr.write(f"  {_issue(error)}")
        if job.error_count > 200:
            command.stderr.write(f"  … and {job.error_count - 200} more errors")
        first = _issue(job.errors[0]) if job.error_count == 1 else f"{job.error_count} errors"
        raise CommandError(f"{job.file_name}: {first}; nothing was imported (import job {job.pk}).")
    command.stdout.write(
        command.style.SUCCESS(f"{job.file_name}: {job.message} (import job {job.pk})")
    )


def _issue(issue: dict) -> str:
    where = f"row {issue['row']}" if issue.get("row") else "file"
    return (
        f"{where}, {issue['field']}: {issue['message']}"
        if issue.get("field")
        else f"{where}: {issue['message']}"
    )
