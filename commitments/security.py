"""Sign-in security: the client's address, sign-in throttling, and the audit log of sign-ins.

The audit log is the logger "tracker.audit": sign-ins, failed sign-ins, lockouts, sign-outs,
ended sessions and refused access (the last from commitments.middleware), each with the user,
the client's address and the path.
"""

from __future__ import annotations

import logging
import time

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

audit_log = logging.getLogger("tracker.audit")

# Session keys (seconds since the epoch) for the idle and absolute timeouts.
SESSION_STARTED_AT = "tracker_session_started_at"
SESSION_SEEN_AT = "tracker_session_seen_at"


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


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' throttle for sign-ins through a request (the login form, the admin's).

    A sign-in without a request (the test client's login(), a shell) has no client address to
    throttle; axes would raise for it, so it is passed on to the next backend unthrottled.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """The page a locked-out sign-in gets (429): what happened and how long to wait."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "username": (credentials or {}).get("username", ""),
        },
        status=429,
    )


@receiver(user_logged_in, dispatch_uid="tracker_audit_signed_in")
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    now = int(time.time())
    if hasattr(request, "session"):
        request.session[SESSION_STARTED_AT] = now
        request.session[SESSION_SEEN_AT] = now
    audit("sign-in", request, username=user.get_username())


@receiver(user_login_failed, dispatch_uid="tracker_audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`.
    audit(
        "sign-in failed",
        request,
        username=str(credentials.get("username", "")),
        level=logging.WARNING,
    )


@receiver(user_locked_out, dispatch_uid="tracker_audit_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit("sign-in locked out", request, username=username or "", level=logging.WARNING)


@receiver(user_logged_out, dispatch_uid="tracker_audit_signed_out")
def _signed_out(sender, request, user, **kwargs) -> None:
    audit("sign-out", request, username=user.get_username() if user else "")
