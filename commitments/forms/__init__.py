"""Forms of the workspace: they parse and check input; the services decide.

`workspace` holds the analysts' forms (follow-ups, the list's quick status change and filters);
`coordination` the coordinators' (meetings, commitments, indicators). Every form renders
without client-side validation (`novalidate` in the templates) so that the server's messages,
next to the fields, are what every user sees, with JavaScript or without.
"""

from .coordination import (
    CommitmentCreateForm,
    CommitmentEditForm,
    GroupChoices,
    IndicatorForm,
    MeetingForm,
    ParticipantFormSet,
    WithdrawForm,
)
from .workspace import (
    ActivityFilterForm,
    CommitmentFilterForm,
    FollowUpForm,
    StatusChangeForm,
    side_choices,
)

__all__ = [
    "ActivityFilterForm",
    "CommitmentCreateForm",
    "CommitmentEditForm",
    "CommitmentFilterForm",
    "FollowUpForm",
    "GroupChoices",
    "IndicatorForm",
    "MeetingForm",
    "ParticipantFormSet",
    "StatusChangeForm",
    "WithdrawForm",
    "side_choices",
]
