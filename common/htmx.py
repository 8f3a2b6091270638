"""Helpers for views that answer htmx with a part of a page."""

from __future__ import annotations

from django.http import HttpRequest


def htmx_target(request: HttpRequest) -> str | None:
    """The id of the element htmx will swap, when htmx asks for a part of the page (a history
    restore asks for the whole page)."""
    htmx = request.htmx
    if htmx and not htmx.history_restore_request:
        return htmx.target
    return None
