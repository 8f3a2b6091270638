"""Per-view request body limits. Most pages take small forms and the request-limits middleware
refuses any body over REQUEST_BODY_MAX_BYTES before it is read. A view that takes file uploads
says how much it accepts with `@accepts_uploads(max_bytes)`, so that a file too large for the
field but within that bound reaches the form and gets its message next to the field (a 413 page
would lose what the user typed)."""

from __future__ import annotations

from collections.abc import Callable

ATTRIBUTE = "request_body_max_bytes"


def accepts_uploads(max_bytes: int) -> Callable:
    def decorate(view):
        setattr(view, ATTRIBUTE, max_bytes)
        return view

    return decorate


def body_limit_of(view, default: int) -> int:
    return getattr(view, ATTRIBUTE, default)
