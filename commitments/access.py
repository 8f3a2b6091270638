"""Who may see or change what: the one place that decides.

A stranger to a working group gets 404 for everything in it (we do not confirm it exists); a member
whose role is too low for a write gets 403. What a user may do in a group is their membership's
role, raised to their installation role (`models.installation_role`: superusers coordinate every
group, other staff read every group). What each role allows is defined here, in `GroupAccess`.

Every object a URL names is looked up through a `get_<thing>_for_user` helper below, in the
style of healthchecks' `_get_check_for_user`; selectors then read data for objects that are
already authorised and never decide visibility themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from .models import (
    ActionArea,
    Affiliation,
    Commitment,
    ComplianceReview,
    ComplianceScore,
    GroupVersion,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    MembershipRole,
    WorkingGroup,
    installation_role,
)

Role = MembershipRole


def _rank(role: str | None) -> int:
    return Role(role).rank if role else 0


_ASK = object()


@dataclass(frozen=True)
class GroupAccess:
    """A user's standing in one working group, and what it allows."""

    group: WorkingGroup
    role: str | None
    # The side (party id) the user speaks for through their affiliation, None for none, when
    # read with the group (get_group_for_user); `side_of` asks otherwise.
    side: object = field(default=_ASK, repr=False)

    @property
    def can_view(self) -> bool:
        return _rank(self.role) >= Role.VIEWER.rank

    @property
    def can_follow_up(self) -> bool:
        """Log follow-ups, change status and progress."""
        return _rank(self.role) >= Role.ANALYST.rank

    @property
    def can_coordinate(self) -> bool:
        """Record meetings, add and edit commitments and indicators."""
        return _rank(self.role) >= Role.COORDINATOR.rank

    def require(self, role: str) -> GroupAccess:
        if _rank(self.role) < _rank(role):
            raise PermissionDenied(
                f"Your role in {self.group.short_name} does not allow this "
                f"(it needs {Role(role).label.lower()})."
            )
        return self


def role_in(user, group: WorkingGroup, *, member_role=_ASK) -> str | None:
    """The user's effective role in the group, or None when they may not see it.
    `member_role`: their membership's role (None: not a member) when the caller read it with
    the group (see get_group_for_user); otherwise it is asked here."""
    if not user.is_authenticated or not user.is_active:
        return None
    everywhere = installation_role(user)
    if everywhere == Role.COORDINATOR:
        return everywhere  # nothing ranks higher: no query
    if member_role is _ASK:
        member_role = (
            Membership.objects.filter(user=user, working_group=group)
            .values_list("role", flat=True)
            .first()
        )
    return max((r for r in (everywhere, member_role) if r), key=_rank, default=None)


def side_of(group_access: GroupAccess, user) -> int | None:
    """The id of the side (party) the user speaks for, through their affiliation: read with
    the group by `get_group_for_user` (no query), else asked (1 query)."""
    if group_access.side is not _ASK:
        return group_access.side
    return Affiliation.objects.filter(user=user).values_list("agency__party_id", flat=True).first()


def visible_groups(user):
    """The working groups the user may see (a queryset)."""
    return WorkingGroup.objects.visible_to(user)


def access_for(user, group: WorkingGroup) -> GroupAccess:
    return GroupAccess(group=group, role=role_in(user, group))


def _group_with_standing(slug: str, user_id: int | None):
    """The group with this slug, with its version (commitments.cache: the key of what its
    pages keep) and, for a signed-in user, their role in it and the side they speak for: one
    query for all four."""
    versions = GroupVersion.objects.filter(working_group_id=OuterRef("pk"))
    groups = WorkingGroup.objects.filter(slug=slug).annotate(
        cache_version=Coalesce(Subquery(versions.values("version")[:1]), 0),
    )
    if user_id is None:
        return groups
    memberships = Membership.objects.filter(working_group=OuterRef("pk"), user_id=user_id)
    sides = Affiliation.objects.filter(user_id=user_id).values("agency__party_id")
    return groups.annotate(
        member_role=Subquery(memberships.values("role")[:1]),
        user_side=Subquery(sides[:1]),
    )


def get_group_for_user(user, slug: str, *, need: str = Role.VIEWER) -> GroupAccess:
    """The working group with this slug as this user sees it: 404 for a stranger, 403 when the
    user's role is below `need`."""
    user_id = user.pk if user.is_authenticated else None
    group = _group_with_standing(slug, user_id).first()
    if group is None:
        raise Http404("No such working group.")
    access = GroupAccess(
        group=group,
        role=role_in(user, group, member_role=getattr(group, "member_role", None)),
        side=getattr(group, "user_side", None),
    )
    if not access.can_view:
        raise Http404("No such working group.")
    return access.require(need)


