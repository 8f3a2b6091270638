"""Small pieces of markup every page uses: status badges, progress bars, names.

Badges carry text and a shape, never colour alone. Bars are server-rendered SVG sized with
attributes (no inline style, so a strict Content-Security-Policy holds) and hidden from screen
readers, which get the same numbers as text next to them.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from commitments.models import Status

register = template.Library()

# 16 by 16 shapes, one per status, drawn in the badge's text colour.
_ICONS = {
    Status.NOT_STARTED: '<circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" '
    'stroke-width="2"/>',
    Status.IN_PROGRESS: '<circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" '
    'stroke-width="2"/><path d="M8 2.5a5.5 5.5 0 0 1 0 11z" fill="currentColor"/>',
    Status.STALLED: '<rect x="3.5" y="3" width="3" height="10" fill="currentColor"/>'
    '<rect x="9.5" y="3" width="3" height="10" fill="currentColor"/>',
    Status.COMPLETED: '<path d="M2.5 8.5l3.5 3.5 7.5-8" fill="none" stroke="currentColor" '
    'stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>',
    Status.WITHDRAWN: '<path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" '
    'stroke-width="2.4" stroke-linecap="round"/>',
}


def _icon(status: str) -> SafeString:
    return format_html(
        '<svg class="badge__icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" '
        'focusable="false">{}</svg>',
        mark_safe(_ICONS.get(status, "")),  # noqa: S308 - constant markup above
    )


@register.simple_tag
def status_badge(status: str, extra_class: str = "") -> SafeString:
    """`<span class="badge badge--in_progress">◐ In progress</span>`."""
    try:
        label = Status(status).label
    except ValueError:
        label = status
    return format_html(
        '<span class="badge badge--{}{}">{}<span class="badge__label">{}</span></span>',
        status,
        f" {extra_class}" if extra_class else "",
        _icon(status),
        label,
    )


@register.simple_tag
def status_icon(status: str) -> SafeString:
    return format_html('<span class="badge-icon badge--{}">{}</span>', status, _icon(status))


@register.simple_tag
def progress_bar(value, label: str = "") -> SafeString:
    """A bar and the percentage as text; `label` names it for screen readers when the
    surrounding text does not (e.g. "average progress")."""
    try:
        value = max(0, min(100, round(float(value))))
    except (TypeError, ValueError):
        value = 0
    return format_html(
        '<span class="progress">'
        '<svg class="progress__bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">'
        '<rect class="progress__track" width="100" height="10"/>'
        '<rect class="progress__fill" width="{}" height="10"/></svg>'
        '<span class="progress__text">{}{}%</span></span>',
        value,
        format_html('<span class="visually-hidden">{} </span>', label) if label else "",
        value,
    )


@register.simple_tag
def status_bar(summary) -> SafeString:
    """The share of commitments in each status as one stacked bar (decorative: the counts are
    listed as text beside it)."""
    x = 0.0
    segments = []
    for item in summary.counts:
        if not item.count:
            continue
        segments.append((item.status, f"{x:.2f}", f"{item.share:.2f}"))
        x += item.share
    if not segments:
        body = mark_safe('<rect class="status-bar__empty" width="100" height="10"/>')
    else:
        body = format_html_join(
            "",
            '<rect class="status-bar__seg status-bar__seg--{}" x="{}" width="{}" height="10"/>',
            segments,
        )
    return format_html(
        '<svg class="status-bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">{}</svg>',
        body,
    )


@register.filter
def display_name(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def percent_of(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0
