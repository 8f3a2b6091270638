"""What the admin tests share: admin URLs, one row of every model built through the services,
a staff clerk with chosen permissions, and the data a browser would post back from a form.
Their fixtures (`everything`, `admin_client`) are in conftest.py."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Permission
from django.urls import reverse

from commitments import services
from commitments.models import Status
from tests import factories
from tests.factories import Role

# Query budgets, measured and then fixed here; none of the queries grows with the rows. The
# busiest changelist, commitments, makes 13: session, user; the choices of the working group,
# action area, meeting, lead agency and owner filters; the filtered and the full count; the
# page of rows; their lead agencies (one prefetch). (No date hierarchy: its drill-down read
# every row's date, which does not scale; see the 100k test in test_admin_commitments.py.)
CHANGELIST_BUDGET = 14
# A change page: session, user, the object, the labels of its selected autocomplete values
# (one query per field, not per row), and one query per inline with its rows' related objects.
PAGE_BUDGET = 16


def url(model, view: str, *args) -> str:
    return reverse(f"admin:commitments_{model._meta.model_name}_{view}", args=args)


def populate(group, start: int, stop: int) -> None:
    """Rows number `start` to `stop - 1` of every busy list, each through the services."""
    area = group.action_areas.get(code="PC")
    for i in range(start, stop):
        agency = factories.agency("US", f"AG{i}", f"Agency number {i}")
        person, _ = services.person_ensure(name=f"Person {i}", title="Delegate", agency=agency)
        document, _ = services.source_document_ensure(
            working_group=group,
            title=f"Readout {i}",
            publisher="Example publisher",
            kind="readout",
            published_on=datetime.date(2026, 1, 21),
        )
        meeting = factories.meeting(
            group,
            i + 2,
            start_date=datetime.date(2026, 2, 1) + datetime.timedelta(days=i),
            end_date=datetime.date(2026, 2, 1) + datetime.timedelta(days=i),
            participants=[(person, "delegate")],
            source_documents=[document],
        )
        member = factories.member(group, Role.ANALYST, f"member{i}")
        services.affiliation_set(user=member, agency=agency)
        commitment = factories.commitment(
            group,
            area,
            meeting,
            title=f"Commitment number {i}",
            lead_agencies=[agency],
            owner=member,
            due_date=datetime.date(2026, 6, 1) + datetime.timedelta(days=i),
            source_document=document,
        )
        services.follow_up_record(
            commitment=commitment,
            author=member,
            note=f"Work started on {i}.",
            expected_version=commitment.version,
            status=Status.IN_PROGRESS,
            progress=10,
        )
        indicator, _ = services.indicator_ensure(
            working_group=group,
            name=f"Indicator {i}",
            unit="cases",
            action_area=area,
            commitment=commitment,
            target_date=datetime.date(2026, 12, 31),
        )
        services.measurement_record(
            indicator=indicator,
            period_end=datetime.date(2026, 1, 31),
            value=i,
            entered_by=member,
        )
        review = services.compliance_review_open(working_group=group, meeting=meeting, actor=member)
        services.compliance_score_create(
            review=review,
            commitment=commitment,
            party=agency.party,
            score=1,
            rationale=f"Done {i}.",
            proposed_by=member,
        )
    services.snapshot_take(working_group=group)


def clerk_with(*codenames: str, username: str = "clerk"):
    """A staff user who is not a superuser, with these permissions of the app."""
    user = factories.user(username, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="commitments", codename__in=codenames)
    )
    return user


def form_data(response) -> dict:
    """What a browser would post back from an admin change form, as it was rendered."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else value

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data
