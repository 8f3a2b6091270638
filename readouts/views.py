"""The readout importer's pages: import a readout for a meeting, then review its candidates
beside its text. Coordinators of the group only (`readouts.access`); plain forms with
POST-redirect-GET, and HTMX that swaps a decided candidate in place."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from commitments import access as domain_access
from commitments.models import MembershipRole
from common.limits import accepts_uploads

from . import selectors, services
from .access import get_candidate_for_user, get_readout_for_user
from .forms import AcceptForm, PassageForm, ReadoutForm

COORDINATOR = MembershipRole.COORDINATOR
CHANGED = "readout-changed"
# Files up to this size reach the form, which accepts 2 MB and says so at the field.
READOUT_UPLOAD_MAX_BYTES = 25 * 1024 * 1024


@accepts_uploads(READOUT_UPLOAD_MAX_BYTES)
@login_required
@require_http_methods(["GET", "POST"])
def readout_import(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    group_access, meeting = domain_access.get_meeting_for_user(
        request.user, slug, number, need=COORDINATOR
    )
    if request.method == "POST":
        form = ReadoutForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                readout, created = services.readout_import(
                    meeting=meeting,
                    text=data["text"],
                    title=data["title"],
                    publisher=data["publisher"],
                    published_on=data.get("published_on"),
                    url=data.get("url") or "",
                    kind=data["kind"],
                    filename=data.get("filename", ""),
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if created:
                    n = selectors.count_candidates(readout=readout)
                    messages.success(
                        request, f"Imported. {n} passage{'' if n == 1 else 's'} to review."
                    )
                else:
                    messages.info(
                        request,
                        "This text was imported before: here is its review, unchanged.",
                    )
                return redirect(_review_url(slug, readout.pk))
        form.focus_first_error()
    else:
        form = ReadoutForm(initial={"published_on": meeting.end_date})
    return render(
        request,
        "readouts/readout_form.html",
        {
            "group": group_access.group,
            "group_access": group_access,
            "meeting": meeting,
            "form": form,
            "readouts": selectors.readouts_of(meeting=meeting),
        },
    )


def _review_url(slug: str, pk: int) -> str:
    return reverse("readouts:review", args=[slug, pk])


def _review_context(request, group_access, readout, **extra) -> dict:
    review = selectors.review(readout=readout)
    forms = {
        c.pk: AcceptForm(
            prefix=f"c{c.pk}",
            choices=review.choices,
            initial=AcceptForm.initial_for(c, review.choices),
        )
        for c in review.candidates
        if c.state == "proposed"
    }
    forms.update(extra.pop("forms", {}))
    return {
        "group": group_access.group,
        "group_access": group_access,
        "readout": readout,
        "review": review,
        "forms": forms,
        "passage": extra.pop("passage", None) or PassageForm(),
        **extra,
    }


@login_required
@require_http_methods(["GET"])
def review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group_access, readout = get_readout_for_user(request.user, slug, pk)
    return render(
        request, "readouts/readout_review.html", _review_context(request, group_access, readout)
    )


def _card(request, group_access, candidate, *, form=None, announce: str = ""):
    """One candidate's card (htmx): fresh from the database, with its accept form if it is
    still to review, and its mark in the text updated out of band."""
    candidate = selectors.candidate(pk=candidate.pk)
    if candidate.state == "proposed" and form is None:
        choices = selectors.accept_choices(group_access.group)
        form = AcceptForm(
            prefix=f"c{candidate.pk}",
            choices=choices,
            initial=AcceptForm.initial_for(candidate, choices),
        )
    context = {
        "group": group_access.group,
        "group_access": group_access,
        "readout": candidate.readout,
        "c": candidate,
        "forms": {candidate.pk: form} if form is not None else {},
        "announce": announce,
        "oob": True,
    }
    response = render(request, "readouts/readout_review.html#candidate-card", context)
    return trigger_client_event(response, CHANGED)


def _decided(request, group_access, candidate, message: str, *, level=messages.SUCCESS):
    """After a decision: the candidate's card again (htmx), or the review page (no JS)."""
    if request.htmx:
        return _card(request, group_access, candidate, announce=message)
    messages.add_message(request, level, message)
    url = _review_url(group_access.group.slug, candidate.readout_id)
    return redirect(f"{url}#candidate-{candidate.pk}")


@login_required
@require_POST
def accept(request: HttpRequest, slug: str, pk: int, candidate_pk: int) -> HttpResponse:
    group_access, candidate = get_candidate_for_user(request.user, slug, pk, candidate_pk)
    readout = candidate.readout
    choices = selectors.accept_choices(group_access.group)
    form = AcceptForm(request.POST, prefix=f"c{candidate.pk}", choices=choices)
    if form.is_valid():
        try:
            commitment = services.candidate_accept(
                candidate=candidate, actor=request.user, **form.accept_kwargs()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _decided(
                request,
                group_access,
                candidate,
                f"Accepted as {commitment.reference} “{commitment.title}”.",
            )
    form.focus_first_error()
    if request.htmx:
        return _card(request, group_access, candidate, form=form,
                     announce="Not accepted: please correct what is marked.")  # fmt: skip
    context = _review_context(request, group_access, readout, forms={candidate.pk: form})
    return render(request, "readouts/readout_review.html", context)


def _decide(request, slug: str, pk: int, candidate_pk: int, service, done: str) -> HttpResponse:
    """Set a candidate aside or back to review: the service's refusal, or `done`, as the
    message."""
    group_access, candidate = get_candidate_for_user(request.user, slug, pk, candidate_pk)
    try:
        service(candidate=candidate, actor=request.user)
    except ValidationError as error:
        return _decided(request, group_access, candidate, " ".join(error.messages),
                        level=messages.ERROR)  # fmt: skip
    return _decided(request, group_access, candidate, done)


@login_required
@require_POST
def reject(request: HttpRequest, slug: str, pk: int, candidate_pk: int) -> HttpResponse:
    return _decide(request, slug, pk, candidate_pk, services.candidate_reject,
                   "Set aside: not a commitment.")  # fmt: skip


@login_required
@require_POST
def reconsider(request: HttpRequest, slug: str, pk: int, candidate_pk: int) -> HttpResponse:
    return _decide(request, slug, pk, candidate_pk, services.candidate_reconsider,
                   "Back to review.")  # fmt: skip


@login_required
@require_POST
def passage(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A candidate from a passage the finder missed, then its card to accept."""
    group_access, readout = get_readout_for_user(request.user, slug, pk)
    form = PassageForm(request.POST)
    if form.is_valid():
        try:
            candidate = services.candidate_from_passage(
                readout=readout,
                paragraph=form.cleaned_data["paragraph"],
                text=form.cleaned_data["text"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied:
            raise
        else:
            messages.success(request, "Added: check what it says, then accept it.")
            return redirect(f"{_review_url(slug, readout.pk)}#candidate-{candidate.pk}")
    form.focus_first_error()
    return render(
        request,
        "readouts/readout_review.html",
        _review_context(request, group_access, readout, passage=form),
        status=200,
    )
