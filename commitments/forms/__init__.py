"""Forms of the workspace: they parse and check input; the services decide.

`workspace` holds the analysts' forms (follow-ups, the list's quick status change; the list's
filters are `commitments.filters`, a query format other apps read too);
`coordination` the coordinators' (meetings, commitments, indicators). Every form renders
without client-side validation (`novalidate` in the templates) so that the server's messages,
next to the fields, are what every user sees, with JavaScript or without.
"""

from ..filters import CommitmentFilterForm, side_choices
from .compliance import ChangesForm, ReviewOpenForm, ScoreForm
from .coordination import (
    CommitmentCreateForm,
    CommitmentEditForm,
    GroupChoices,
    IndicatorForm,
    MeetingForm,
    ParticipantFormSet,
    WithdrawForm,
)
from .outcomes import MeasurementCorrectForm, MeasurementForm
from .workspace import ActivityFilterForm, FollowUpForm, StatusChangeForm

__all__ = [
    "ActivityFilterForm",
    "ChangesForm",
    "CommitmentCreateForm",
    "CommitmentEditForm",
    "CommitmentFilterForm",
    "FollowUpForm",
    "GroupChoices",
    "IndicatorForm",
    "MeasurementCorrectForm",
    "MeasurementForm",
    "MeetingForm",
    "ParticipantFormSet",
    "ReviewOpenForm",
    "ScoreForm",
    "StatusChangeForm",
    "WithdrawForm",
    "side_choices",
]