def _get_in_group(user, group_slug: str, queryset, what: str, need: str, **lookup):
    """The group's object matching `lookup`: 404 for a stranger to the group and for an object
    that is not there (or in another group), then 403 when the role is below `need`."""
    access = get_group_for_user(user, group_slug)
    obj = queryset.in_group(access.group).filter(**lookup).first()
    if obj is None:
        raise Http404(f"No such {what}.")
    access.require(need)
    return access, obj


def get_commitment_for_user(
    user, slug: str, reference: str, *, need: str = Role.VIEWER, related: bool = True
) -> tuple[GroupAccess, Commitment]:
    """As `_get_in_group`: 404 for a stranger or a reference not in the group, then 403.
    The commitment comes with its group (the one of the access), and with its area, meeting,
    owner and source document unless `related` is False (a write that shows none of them
    when it succeeds: they would be read one by one if asked for)."""
    access = get_group_for_user(user, slug)
    commitments = Commitment.objects.filter(working_group=access.group, reference=reference)
    if related:
        commitments = commitments.select_related(
            "action_area", "meeting", "owner", "source_document"
        )
    commitment = commitments.first()
    if commitment is None:
        raise Http404("No such commitment.")
    access.require(need)
    commitment.working_group = access.group
    return access, commitment


def get_meeting_for_user(
    user, slug: str, number: int, *, need: str = Role.VIEWER
) -> tuple[GroupAccess, Meeting]:
    queryset = Meeting.objects.select_related("working_group", "opened_by__agency__party")
    return _get_in_group(user, slug, queryset, "meeting", need, number=number)


def get_area_for_user(
    user, slug: str, area_slug: str, *, need: str = Role.VIEWER
) -> tuple[GroupAccess, ActionArea]:
    queryset = ActionArea.objects.select_related("working_group")
    return _get_in_group(user, slug, queryset, "action area", need, slug=area_slug)


def get_indicator_for_user(
    user, slug: str, pk: int, *, need: str = Role.VIEWER
) -> tuple[GroupAccess, Indicator]:
    queryset = Indicator.objects.select_related("working_group", "action_area", "commitment")
    return _get_in_group(user, slug, queryset, "indicator", need, pk=pk)


def get_measurement_for_user(
    user, slug: str, pk: int, measurement_pk: int, *, need: str = Role.VIEWER
) -> tuple[GroupAccess, Indicator, Measurement]:
    """A measurement of the group's indicator `pk`: 404 unless both are there and match."""
    group_access, indicator = get_indicator_for_user(user, slug, pk)
    measurement = Measurement.objects.filter(indicator=indicator, pk=measurement_pk).first()
    if measurement is None:
        raise Http404("No such measurement.")
    measurement.indicator = indicator
    group_access.require(need)
    return group_access, indicator, measurement


def get_review_for_user(
    user, slug: str, pk: int, *, need: str = Role.VIEWER
) -> tuple[GroupAccess, ComplianceReview]:
    queryset = ComplianceReview.objects.select_related("working_group", "meeting")
    return _get_in_group(user, slug, queryset, "review", need, pk=pk)


def get_score_for_user(
    user, slug: str, pk: int, score_pk: int, *, need: str = Role.VIEWER
) -> tuple[GroupAccess, ComplianceReview, ComplianceScore]:
    group_access, review = get_review_for_user(user, slug, pk)
    score = (
        ComplianceScore.objects.filter(review=review, pk=score_pk)
        .select_related("commitment", "party")
        .first()
    )
    if score is None:
        raise Http404("No such score.")
    score.review = review
    group_access.require(need)
    return group_access, review, score


def may_score(group_access: GroupAccess, side_id: int | None, party) -> bool:
    """Whether the user may propose this side's scores: a coordinator for any side, an analyst
    for the side their affiliation names (the services check the same)."""
    if group_access.can_coordinate:
        return True
    return group_access.can_follow_up and side_id is not None and side_id == party.pk


def require_may_score(group_access: GroupAccess, side_id: int | None, party) -> None:
    if not may_score(group_access, side_id, party):
        raise PermissionDenied(
            f"Analysts propose the scores of their own side only; {party.name}'s are not yours "
            "to propose."
        )


def coordinates_any_group(user) -> bool:
    """Whether the user coordinates at least one working group (MFA_REQUIRED="coordinators"
    asks this through settings.MFA_COORDINATOR_TEST)."""
    if installation_role(user) == Role.COORDINATOR:
        return True
    return Membership.objects.filter(user=user, role=Role.COORDINATOR).exists()
