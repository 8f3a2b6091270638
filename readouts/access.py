"""Who may use the readout importer: the coordinators of the group (and superusers), through
the domain's access rules; a stranger to the group gets 404, any other member 403."""

from __future__ import annotations

from django.http import Http404

from commitments import access as domain_access
from commitments.models import MembershipRole

from .models import Readout

COORDINATOR = MembershipRole.COORDINATOR


def get_readout_for_user(user, slug: str, pk: int, *, need: str = COORDINATOR):
    group_access = domain_access.get_group_for_user(user, slug)
    readout = (
        Readout.objects.in_group(group_access.group)
        .filter(pk=pk)
        .select_related("meeting", "source_document", "imported_by")
        .first()
    )
    if readout is None:
        raise Http404("No such readout.")
    readout.working_group = group_access.group
    group_access.require(need)
    return group_access, readout


def get_candidate_for_user(user, slug: str, readout_pk: int, pk: int, *, need: str = COORDINATOR):
    """Everything a URL names is looked up (404 when it is not there) before the role is
    checked (403)."""
    group_access, readout = get_readout_for_user(user, slug, readout_pk, need=MembershipRole.VIEWER)
    candidate = readout.candidates.filter(pk=pk).select_related("area", "commitment").first()
    if candidate is None:
        raise Http404("No such candidate.")
    group_access.require(need)
    candidate.readout = readout
    return group_access, candidate
