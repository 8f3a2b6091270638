"""The audit log: the logger "tracker.audit", one line per security event.

Sign-ins, failed sign-ins, lockouts, sign-outs and ended sessions come from `accounts`; refused
access (403, and 404 from a page of the app) from `ops.middleware`. Each line names the event,
the user, the client's address and the path.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest

audit_log = logging.getLogger("tracker.audit")


def client_ip(request: HttpRequest) -> str:
    """The client's address: the socket's peer, or, behind TRUSTED_PROXY_COUNT proxies of ours,
    the address the outermost of them saw (each proxy appends the peer it saw to
    X-Forwarded-For, so everything left of that may be forged by the client)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def audit(
    event: str,
    request: HttpRequest | None,
    *,
    username: str = "",
    level: int = logging.INFO,
    **fields,
) -> None:
    """One audit line: what happened, to whom, from where, on which path."""
    ip = client_ip(request) if request is not None else ""
    path = request.path if request is not None else ""
    details = "".join(f" {key}={value}" for key, value in fields.items())
    audit_log.log(
        level,
        "%s user=%s ip=%s path=%s%s",
        event,
        username or "-",
        ip or "-",
        path or "-",
        details,
        extra={"event": event, "user": username, "ip": ip, "path": path, **fields},
    )
