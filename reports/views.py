"""The reports app's pages: exports of the commitments list, and a member's calendar feed and
digest settings. Every view checks who is asking through the domain's access rules; the feed,
which calendar programs fetch without a session, checks its secret token instead."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe

from commitments import access
from commitments import cache as domain_cache
from commitments import selectors as domain
from commitments.models import MembershipRole
from common.limits import accepts_uploads

from . import calendar, documents, pack, selectors, services, tabular
from .forms import DigestForm, ImportForm
from .imports import MAX_BYTES, FileRefused, read_table
from .models import ImportBatch


def _filename(group, what: str, extension: str) -> str:
    return f"{group.slug}-{what}-{timezone.localdate().isoformat()}.{extension}"


@login_required
@require_safe
def commitments_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """The list as CSV: the same filters and order as the page, every row, streamed."""
    group_access = access.get_group_for_user(request.user, slug)
    export = selectors.list_export(group=group_access.group, user=request.user, params=request.GET)
    response = StreamingHttpResponse(
        tabular.csv_lines(selectors.export_rows(export), title=export.description),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(export.group, "commitments", "csv")}"'
    )
    return response


@login_required
@require_safe
def commitments_xlsx(request: HttpRequest, slug: str) -> FileResponse:
    """The list as an Excel workbook: a summary sheet of every row, then a sheet per area."""
    group_access = access.get_group_for_user(request.user, slug)
    export = selectors.list_export(group=group_access.group, user=request.user, params=request.GET)
    sheets = [("All", export.description, selectors.export_rows(export))]
    sheets += [
        (name, f"{export.description}: {name}", rows)
        for name, rows in selectors.rows_by_area(export)
    ]
    return FileResponse(
        tabular.xlsx_file(sheets),
        as_attachment=True,
        filename=_filename(export.group, "commitments", "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --------------------------------------------------------------------------- briefing pack


def _asked(request: HttpRequest, slug: str):
    """Who asks, the meeting asked for (?meeting=N, a meeting of the group; 404 if none; None:
    now) and the classification line for this printing (?classification=...)."""
    group_access = access.get_group_for_user(request.user, slug)
    meeting = None
    number = request.GET.get("meeting", "")
    if number:
        if not number.isdigit():
            raise Http404("No such meeting.")
        group_access, meeting = access.get_meeting_for_user(request.user, slug, int(number))
    return group_access, meeting, pack.classification_of(request.GET.get("classification"))


def _part(request: HttpRequest) -> int:
    """The part of the pack asked for (?part=N, from 1); 404 for anything else. Whether the
    pack has that many parts is known once it is read (pack.briefing_pack: 404 too)."""
    number = request.GET.get("part", "1")
    if not number.isdigit() or not 1 <= int(number) <= 1_000_000:
        raise Http404("No such part of the pack.")
    return int(number)


def _pack(request: HttpRequest, slug: str):
    group_access, meeting, classification = _asked(request, slug)
    return group_access, pack.briefing_pack(
        group=group_access.group,
        meeting=meeting,
        classification=classification,
        part=_part(request),
    )


def _pack_filename(the_pack, extension: str) -> str:
    what = f"briefing-meeting-{the_pack.meeting.number}" if the_pack.meeting else "briefing"
    if the_pack.parts > 1:
        what += f"-part-{the_pack.part}-of-{the_pack.parts}"
    return _filename(the_pack.group, what, extension)


@login_required
@require_safe
def briefing(request: HttpRequest, slug: str) -> HttpResponse:
    """The pack as a print-ready page (A4 or Letter: the browser's print dialog chooses). Each
    part is kept (commitments.cache: the template's {% cache %}) under the group's version,
    the day, the meeting, the classification line and the part; it is read only when drawn,
    and shows nothing of the person asking. A group of more than settings.BRIEFING_PART_SIZE
    commitments has it in parts (?part=N)."""
    group_access, meeting, classification = _asked(request, slug)
    part = _part(request)
    group = group_access.group
    today = timezone.localdate()
    query = request.GET.urlencode()
    return render(
        request,
        "reports/briefing.html",
        {
            "group": group,
            "group_access": group_access,
            "title": pack.title_of(meeting, today, part),
            "meeting": meeting,
            "classification": classification,
            "pack": SimpleLazyObject(
                lambda: pack.briefing_pack(
                    group=group,
                    meeting=meeting,
                    classification=classification,
                    today=today,
                    part=part,
                )
            ),
            "kept_for": domain_cache.kept_for(),
            "piece": domain_cache.piece(
                group,
                meeting and meeting.pk,
                classification,
                today,
                part,
                settings.BRIEFING_PART_SIZE,
            ),
            "query": f"?{query}" if query else "",
            "meetings": domain.catalogue(group=group).meetings,
        },
    )


def css_string(text: str) -> str:
    """A CSS string literal of any text: every character other than a letter, a digit or a
    space is written as a hex escape, so nothing in it can end the string or the rule."""
    return (
        '"'
        + "".join(
            ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):06x}"
            for ch in text
        )
        + '"'
    )


@login_required
@require_safe
def briefing_print_css(request: HttpRequest, slug: str) -> HttpResponse:
    """The pack's running header and footer on every printed page: group, date and
    classification (a stylesheet, as the Content-Security-Policy allows no inline style)."""
    group_access = access.get_group_for_user(request.user, slug)
    today = timezone.localdate()
    header = f"{group_access.group.short_name} briefing · {today:%-d %B %Y}"
    classification = pack.classification_of(request.GET.get("classification"))
    body = (
        "@page {\n"
        f"  @top-left {{ content: {css_string(header)}; font: 8pt sans-serif; }}\n"
        f"  @top-right {{ content: {css_string(classification.upper())}; font: 8pt sans-serif; }}\n"
        f"  @bottom-left {{ content: {css_string(classification)}; font: 8pt sans-serif; }}\n"
        '  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; }\n'
        "}\n"
    )
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def briefing_docx(request: HttpRequest, slug: str) -> HttpResponse:
    _, the_pack = _pack(request, slug)
    response = HttpResponse(
        documents.docx_bytes(the_pack),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{_pack_filename(the_pack, "docx")}"'
    return response


@login_required
@require_safe
def briefing_xlsx(request: HttpRequest, slug: str) -> FileResponse:
    _, the_pack = _pack(request, slug)
    return FileResponse(
        documents.xlsx_file(the_pack),
        as_attachment=True,
        filename=_pack_filename(the_pack, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --------------------------------------------------------------------------- imports

COORDINATOR = MembershipRole.COORDINATOR
# A file far over the 5 MB the form accepts still reaches the form, for its message.
IMPORT_UPLOAD_MAX_BYTES = 64 * 1024 * 1024


@accepts_uploads(IMPORT_UPLOAD_MAX_BYTES)
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Coordinators upload a file; it is read and checked (the dry run), then shown row by row
    before anything is written."""
    group_access = access.get_group_for_user(request.user, slug, need=COORDINATOR)
    group = group_access.group
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:200]
        try:
            if upload.size > MAX_BYTES:
                raise FileRefused(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
            table = read_table(name, upload.read())
        except FileRefused as refused:
            form.add_error("file", str(refused))
        else:
            batch = services.import_batch_create(
                group=group, actor=request.user, filename=name, table=table
            )
            return redirect("reports:import_review", slug, batch.pk)
    return render(
        request,
        "reports/import_upload.html",
        {"group": group, "group_access": group_access, "form": form},
    )


def _batch(request, slug: str, pk: int):
    group_access = access.get_group_for_user(request.user, slug)
    batch = ImportBatch.objects.filter(working_group=group_access.group, pk=pk).first()
    if batch is None:
        raise Http404("No such import.")
    group_access.require(COORDINATOR)
    return group_access, batch


@login_required
@require_http_methods(["GET", "POST"])
def import_review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The dry run's result, row by row; POST applies it (all rows or none)."""
    group_access, batch = _batch(request, slug, pk)
    status = 200
    if request.method == "POST" and batch.applied_at is None:
        try:
            services.import_apply(batch=batch, actor=request.user)
        except services.ImportRefused as refused:
            plan = refused.plan
            status = 409
            messages.error(request, "Nothing was imported: a row was refused (see below).")
        else:
            batch.refresh_from_db()
            messages.success(request, f"Imported: {batch.summary}.")
            return redirect("commitments:commitment_list", slug)
    else:
        plan = services.import_plan(batch=batch)
    return render(
        request,
        "reports/import_review.html",
        {"group": group_access.group, "group_access": group_access, "batch": batch, "plan": plan},
        status=status,
    )


# --------------------------------------------------------------------------- calendar, digest


def feed_url(request: HttpRequest, user, key: str) -> str:
    return request.build_absolute_uri(
        reverse("reports:calendar_feed", args=[user.pk, calendar.token_for(user.pk, key)])
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_feeds(request: HttpRequest) -> HttpResponse:
    """The member's own page: the address of their calendar feed (turn on, new address, turn
    off) and their weekly digest (on or off)."""
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            services.calendar_feed_start(user=user)
            messages.success(request, "Your calendar feed is on. Copy its address below.")
        elif action == "reset":
            services.calendar_feed_reset(user=user)
            messages.success(
                request, "Your calendar feed has a new address; the old one no longer works."
            )
        elif action == "stop":
            services.calendar_feed_stop(user=user)
            messages.success(request, "Your calendar feed is off; its address no longer works.")
        elif action == "digest":
            form = DigestForm(request.POST)
            if form.is_valid():
                subscribed = form.cleaned_data["digest"]
                services.digest_subscription_set(user=user, subscribed=subscribed)
                messages.success(
                    request,
                    "You will get the weekly digest."
                    if subscribed
                    else "You will no longer get the weekly digest.",
                )
        return redirect("reports:my_feeds")
    member = selectors.member_settings(user=user)
    key = member.calendar_key if member else ""
    return render(
        request,
        "reports/my_feeds.html",
        {
            "feed_url": feed_url(request, user, key) if key else "",
            "digest_form": DigestForm(initial={"digest": member.digest if member else True}),
            "groups": selectors.member_groups(user=user),
            "has_email": bool(user.email),
        },
    )


@require_safe
def calendar_feed(request: HttpRequest, user_id: int, token: str) -> HttpResponse:
    """The iCalendar feed. A wrong or revoked token, a feed turned off, or a deactivated user:
    404, the same for each, so the address tells nothing."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    member = selectors.member_settings(user=user) if user else None
    if member is None or not calendar.token_matches(user.pk, member.calendar_key, token):
        raise Http404("No such calendar.")
    items = selectors.calendar_items(user=user)
    body = calendar.ics(
        name=f"Commitment Tracker: {user.get_full_name() or user.username}",
        meetings=items.meetings,
        commitments=items.commitments,
        base_url=request.build_absolute_uri("/").rstrip("/"),
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="commitments.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
