"""Compliance reviews: the list, opening one (coordinators), the review page with each side
next to the other, proposing a score (analysts for their side, coordinators for any),
confirming one and closing the review (coordinators). Plain forms, POST-redirect-GET; a
closed review shows its frozen scores and refuses every change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import access, selectors, services
from ..forms import ChangesForm, ReviewOpenForm, ScoreForm
from ..models import MembershipRole

COORDINATOR = MembershipRole.COORDINATOR
ANALYST = MembershipRole.ANALYST


@login_required
@require_safe
def review_list(request: HttpRequest, slug: str) -> HttpResponse:
    group_access = access.get_group_for_user(request.user, slug)
    return render(
        request,
        "commitments/review_list.html",
        {
            "group": group_access.group,
            "group_access": group_access,
            "reviews": selectors.reviews(group=group_access.group),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, slug: str) -> HttpResponse:
    group_access = access.get_group_for_user(request.user, slug, need=COORDINATOR)
    group = group_access.group
    form = ReviewOpenForm(request.POST or None, group=group)
    if request.method == "POST":
        if form.is_valid():
            try:
                review = services.compliance_review_open(
                    working_group=group, meeting=form.cleaned_data["meeting"], actor=request.user
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    f"The review is open: {review.commitments.count()} commitments to score.",
                )
                return redirect(review)
        form.focus_first_error()
    return render(
        request,
        "commitments/review_form.html",
        {"group": group, "group_access": group_access, "form": form},
    )


@login_required
@require_safe
def review_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group_access, review = access.get_review_for_user(request.user, slug, pk)
    detail = selectors.review_detail(review=review)
    side_id = access.side_of(group_access, request.user) if group_access.can_follow_up else None
    return render(
        request,
        "commitments/review_detail.html",
        {
            "group": group_access.group,
            "group_access": group_access,
            "review": review,
            "detail": detail,
            "scorable": {p.pk for p in detail.parties if access.may_score(group_access, side_id, p)}
            if review.is_open
            else set(),
        },
    )


def _score_target(review, reference: str, party_code: str):
    """The commitment under review and the group's side named in the URL (404 otherwise)."""
    commitment = selectors.review_commitment(review=review, reference=reference)
    party = selectors.group_party(group=review.working_group, code=party_code)
    if commitment is None or party is None:
        raise Http404("No such commitment in this review, or no such side.")
    return commitment, party


@login_required
@require_http_methods(["GET", "POST"])
def score_edit(
    request: HttpRequest, slug: str, pk: int, reference: str, party: str
) -> HttpResponse:
    """Propose a side's score (a coordinator's is confirmed at once, theirs to give)."""
    group_access, review = access.get_review_for_user(request.user, slug, pk)
    commitment, side = _score_target(review, reference, party)  # 404 before 403
    group_access.require(ANALYST)
    access.require_may_score(group_access, access.side_of(group_access, request.user), side)
    existing = selectors.review_score(review=review, commitment=commitment, party=side)
    if request.method == "POST":
        form = ScoreForm(request.POST)
        if form.is_valid():
            try:
                saved = services.compliance_score_propose(
                    review=review,
                    commitment=commitment,
                    party=side,
                    actor=request.user,
                    actor_access=group_access,
                    **form.service_kwargs(),
                )
                if group_access.can_coordinate and "confirm" in request.POST:
                    services.compliance_score_confirm(
                        compliance_score=saved, actor=request.user, actor_access=group_access
                    )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, f"{side.name}'s score for {commitment.reference} is saved."
                )
                return redirect(review.get_absolute_url() + f"#row-{commitment.reference}")
        form.focus_first_error()
    else:
        initial = {}
        if existing is not None:
            initial = {
                "score": existing.score,
                "rationale": existing.rationale,
                "evidence_url": existing.evidence_url,
            }
        form = ScoreForm(initial=initial)
    return render(
        request,
        "commitments/score_form.html",
        {
            "group": group_access.group,
            "group_access": group_access,
            "review": review,
            "commitment": commitment,
            "side": side,
            "existing": existing,
            "form": form,
        },
    )


@login_required
@require_POST
def score_confirm(request: HttpRequest, slug: str, pk: int, score_pk: int) -> HttpResponse:
    group_access, review, score = access.get_score_for_user(
        request.user, slug, pk, score_pk, need=COORDINATOR
    )
    try:
        services.compliance_score_confirm(
            compliance_score=score, actor=request.user, actor_access=group_access
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{score.party.name}'s score for {score.commitment.reference} is confirmed."
        )
    return redirect(review.get_absolute_url() + f"#row-{score.commitment.reference}")


@login_required
@require_POST
def review_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, review = access.get_review_for_user(request.user, slug, pk, need=COORDINATOR)
    try:
        services.compliance_review_close(review=review, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The review is closed: its scores are frozen.")
    return redirect(review)


@login_required
@require_safe
def changes(request: HttpRequest, slug: str) -> HttpResponse:
    """What changed between two snapshots of the group, or between one and now (the choices
    are the group's own snapshots: another's cannot be named)."""
    group_access = access.get_group_for_user(request.user, slug)
    group = group_access.group
    snapshots = selectors.snapshots(group=group)
    form = ChangesForm(request.GET or None, snapshots=snapshots)
    before, after = form.chosen()
    result = None
    if before is not None:
        result = selectors.changes_between(group=group, before=before, after=after)
    return render(
        request,
        "commitments/changes.html",
        {"group": group, "group_access": group_access, "form": form, "result": result},
    )
