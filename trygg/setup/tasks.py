"""The settings' nightly job: uploads never imported, invitations past their use."""

from __future__ import annotations

from django_tasks import task

from trygg.core import audit
from trygg.core.scheduler import daily
from trygg.core.services.people import purge_invitations
from trygg.setup.services import discard_stale_uploads


@daily("03:30")
@task()
def setup_housekeeping() -> dict[str, int]:
    with audit.acting(label="scheduler: settings housekeeping"):
        return {
            "uploads_discarded": discard_stale_uploads(),
            "invitations_purged": purge_invitations(),
        }
