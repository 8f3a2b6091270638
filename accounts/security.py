"""Sign-in security: sign-in throttling, and the audit log's lines for sign-ins and sign-outs
(written through `ops.audit`)."""

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

from ops.audit import audit

from . import mfa

# Session keys (seconds since the epoch) for the idle and absolute timeouts.
SESSION_STARTED_AT = "tracker_session_started_at"
SESSION_SEEN_AT = "tracker_session_seen_at"


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
    """The page a locked-out sign-in gets (429): what happened and how long to wait. The same
    page whichever limit was reached and whether or not the username exists."""
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
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
        mfa.start_session(request, user)
    audit("sign-in", request, username=user.get_username(), user_id=user.pk)


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
    audit(
        "sign-out",
        request,
        username=user.get_username() if user else "",
        user_id=user.pk if user else None,
    )
