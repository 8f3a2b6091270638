"""Placeholder views: the analyst workspace (issue 3) replaces these."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from . import access


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Commitment Tracker")


@login_required
def group_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    group_access = access.get_group_for_user(request.user, slug)
    return HttpResponse(group_access.group.name)


@login_required
def meeting_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    group_access = access.get_group_for_user(request.user, slug)
    return HttpResponse(f"{group_access.group.name} meeting {number}")


@login_required
def area_detail(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
    group_access = access.get_group_for_user(request.user, slug)
    return HttpResponse(f"{group_access.group.name} {area_slug}")


@login_required
def commitment_detail(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    _, commitment = access.get_commitment_for_user(request.user, slug, reference)
    return HttpResponse(str(commitment))
