"""Builders of test and bench data: the one set, used by the view and browser tests and by
bench/ (the benchmarks build their data with these too). They go through the services, like
every other write, so the data is what the real paths produce."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model

from commitments import services
from commitments.models import (
    ActionArea,
    Agency,
    Commitment,
    Meeting,
    Membership,
    SourceDocument,
    WorkingGroup,
)

_seq = itertools.count(1)

PASSWORD = "correct horse battery staple"


def user(username: str | None = None, *, password: str = PASSWORD, **fields):
    username = username or f"user{next(_seq)}"
    fields.setdefault("email", f"{username}@example.org")
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def working_group(short_name: str | None = None, **fields) -> WorkingGroup:
    n = next(_seq)
    short_name = short_name or f"WG{n}"
    us, _ = services.party_ensure(code="US", name="United States")
    india, _ = services.party_ensure(code="IN", name="India")
    group, _ = services.working_group_ensure(
        slug=fields.pop("slug", short_name.lower()),
        name=fields.pop("name", f"Working group {short_name}"),
        short_name=short_name,
        parties=[us, india],
        **fields,
    )
    return group


def action_area(group: WorkingGroup, code: str = "PC", **fields) -> ActionArea:
    area, _ = services.action_area_ensure(
        working_group=group,
        slug=fields.pop("slug", code.lower()),
        name=fields.pop("name", f"Area {code}"),
        code=code,
        **fields,
    )
    return area


def meeting(group: WorkingGroup, number: int = 1, **fields) -> Meeting:
    fields.setdefault("title", f"Meeting {number}")
    fields.setdefault("start_date", datetime.date(2026, 1, 20))
    fields.setdefault("end_date", datetime.date(2026, 1, 21))
    m, _ = services.meeting_ensure(working_group=group, number=number, **fields)
    return m


def agency(party_code: str = "US", acronym: str = "ONDCP", name: str | None = None):
    party = services.party_ensure(
        code=party_code, name={"US": "United States", "IN": "India"}.get(party_code, party_code)
    )[0]
    return services.agency_ensure(party=party, acronym=acronym, name=name or acronym)[0]


def lead_agencies() -> tuple[Agency, Agency]:
    """The co-leads of the seeded group, one per side: ONDCP (US) and NCB (India)."""
    return (
        agency("US", "ONDCP", "Office of National Drug Control Policy"),
        agency("IN", "NCB", "Narcotics Control Bureau"),
    )


def source_document(
    group: WorkingGroup, title: str = "Joint statement", *, meeting: Meeting | None = None, **fields
) -> SourceDocument:
    """A document of the group (a joint statement unless said), cited by `meeting` if given."""
    fields.setdefault("publisher", "Test publisher")
    fields.setdefault("kind", "joint_statement")
    fields.setdefault("published_on", datetime.date(2026, 1, 21))
    document, _ = services.source_document_ensure(working_group=group, title=title, **fields)
    if meeting is not None:
        services.meeting_add_source_document(meeting=meeting, source_document=document)
    return document


def commitment(
    group: WorkingGroup,
    area: ActionArea | None = None,
    meeting_: Meeting | None = None,
    **fields,
) -> Commitment:
    area = area or group.action_areas.order_by("order", "id").first() or action_area(group)
    meeting_ = meeting_ or group.meetings.order_by("number").first() or meeting(group)
    fields.setdefault("title", f"Commitment {next(_seq)}")
    return services.commitment_create(
        working_group=group, action_area=area, meeting=meeting_, **fields
    )


def indicator(group: WorkingGroup, name: str | None = None, **fields):
    """An indicator of the group, measuring its first area unless told otherwise."""
    if "commitment" not in fields:
        fields.setdefault("action_area", group.action_areas.order_by("order", "id").first())
    fields.setdefault("unit", "cases")
    made, _ = services.indicator_ensure(
        working_group=group, name=name or f"Indicator {next(_seq)}", **fields
    )
    return made


def member(group: WorkingGroup, role: str, username: str | None = None, **fields):
    """A user with this role in the group (pass `password=` to choose theirs)."""
    u = user(username, **fields)
    services.membership_set(user=u, working_group=group, role=role)
    return u


Role = Membership.Role
