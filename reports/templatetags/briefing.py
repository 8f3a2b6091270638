"""The briefing pack's commitments, drawn in Python: `{% pack_items section %}`.

The pack is the one page that shows every commitment of a group (templates/reports/briefing.html),
so it has hundreds of rows where other pages have fifty. Drawn by the template language most
of a part's time went on each item's lookups, filters and date formatting; drawn here, with the
same markup and the same escaping (`html.escape`, as autoescaping does), each date and badge
is formatted once (bench/README.md has the figures).
tests/test_reports_pack.py holds the markup to what the template drew.
"""

from __future__ import annotations

import functools
from html import escape

from django import template
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe

from commitments.models import Status
from commitments.templatetags.tracker import status_badge

register = template.Library()

_LABELS = dict(Status.choices)


@functools.lru_cache(maxsize=4096)
def _day(day, language: str | None) -> str:
    """`{{ day|date:"j M Y" }}`, once per day and language."""
    return formats.date_format(day, "j M Y")


def _label(status) -> str:
    """`get_status_…_display()` of a follow-up."""
    return str(_LABELS.get(status, status))


def _entry(e, language) -> str:
    text = escape(e.note)
    if e.is_edit:
        text = f"edited: {text}" if e.note else "edited"
    if e.status_changed:
        text += (
            f' <span class="muted">({escape(_label(e.status_before))} → '
            f"{escape(_label(e.status_after))})</span>"
        )
    return (
        f'<li><time datetime="{e.occurred_on:%Y-%m-%d}">{_day(e.occurred_on, language)}</time>: '
        f"{text}</li>"
    )


def _item(item, language) -> str:
    c = item.commitment
    facts = f"{status_badge(c.status)} {c.progress}%"
    if item.status_then:
        facts += f" · at the last snapshot: {escape(item.status_then)}"
    if c.due_date:
        facts += f" · due {_day(c.due_date, language)}"
    if item.attention_label:
        facts += f' <span class="flag flag--{item.attention}">{escape(item.attention_label)}</span>'
    if item.leads:
        facts += " · led by " + ", ".join(
            f"{escape(a.acronym)} ({escape(a.party.code)})" for a in item.leads
        )
    log = ""
    if item.follow_ups:
        entries = "".join(_entry(e, language) for e in item.follow_ups)
        log = f'<ul class="pack-item__log">{entries}</ul>'
    return (
        f'\n    <div class="pack-item pack-item--{item.attention}">\n'
        f'      <h3 class="pack-item__title"><span class="ref">{escape(c.reference)}</span> '
        f"{escape(c.title)}</h3>\n"
        f'      <p class="pack-item__facts">{facts}</p>\n'
        f"      {log}\n"
        f"    </div>\n    "
    )


@register.simple_tag
def pack_items(section) -> SafeString:
    """Every commitment of an area of the pack (`pack.AreaSection`), in its order."""
    language = translation.get_language()
    return mark_safe("".join(_item(item, language) for item in section.items))  # noqa: S308 (escaped above)


@register.filter
def part_query(pack, part: int) -> str:
    """The query string of another part of the pack (`Pack.query`)."""
    return pack.query(part)
