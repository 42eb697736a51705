"""The rules of cases: routing, the state machine, deadlines, duplicates, merging,
moderation, notifications and reminders. Views, the API, Open311 and the walks app call
these; none of them writes a case with the ORM directly.

A package by concern; every name is re-exported here, so callers use
``trygg.cases.services`` as before."""

from trygg.cases.mailing import (  # noqa: F401 - the services' interface, as before
    erase_expired_emails,
    overdue_by_organisation,
    responsible_addresses,
)
from trygg.cases.models import CLOSED_STATES, OPEN_STATES  # noqa: F401
from trygg.cases.services.dashboard import (  # noqa: F401
    _median_days,
    dashboard,
)
from trygg.cases.services.duplicates import (  # noqa: F401
    find_duplicates,
)
from trygg.cases.services.following import (  # noqa: F401
    confirm_subscription,
    erase_subscriptions,
    pending_subscription,
    request_subscription,
    unsubscribe,
    unsubscribe_token,
)
from trygg.cases.services.lifecycle import (  # noqa: F401
    TRANSITIONS,
    _actor,
    _check_text,
    _require_edit,
    _stored,
    add_note,
    add_photo,
    allowed_transitions,
    change_state,
    create_case,
    merge,
    moderate,
    reassign,
    update_case,
)
from trygg.cases.services.notify import (  # noqa: F401
    _after_commit_confirm_report,
    _after_commit_notify_reporters,
    _after_commit_notify_responsible,
    _muted,
    notifications_muted,
)
from trygg.cases.services.reading import (  # noqa: F401
    STATUS_FILTERS,
    public_cases,
    public_updates,
    search_cases,
    status_notes,
    with_status,
)
from trygg.cases.services.routing import (  # noqa: F401
    Route,
    RoutingError,
    deadline_for,
    import_properties,
    property_at,
    route,
)
from trygg.core.dates import add_months  # noqa: F401
from trygg.core.geo import distance_m  # noqa: F401
