"""Session rules, and where a request whose session has ended is sent to sign in again."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_htmx.http import HttpResponseClientRedirect

from ops.audit import audit

from . import mfa
from .security import SESSION_SEEN_AT, SESSION_STARTED_AT


class SessionTimeoutMiddleware:
    """End a signed-in session after SESSION_IDLE_TIMEOUT seconds without a request or
    SESSION_ABSOLUTE_TIMEOUT seconds after sign-in, and end the session of a user who has been
    deactivated or deleted (Django already treats them as anonymous; this also clears the
    session and says so in the audit log). The request then carries on as anonymous, so
    pages that need a sign-in send the user to it.

    The last-seen time is written at most once a minute, so ordinary requests do not turn into
    session writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY in request.session:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        user = request.user
        if not user.is_authenticated:
            # The session names a user the auth backend no longer accepts (deactivated, or
            # deleted). Name them in the audit log even so.
            user_id = session.get(SESSION_KEY)
            username = (
                get_user_model()
                ._default_manager.filter(pk=user_id)
                .values_list(get_user_model().USERNAME_FIELD, flat=True)
                .first()
            )
            audit(
                "session ended: user inactive",
                request,
                username=username or f"#{user_id}",
                user_id=int(user_id) if str(user_id).isdigit() else None,
            )
            logout(request)
            return
        now = int(time.time())
        started = session.get(SESSION_STARTED_AT)
        seen = session.get(SESSION_SEEN_AT, started)
        if started is None or seen is None:
            session[SESSION_STARTED_AT] = session[SESSION_SEEN_AT] = now
            return
        idle, absolute = settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT
        reason = None
        if now - started >= absolute:
            reason = "absolute timeout"
            message = "Your session has ended (signed in too long ago). Please sign in again."
        elif now - seen >= idle:
            reason = "idle timeout"
            message = "Your session ended after a period without activity. Please sign in again."
        if reason:
            audit(f"session ended: {reason}", request, username=user.get_username())
            logout(request)
            messages.info(request, message)
            return
        if now - seen >= min(60, max(idle // 4, 1)):
            session[SESSION_SEEN_AT] = now


class MFAGateMiddleware:
    """A session that still owes its second factor (accounts.mfa.pending) reaches only the
    verify and enrol pages and sign-out; every other request is sent there (htmx: the whole
    page), and returns to where it was going afterwards."""

    OPEN = (
        "accounts:mfa_verify",
        "accounts:mfa_setup",
        "accounts:logout",
        # The passkey endpoints answer JSON; the registration ones refuse a session that owes
        # "verify" themselves (403 with a reason the script shows), rather than a redirect.
        "accounts:passkey_verify_begin",
        "accounts:passkey_verify_complete",
        "accounts:passkey_register_begin",
        "accounts:passkey_register_complete",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        owed = mfa.pending(request)
        if owed is None:
            return self.get_response(request)
        match = getattr(request, "resolver_match", None) or _resolve(request.path_info)
        if match is not None and match.view_name in self.OPEN:
            return self.get_response(request)
        target = resolve_url("accounts:mfa_verify" if owed == "verify" else "accounts:mfa_setup")
        htmx = getattr(request, "htmx", None)
        back = (htmx.current_url_abs_path if htmx else None) or (
            request.get_full_path() if request.method == "GET" else "/"
        )
        url = f"{target}?{urlencode({'next': back})}"
        return HttpResponseClientRedirect(url) if htmx else redirect(url)


def _resolve(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in user, so neither a
    shared cache nor the browser's back button on a shared computer keeps a page of the
    tracker after its user has gone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class LoginRedirectMiddleware:
    """Where the sign-in sends a user back when their session ended on them.

    * An htmx request from a page whose session has ended gets the whole page sent to the
      sign-in form (HX-Redirect), rather than the sign-in form swapped into a fragment of the
      old page; the sign-in then returns to that page (htmx's current URL).
    * A plain form POST (JavaScript off) whose session has ended would return, after signing
      in, to the URL it posted to, which only takes POST: a blank 405. It returns instead to
      the page the form was on (the Referer, when it is a page of this site), or home.

    Views keep Django's `login_required`: this rewrites its redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        login = resolve_url(settings.LOGIN_URL)
        if (
            response.status_code != 302
            or request.user.is_authenticated
            or not response.get("Location", "").startswith(login + "?")
        ):
            return response
        htmx = getattr(request, "htmx", None)
        if htmx:
            back = htmx.current_url_abs_path or "/"
            return HttpResponseClientRedirect(f"{login}?{urlencode({'next': back})}")
        if request.method == "POST":
            return redirect(f"{login}?{urlencode({'next': _page_posted_from(request)})}")
        return response


def _page_posted_from(request: HttpRequest) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path.startswith("/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"
