"""The rules of the weekly joint picture: reporting (form, API, file), review, the
weekly picture, the meeting's decisions, the tertial analysis, reporting statistics.

A package by concern; every name is re-exported here, so callers use
``trygg.est.services`` as before."""

from trygg.est.services.engagement import (  # noqa: F401
    reporting_stats,
)
from trygg.est.services.meeting import (  # noqa: F401
    _require_meeting,
    add_action,
    add_focus,
    follow_up_action,
    meeting_for,
    set_attendees,
    share,
)
from trygg.est.services.picture import (  # noqa: F401
    COUNTED,
    AreaRow,
    WeeklyPicture,
    _cell_feature,
    _hot_cells,
    _incident_counts,
    _points,
    _week_counts,
    assess,
    assessment_history,
    observations_in,
    week_hotspots,
    weekly_picture,
)
from trygg.est.services.reporting import (  # noqa: F401
    Lookups,
    Report,
    report,
    report_many,
    validate,
)
from trygg.est.services.review import (  # noqa: F401
    _require_coordinator,
    merge,
    possible_duplicates,
    possible_duplicates_of,
    review,
)
from trygg.est.services.scales import (  # noqa: F401
    DEFAULT_SCALES,
    scale,
    scale_label,
)
from trygg.est.services.tertial import (  # noqa: F401
    save_tertial,
    tertial,
    tertial_basis,
)
