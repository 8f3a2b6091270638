"""Small pieces of markup every page uses: status badges, progress bars, names.

Badges carry text and a shape, never colour alone. Bars are server-rendered SVG, drawn by the
templates in templates/svg/ and sized with attributes (no inline style, so a strict
Content-Security-Policy holds), hidden from screen readers, which get the same numbers as text
next to them.
"""

from __future__ import annotations

import functools

from django import template
from django.contrib.auth import get_user_model
from django.template.loader import get_template
from django.utils.safestring import SafeString

from commitments.models import Status

register = template.Library()


@functools.lru_cache(maxsize=64)
def _badge(status: str, extra_class: str) -> SafeString:
    try:
        label = Status(status).label
    except ValueError:
        label = status
    return get_template("svg/status_badge.html").render(
        {"status": status, "label": label, "extra_class": extra_class}
    )


@register.simple_tag
def status_badge(status: str, extra_class: str = "") -> SafeString:
    """A status as a badge: its shape (templates/svg/status_icon.html) and its name. There are
    a handful of them, so each is drawn once per process and reused (a list shows dozens)."""
    return _badge(str(status), str(extra_class))


@functools.lru_cache(maxsize=512)
def _bar(value: int, label: str) -> SafeString:
    return get_template("svg/progress_bar.html").render({"value": value, "label": label})


@register.simple_tag
def progress_bar(value, label: str = "") -> SafeString:
    """A bar and the percentage as text; `label` names it for screen readers when the
    surrounding text does not (e.g. "average progress"). Drawn once per value and label."""
    try:
        value = max(0, min(100, round(float(value))))
    except (TypeError, ValueError):
        value = 0
    return _bar(value, str(label))


@register.inclusion_tag("svg/status_bar.html")
def status_bar(summary) -> dict:
    """The share of commitments in each status as one stacked bar (decorative: the counts are
    listed as text beside it)."""
    x = 0.0
    segments = []
    for item in summary.counts:
        if not item.count:
            continue
        segments.append({"status": item.status, "x": f"{x:.2f}", "width": f"{item.share:.2f}"})
        x += item.share
    return {"segments": segments}


@register.filter
def display_name(user) -> str:
    """A user's name, and their agency and side when the page loaded them
    (`select_related("<user>__affiliation__agency__party")`): "A. Sharma, NCB (India)". Never
    a query of its own: a page that did not load the affiliation shows the name alone."""
    if user is None:
        return "—"
    name = user.get_full_name() or user.username
    affiliation = user_affiliation(user)
    if affiliation is None:
        return name
    return f"{name}, {affiliation.agency.acronym} ({affiliation.agency.party.name})"


def user_affiliation(user):
    """The user's affiliation if the page already loaded it, else None (no query)."""
    descriptor = get_user_model().affiliation
    if not user.is_authenticated or not descriptor.related.is_cached(user):
        return None
    return getattr(user, "affiliation", None)


@register.filter
def percent_of(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


@register.filter
def is_shared(commitment) -> bool:
    """Led by agencies of more than one side (its lead agencies prefetched with their party)."""
    return len({agency.party_id for agency in commitment.lead_agencies.all()}) > 1


@register.filter
def get_item(mapping, key):
    """`mapping[key]` in a template (e.g. a form per row, a chart per indicator)."""
    return mapping.get(key, "")


@register.inclusion_tag("svg/line_chart.html")
def line_chart(chart) -> dict:
    """A line chart (`selectors.charts.LineChart`), drawn from its computed geometry. Decorative
    for screen readers: every page that draws one has the same numbers in a table."""
    return {"chart": chart}


@register.filter
def signed(value) -> str:
    """A score or a movement with its sign: +1, 0, -1; +12.5, -3, written with a real minus
    sign (U+2212), which screen readers read as "minus"."""
    if value is None or value == "":
        return "–"
    text = f"{value:+}" if value else "0"
    return (
        text.replace("-", "−").replace(".0", "") if text.endswith(".0") else text.replace("-", "−")
    )
