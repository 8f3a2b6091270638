"""The analyst workspace: pages that read through `selectors`, forms that write through
`services`, and access decided by `access` (stranger 404, read-only member 403).

One template per page. When htmx asks for a part of a page (its `HX-Target` is the id of an
element the page template defines as a `{% partialdef %}` of the same name), the view renders
`"page.html#<id>"`; otherwise the whole page. Writes answer htmx with the updated fragment and a
`commitment-changed` event, and plain browsers with POST-redirect-GET.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import trigger_client_event

from common.htmx import htmx_target

from .. import access, cache, selectors, services
from ..filters import list_filters
from ..forms import CommitmentFilterForm, FollowUpForm, MeasurementForm, StatusChangeForm
from ..models import Commitment, Membership, Status

Role = Membership.Role
CHANGED = "commitment-changed"


# --------------------------------------------------------------------------- home and dashboard


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The user's working groups; straight to the group when there is only one."""
    groups = selectors.group_summaries(
        groups=access.visible_groups(request.user), user=request.user
    )
    if len(groups) == 1:
        return redirect(groups[0])
    return render(request, "commitments/home.html", {"groups": groups})


@login_required
@require_safe
def group_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    group_access = access.get_group_for_user(request.user, slug)
    # Read only when drawn: the page is kept under the group's version and the day (the
    # template's {% cache %}, commitments.cache).
    dashboard = SimpleLazyObject(lambda: selectors.group_dashboard(group=group_access.group))
    return render(
        request,
        "commitments/dashboard.html",
        {
            "group": group_access.group,
            "group_access": group_access,
            "dashboard": dashboard,
            "kept_for": cache.kept_for(),
            "piece": cache.piece(
                group_access.group,
                timezone.localdate(),
                group_access.role,
                group_access.can_coordinate,
            ),
        },
    )


# --------------------------------------------------------------------------- commitments list


@login_required
@require_safe
def commitment_list(request: HttpRequest, slug: str) -> HttpResponse:
    group_access = access.get_group_for_user(request.user, slug)
    group = group_access.group
    form = CommitmentFilterForm(
        request.GET, group=group, inactive_after_days=selectors.inactive_after_days()
    )
    filters = list_filters(form, request.user)

    def results() -> Page:
        return selectors.list_page(
            group=group, filters=filters, page_number=request.GET.get("page")
        )

    here = request.get_full_path()
    htmx = htmx_target(request) == "commitment-results"
    # After “previous/next page” the link is gone: focus the results' heading instead.
    focus = htmx and request.htmx.trigger in ("page-prev", "page-next")
    context = {
        "group": group,
        "group_access": group_access,
        "form": form,
        "page": results(),
        "statuses": Status.choices,
        "here": here,
        "export_query": _without_page(request),
        "announce_results": htmx,
        "focus_results": focus,
    }
    template = "commitments/commitment_list.html"
    if htmx:
        template += "#commitment-results"
    return render(request, template, context)


def _without_page(request: HttpRequest) -> str:
    """The list's query string without its page: an export takes every page."""
    query = request.GET.copy()
    query.pop("page", None)
    return f"?{query.urlencode()}" if query else ""


def _safe_next(request: HttpRequest, url: str | None, fallback: str) -> str:
    """`url` when it is a path on this site ("/..."), else `fallback`. Never a URL name
    ("home") or a relative path ("foo"): the caller redirects to it as it is."""
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return fallback


