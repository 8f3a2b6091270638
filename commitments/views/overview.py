"""Overview pages: what each side owes, recent activity, and the group's members."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from common.htmx import htmx_target

from .. import access, selectors, services
from ..forms import ActivityFilterForm
from ..models import MembershipRole


@login_required
@require_safe
def sides(request: HttpRequest, slug: str) -> HttpResponse:
    group_access = access.get_group_for_user(request.user, slug)
    return render(
        request,
        "commitments/sides.html",
        {
            "group": group_access.group,
            "group_access": group_access,
            "report": selectors.sides(group=group_access.group),
        },
    )


@login_required
@require_safe
def recent_activity(request: HttpRequest, slug: str) -> HttpResponse:
    """What happened in the group: follow-ups and edits by the date they happened. Without a
    range, since the member's previous look at this page (or the last 7 days); the look is
    then recorded, so the next visit starts here."""
    group_access = access.get_group_for_user(request.user, slug)
    group = group_access.group
    membership = selectors.membership(user=request.user, group=group)
    default = selectors.activity_default_range(
        seen_at=membership.activity_seen_at if membership else None
    )
    is_default = not (request.GET.get("since") or request.GET.get("until"))
    shown = request.GET.copy()  # the range in effect shows in the date fields
    if not shown.get("since"):
        shown["since"] = default.since.isoformat()
    if not shown.get("until"):
        shown["until"] = default.until.isoformat()
    form = ActivityFilterForm(shown, group=group)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    since = data.get("since") or default.since
    until = data.get("until") or default.until
    if since > until:
        since, until = until, since
    page = selectors.recent_activity(
        group=group,
        since=since,
        until=until,
        area=data.get("area"),
        party=data.get("side"),
        page_number=request.GET.get("page"),
    )
    context = {
        "group": group,
        "group_access": group_access,
        "form": form,
        "page": page,
        "since": since,
        "until": until,
        "default": default,
        "is_default": is_default,
    }
    template = "commitments/activity.html"
    if htmx_target(request) == "activity-results":
        template += "#activity-results"
    response = render(request, template, context)
    if membership is not None and not request.GET.get("page"):
        services.membership_mark_activity_seen(membership=membership, at=timezone.now())
    return response


@login_required
@require_safe
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's members, their roles and agencies: for its coordinators. Roles are changed
    by an installation administrator (see the page)."""
    group_access = access.get_group_for_user(request.user, slug, need=MembershipRole.COORDINATOR)
    return render(
        request,
        "commitments/members.html",
        {
            "group": group_access.group,
            "group_access": group_access,
            "members": selectors.members(group=group_access.group),
        },
    )
