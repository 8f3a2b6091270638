"""Reads for the workspace pages: each returns what one page shows, in a fixed number of queries
whatever the amount of data (the view tests hold every page to a query budget).

Selectors read data of objects the caller has already authorised through `commitments.access`
(a working group, a commitment, a meeting...): they never decide visibility themselves.
`workspace` has the analysts' pages (dashboard, list, commitment, meeting, area); `overview`
what each side owes, recent activity and the members.
"""

from .catalogue import Catalogue, catalogue
from .changes import KINDS, Changes, changes_between, snapshots
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
from .workspace import *  # noqa: F403 (the analysts' pages' reads, listed in its __all__)
from .workspace import __all__ as _workspace

__all__ = [
    "ACTIVITY_DEFAULT_DAYS",
    "KINDS",
    "Catalogue",
    "catalogue",
    "ActivityRange",
    "Changes",
    "changes_between",
    "snapshots",
    "Compliance",
    "ReviewDetail",
    "group_party",
    "previous_review",
    "review_commitment",
    "review_detail",
    "review_score",
    "reviews",
    "BurnUp",
    "IndicatorDetail",
    "burn_up",
    "commitment_indicators",
    "group_parties",
    "indicator_detail",
    "Sides",
    "activity_default_range",
    "members",
    "membership",
    "recent_activity",
    "sides",
    *_workspace,
]
