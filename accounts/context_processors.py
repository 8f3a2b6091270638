"""What every page's header needs to know about the session."""

from __future__ import annotations

from . import mfa as _mfa


def mfa(request) -> dict:
    """`mfa_pending`: what the signed-in session still owes ("verify", "enrol") or None. A
    session that owes its second factor reaches only the two-step pages and sign-out, so the
    header offers nothing else (its other links would lead back to the same page)."""
    return {"mfa_pending": _mfa.pending(request)}
