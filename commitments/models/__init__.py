"""The domain: working groups, their meetings, what they agreed, and how it is followed up.

Data that differs between working groups (parties, agencies, action areas) is rows; only fixed
vocabularies (status, role, format...) are TextChoices, each guarded by a CheckConstraint.
Writes go through `commitments.services`; the querysets here are the reads views reuse. Every
group-scoped model's manager is a `GroupScopedQuerySet`: `.visible_to(user)`, `.in_group(group)`.
"""

from ..rules import http_url_validator
from .base import known_relations
from .commitments import (
    OPEN_STATUSES,
    ActionArea,
    Commitment,
    CommitmentQuerySet,
    EntryKind,
    FollowUp,
    FollowUpQuerySet,
    Priority,
    Status,
    status_progress_error,
)
from .compliance import ComplianceReview, ComplianceScore, ReviewState, Score, ScoreState
from .groups import (
    Affiliation,
    Agency,
    GroupScopedQuerySet,
    Membership,
    MembershipRole,
    Party,
    Person,
    WorkingGroup,
    WorkingGroupQuerySet,
    installation_role,
)
from .indicators import Direction, Indicator, Measurement, MeasurementQuerySet
from .meetings import (
    Meeting,
    MeetingFormat,
    Participation,
    ParticipationRole,
    SourceDocument,
    SourceKind,
)
from .snapshots import IMMUTABLE, Snapshot, SnapshotRow
from .tallies import Tally
from .versions import GroupVersion

__all__ = [
    "IMMUTABLE",
    "OPEN_STATUSES",
    "ActionArea",
    "Affiliation",
    "Agency",
    "Commitment",
    "CommitmentQuerySet",
    "ComplianceReview",
    "ComplianceScore",
    "Direction",
    "EntryKind",
    "FollowUp",
    "FollowUpQuerySet",
    "GroupScopedQuerySet",
    "GroupVersion",
    "Indicator",
    "Measurement",
    "MeasurementQuerySet",
    "Meeting",
    "MeetingFormat",
    "Membership",
    "MembershipRole",
    "Participation",
    "ParticipationRole",
    "Party",
    "Person",
    "Priority",
    "ReviewState",
    "Score",
    "ScoreState",
    "Snapshot",
    "SnapshotRow",
    "SourceDocument",
    "SourceKind",
    "Status",
    "Tally",
    "WorkingGroup",
    "WorkingGroupQuerySet",
    "http_url_validator",
    "installation_role",
    "known_relations",
    "status_progress_error",
]
