"""The audit log: the logger "tracker.audit", one line per security event, and the same event
as a row of `ops.AuditEvent` in the database (`record_event`).

Sign-ins, failed sign-ins, lockouts, sign-outs and ended sessions come from `accounts`; refused
access (403, and 404 from a page of the app) from `ops.middleware`. Each line names the event,
the user, the client's address and the path.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.transaction import TransactionManagementError
from django.http import HttpRequest
from django.utils.functional import empty

audit_log = logging.getLogger("tracker.audit")
logger = logging.getLogger("tracker.ops")


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


def _known_user_id(request: HttpRequest | None) -> int | None:
    """The id of the request's signed-in user, if the request has already looked them up
    (recording an event never costs a query of its own, nor fails with the database down)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    try:
        return user.pk if user.is_authenticated else None
    except DatabaseError:
        return None


def record_event(
    *,
    event: str,
    level: int,
    request: HttpRequest | None,
    username: str = "",
    user_id: int | None = None,
    address: str = "",
    fields: dict | None = None,
) -> None:
    """Append one row to the audit trail (ops.AuditEvent), in a savepoint of its own.

    Never breaks the request it is called from: if the row cannot be written (the database is
    down, the transaction is already broken), the failure is logged and the request goes on."""
    from .models import AuditEvent  # the app registry is ready by the time anything audits

    details = dict(fields or {})
    method = str(details.pop("method", getattr(request, "method", "") or ""))
    status = details.pop("status", None)
    try:
        with transaction.atomic():
            AuditEvent.objects.create(
                event=event[:100],
                level=logging.getLevelName(level),
                user_id=user_id if user_id is not None else _known_user_id(request),
                username=(username or "")[:255],
                address=(address or "")[:64],
                path=(getattr(request, "path", "") or "")[:2000],
                method=method[:16],
                status=int(status) if status is not None else None,
                request_id=str(getattr(request, "request_id", "") or "")[:64],
                details={key: str(value) for key, value in details.items()},
            )
    except (DatabaseError, TransactionManagementError) as exc:
        logger.error("audit event %r not stored in the database: %s", event, exc)


def audit(
    event: str,
    request: HttpRequest | None,
    *,
    username: str = "",
    user_id: int | None = None,
    level: int = logging.INFO,
    **fields,
) -> None:
    """One audit event: what happened, to whom, from where, on which path; as a log line and
    as a row of the audit trail."""
    ip = client_ip(request) if request is not None else ""
    path = request.path if request is not None else ""
    details = "".join(f" {key}={value}" for key, value in fields.items())
    record_event(
        event=event,
        level=level,
        request=request,
        username=username,
        user_id=user_id,
        address=ip,
        fields=fields,
    )
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
