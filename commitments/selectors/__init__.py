"""Reads for the workspace pages: each returns what one page shows, in a fixed number of queries
whatever the amount of data (the view tests hold every page to a query budget).

Selectors read data of objects the caller has already authorised through `commitments.access`
(a working group, a commitment, a meeting...): they never decide visibility themselves.
A module per page family: `dashboard` (home and dashboard), `listing` (the commitments list),
`commitment` (a commitment's page), `pages` (a meeting's and an area's pages), `overview` (what
each side owes, recent activity, the members), `outcomes`, `compliance`, `changes`; `common`
holds what several of them share.
"""

from ..rules import DUE_SOON_DAYS
from .catalogue import Catalogue, catalogue
from .changes import KINDS, Changes, changes_between, snapshots
from .commitment import (
    TIMELINE_PAGE_SIZE,
    CommitmentDetail,
    commitment_detail,
    correctable_entry,
    lead_agencies,
    timeline,
)
from .common import (
    ENTRY_RELATED,
    StatusCount,
    StatusSummary,
    inactive_after_days,
    inactive_before,
    paginate,
)
from .compliance import (
    Compliance,
    ReviewDetail,
    group_party,
    previous_review,
    review_commitment,
    review_detail,
    review_score,
    reviews,
)
from .dashboard import (
    DASHBOARD_LIST_SIZE,
    FEED_SIZE,
    Dashboard,
    group_dashboard,
    group_summaries,
)
from .listing import LIST_PAGE_SIZE, commitment_list, led_by, list_page, list_rows, matching
from .outcomes import (
    BurnUp,
    IndicatorDetail,
    burn_up,
    commitment_indicators,
    group_parties,
    indicator_detail,
)
from .overview import (
    ACTIVITY_DEFAULT_DAYS,
    ActivityRange,
    Sides,
    activity_default_range,
    members,
    membership,
    recent_activity,
    sides,
)
from .pages import (
    DETAIL_LIST_PAGE_SIZE,
    AreaDetail,
    MeetingDetail,
    area_by_slug,
    area_detail,
    meeting_detail,
    next_meeting_number,
)
from .tallies import counted

__all__ = [
    "ACTIVITY_DEFAULT_DAYS",
    "DASHBOARD_LIST_SIZE",
    "DETAIL_LIST_PAGE_SIZE",
    "DUE_SOON_DAYS",
    "ENTRY_RELATED",
    "FEED_SIZE",
    "KINDS",
    "LIST_PAGE_SIZE",
    "TIMELINE_PAGE_SIZE",
    "ActivityRange",
    "AreaDetail",
    "BurnUp",
    "Catalogue",
    "Changes",
    "CommitmentDetail",
    "Compliance",
    "Dashboard",
    "IndicatorDetail",
    "MeetingDetail",
    "ReviewDetail",
    "Sides",
    "StatusCount",
    "StatusSummary",
    "activity_default_range",
    "area_by_slug",
    "area_detail",
    "burn_up",
    "catalogue",
    "changes_between",
    "commitment_detail",
    "commitment_indicators",
    "commitment_list",
    "correctable_entry",
    "counted",
    "group_dashboard",
    "group_parties",
    "group_party",
    "group_summaries",
    "inactive_after_days",
    "inactive_before",
    "indicator_detail",
    "lead_agencies",
    "led_by",
    "list_page",
    "list_rows",
    "matching",
    "meeting_detail",
    "members",
    "membership",
    "next_meeting_number",
    "paginate",
    "previous_review",
    "recent_activity",
    "review_commitment",
    "review_detail",
    "review_score",
    "reviews",
    "sides",
    "snapshots",
    "timeline",
]