@login_required
@require_POST
def commitment_status(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """The quick status change of a list row: a follow-up saying the status was changed.
    Choosing the status it already has records nothing."""
    # The answer shows the row from selectors.list_rows, or redirects: nothing related read.
    group_access, commitment = access.get_commitment_for_user(
        request.user, slug, reference, need=Role.ANALYST, related=False
    )
    # The list posts every row's control in one form: this row's select is named after it,
    # the version comes with the row's own button.
    form = StatusChangeForm(
        {
            "status": request.POST.get(f"status-{reference}", request.POST.get("status", "")),
            "version": request.POST.get("version", ""),
            "next": request.POST.get("next", ""),
        }
    )
    list_url = reverse("commitments:commitment_list", args=[slug])
    changed = False
    conflict = None
    problem = ""
    if not form.is_valid():
        problem = " ".join(message for errors in form.errors.values() for message in errors)
    elif form.cleaned_data["status"] != commitment.status:
        new_status = form.cleaned_data["status"]
        try:
            services.follow_up_record(
                commitment=commitment,
                author=request.user,
                note=f"Status set to “{Status(new_status).label}” from the commitments list.",
                status=new_status,
                expected_version=form.cleaned_data["version"],
                author_access=group_access,
            )
            changed = True
        except services.ConflictError as error:
            conflict = services.Conflict.from_error(error)
            commitment = error.current
            problem = conflict.summary
        except ValidationError as error:
            problem = " ".join(
                message for messages_ in error.message_dict.values() for message in messages_
            )

    label = commitment.get_status_display()
    if problem:
        level, message = messages.ERROR, f"{commitment.reference}: not changed. {problem}"
    elif changed:
        level, message = messages.SUCCESS, f"{commitment.reference} is now “{label}”."
    else:
        level, message = messages.INFO, f"{commitment.reference} is already “{label}”."
    back = _safe_next(request, form.data.get("next"), list_url)

    if not request.htmx:
        messages.add_message(request, level, message)
        return HttpResponseRedirect(back)

    (row,) = selectors.list_rows([commitment.pk])
    response = render(
        request,
        "commitments/commitment_list.html#commitment-row",
        {
            "group": group_access.group,
            "group_access": group_access,
            "c": row,
            "row_problem": problem,
            "row_saved": changed,
            "row_note": "" if problem or changed else message,
            "autofocus_row": True,
            "statuses": Status.choices,
            "row_announce": message,
            "here": back,
        },
    )
    if changed or conflict:
        trigger_client_event(response, CHANGED)
    return response


# --------------------------------------------------------------------------- commitment page


def _commitment_context(
    request: HttpRequest, group_access: access.GroupAccess, commitment: Commitment, **extra
) -> dict:
    """The commitment page's context: `extra` brings the forms of a request that came back
    with the user's input (errors, a conflict)."""
    detail = selectors.commitment_detail(commitment=commitment)
    group = group_access.group
    context = {
        "group": group,
        "group_access": group_access,
        "commitment": commitment,
        "detail": detail,
        "timeline": selectors.timeline(commitment=commitment, page_number=request.GET.get("page")),
        "has_form": "form" in extra or group_access.can_follow_up,
    }
    if group_access.can_follow_up and "form" not in extra:
        form = FollowUpForm(commitment=commitment)
        # "Correct this entry" links here with ?corrects=<id>: the form says which one.
        corrects = request.GET.get("corrects", "")
        if corrects.isdigit():
            form.corrected = selectors.correctable_entry(commitment=commitment, pk=int(corrects))
            if form.corrected is not None:
                form.initial["corrects"] = form.corrected.pk
        context["form"] = form
    if group_access.can_follow_up and "measurement_form" not in extra and detail.indicators:
        context["measurement_form"] = MeasurementForm(
            group=group,
            indicators=detail.indicators,  # the page's own: read once for both
            side_id=access.side_of(group_access, request.user),
        )
    context.update(extra)
    return context


@login_required
@require_safe
def commitment_detail(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    group_access, commitment = access.get_commitment_for_user(request.user, slug, reference)
    target = htmx_target(request)
    if target == "commitment-status":
        # Only the status block: no other query than the access check.
        return render(
            request,
            "commitments/commitment_detail.html#commitment-status",
            {"group": group_access.group, "commitment": commitment},
        )
    if target == "commitment-indicators":
        return render(
            request,
            "commitments/commitment_detail.html#commitment-indicators",
            {
                "group": group_access.group,
                "group_access": group_access,
                "commitment": commitment,
                "detail": selectors.commitment_detail(commitment=commitment),
            },
        )
    if target == "timeline":
        return render(
            request,
            "commitments/commitment_detail.html#timeline",
            {
                "group": group_access.group,
                "group_access": group_access,
                "commitment": commitment,
                "timeline": selectors.timeline(
                    commitment=commitment, page_number=request.GET.get("page")
                ),
                # After “newer/older” the link is gone: focus the timeline's summary instead.
                "focus_timeline": request.htmx.trigger in ("timeline-newer", "timeline-older"),
            },
        )
    return render(
        request,
        "commitments/commitment_detail.html",
        _commitment_context(request, group_access, commitment),
    )


@login_required
@require_POST
def follow_up_create(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """Log a follow-up with the version the user saw. A stale version is not an error of the
    user's: they get what changed meanwhile, their input back, and the form now carries the
    current version so that submitting again records it on top of the other change."""
    # Its area, meeting, owner and source are shown only if the form comes back: read then.
    group_access, commitment = access.get_commitment_for_user(
        request.user, slug, reference, need=Role.ANALYST, related=False
    )
    form = FollowUpForm(request.POST, commitment=commitment)
    conflict = None
    if form.is_valid():
        try:
            services.follow_up_record(
                commitment=commitment,
                author=request.user,
                author_access=group_access,
                **form.service_kwargs(),
            )
        except services.ConflictError as error:
            conflict = services.Conflict.from_error(error)
            data = request.POST.copy()
            data["version"] = str(error.current.version)
            commitment = error.current
            form = FollowUpForm(data, commitment=commitment)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _follow_up_saved(request, group_access, commitment)

    form.focus_first_error()
    if conflict:
        announce = (
            "Your follow-up was not saved: someone else changed this commitment. "
            "Your text is kept; check the changes and save again."
        )
    else:
        n = len(form.errors)
        announce = (
            f"Your follow-up was not saved: {n} {'field needs' if n == 1 else 'fields need'} "
            "attention."
        )
    if request.htmx:
        response = render(
            request,
            "commitments/commitment_detail.html#follow-up-form",
            {
                "group": group_access.group,
                "commitment": commitment,
                "form": form,
                "conflict": conflict,
                "announce": announce,
            },
        )
        if conflict:
            # The rest of the page catches up with what the other person did.
            trigger_client_event(response, CHANGED)
        return response
    # Without JavaScript: the whole page again, with the current state and the user's input.
    group_access, commitment = access.get_commitment_for_user(
        request.user, slug, reference, need=Role.ANALYST
    )
    return render(
        request,
        "commitments/commitment_detail.html",
        _commitment_context(request, group_access, commitment, form=form, conflict=conflict),
        status=409 if conflict else 200,
    )


def _follow_up_saved(
    request: HttpRequest, group_access: access.GroupAccess, commitment: Commitment
) -> HttpResponse:
    summary = (
        f"Follow-up saved. {commitment.reference} is “{commitment.get_status_display()}”, "
        f"{commitment.progress}%."
    )
    if not request.htmx:
        messages.success(request, summary)
        return redirect(commitment)
    form = FollowUpForm(commitment=commitment)
    form.fields["note"].widget.attrs["autofocus"] = True
    response = render(
        request,
        "commitments/commitment_detail.html#follow-up-form",
        {
            "group": group_access.group,
            "commitment": commitment,
            "form": form,
            "saved": summary,
            "announce": summary,
        },
    )
    return trigger_client_event(response, CHANGED)


# --------------------------------------------------------------------------- meetings and areas


@login_required
@require_safe
def meeting_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    group_access, meeting = access.get_meeting_for_user(request.user, slug, number)
    detail = selectors.meeting_detail(meeting=meeting, page_number=request.GET.get("page"))
    return render(
        request,
        "commitments/meeting_detail.html",
        {"group": group_access.group, "group_access": group_access, "detail": detail},
    )


@login_required
@require_safe
def area_detail(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
    group_access, area = access.get_area_for_user(request.user, slug, area_slug)
    detail = selectors.area_detail(area=area, page_number=request.GET.get("page"))
    return render(
        request,
        "commitments/area_detail.html",
        {"group": group_access.group, "group_access": group_access, "detail": detail},
    )
