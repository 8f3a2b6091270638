"""Working groups, who belongs to them and their action areas; the accounts of members."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from .. import cache
from ..models import ActionArea, Affiliation, Agency, Membership, Party, WorkingGroup
from . import base

# --------------------------------------------------------------------------- working groups


def working_group_validate(*, parties: Iterable[Party], lead_agencies: Iterable[Agency]) -> None:
    """A group's co-leads must be agencies of its parties."""
    party_ids = {p.pk for p in parties}
    strangers = [a for a in lead_agencies if a.party_id not in party_ids]
    if strangers:
        names = ", ".join(str(a) for a in strangers)
        raise ValidationError(
            {
                "lead_agencies": f"A co-lead must be an agency of one of the group's parties: {names}."
            }
        )


@transaction.atomic
def working_group_ensure(
    *,
    slug: str,
    name: str,
    short_name: str,
    description: str = "",
    parties: Iterable[Party] = (),
    lead_agencies: Iterable[Agency] = (),
    actor=None,
) -> tuple[WorkingGroup, bool]:
    parties, lead_agencies = list(parties), list(lead_agencies)
    working_group_validate(parties=parties, lead_agencies=lead_agencies)
    group, created = base.ensure(
        WorkingGroup,
        lookup={"slug": slug},
        defaults={"name": name, "short_name": short_name, "description": description},
        actor=actor,
    )
    if created:
        group.parties.set(parties)
        group.lead_agencies.set(lead_agencies)
    return group, created


@transaction.atomic
def working_group_create(*, actor=None, **fields: Any) -> WorkingGroup:
    working_group_validate(
        parties=fields.get("parties", ()), lead_agencies=fields.get("lead_agencies", ())
    )
    return base.create(WorkingGroup, actor=actor, **fields)


@transaction.atomic
def working_group_update(*, working_group: WorkingGroup, actor=None, **changes: Any):
    working_group_validate(
        parties=changes.get("parties", working_group.parties.all()),
        lead_agencies=changes.get("lead_agencies", working_group.lead_agencies.all()),
    )
    return base.update(working_group, actor=actor, **changes)[0]


@transaction.atomic
def working_group_delete(*, working_group: WorkingGroup, actor=None) -> None:
    base.delete(working_group, actor=actor)


# --------------------------------------------------------------------------- memberships


@transaction.atomic
def membership_set(*, user, working_group: WorkingGroup, role: str, actor=None) -> Membership:
    """Give `user` this role in the group (creating or changing the membership)."""
    membership = Membership.objects.filter(user=user, working_group=working_group).first()
    if membership is None:
        membership = Membership(user=user, working_group=working_group)
    membership.role = role
    return base.save(membership, actor=actor)


@transaction.atomic
def membership_create(*, actor=None, **fields: Any) -> Membership:
    return base.create(Membership, actor=actor, **fields)


@transaction.atomic
def membership_update(*, membership: Membership, actor=None, **changes: Any) -> Membership:
    return base.update(membership, actor=actor, **changes)[0]


@transaction.atomic
def membership_mark_activity_seen(*, membership: Membership, at) -> None:
    """The member has looked at the group's recent activity up to `at` (their next visit
    shows what came after)."""
    Membership.objects.filter(pk=membership.pk).update(activity_seen_at=at)
    membership.activity_seen_at = at


@transaction.atomic
def membership_delete(*, membership: Membership, actor=None) -> None:
    base.delete(membership, actor=actor)


# --------------------------------------------------------------------------- action areas


@transaction.atomic
def action_area_ensure(
    *,
    working_group: WorkingGroup,
    slug: str,
    name: str,
    code: str,
    description: str = "",
    order: int = 0,
    keywords: list[str] | None = None,
    actor=None,
) -> tuple[ActionArea, bool]:
    return base.ensure(
        ActionArea,
        lookup={"working_group": working_group, "slug": slug},
        defaults={
            "name": name,
            "code": code,
            "description": description,
            "order": order,
            "keywords": keywords or [],
        },
        actor=actor,
    )


@transaction.atomic
def action_area_create(*, actor=None, **fields: Any) -> ActionArea:
    return base.create(ActionArea, actor=actor, **fields)


@transaction.atomic
def action_area_update(*, action_area: ActionArea, actor=None, **changes: Any) -> ActionArea:
    return base.update(action_area, actor=actor, **changes)[0]


@transaction.atomic
def action_area_delete(*, action_area: ActionArea, actor=None) -> None:
    base.delete(action_area, actor=actor)


# --------------------------------------------------------------------------- affiliations


@transaction.atomic
def affiliation_set(*, user, agency: Agency | None, actor=None) -> Affiliation | None:
    """Link the user to the agency they work for (None: to none)."""
    current = Affiliation.objects.filter(user=user).first()
    if agency is None:
        if current is not None:
            base.delete(current, actor=actor)
        return None
    if current is None:
        return base.create(Affiliation, actor=actor, user=user, agency=agency)
    return base.update(current, actor=actor, agency=agency)[0]


@transaction.atomic
def affiliation_create(*, actor=None, **fields: Any) -> Affiliation:
    return base.create(Affiliation, actor=actor, **fields)


@transaction.atomic
def affiliation_update(*, affiliation: Affiliation, actor=None, **changes: Any) -> Affiliation:
    return base.update(affiliation, actor=actor, **changes)[0]


@transaction.atomic
def affiliation_delete(*, affiliation: Affiliation, actor=None) -> None:
    base.delete(affiliation, actor=actor)


# --------------------------------------------------------------------------- accounts


@transaction.atomic
def user_ensure(
    *,
    username: str,
    password: str,
    is_superuser: bool = False,
    reset_password: bool = False,
    first_name: str = "",
    last_name: str = "",
) -> tuple[Any, bool]:
    """An account with these flags and name (a superuser is also staff), created with
    `password` when missing. An existing account keeps its password unless `reset_password`."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username, email=f"{username}@example.org")
    wanted = {
        "is_active": True,
        "is_staff": is_superuser,
        "is_superuser": is_superuser,
        "first_name": first_name,
        "last_name": last_name,
    }
    changed = created or any(getattr(user, name) != value for name, value in wanted.items())
    for name, value in wanted.items():
        setattr(user, name, value)
    if created or reset_password:
        user.set_password(password)
        changed = True
    if changed:
        user.save()
        cache.changed(cache.EVERY_GROUP)  # pages show people's names
    return user, created
