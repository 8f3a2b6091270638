"""Session rules, and sending an htmx request whose session has ended to the sign-in page."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from ops.audit import audit

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
            audit("session ended: user inactive", request, username=username or f"#{user_id}")
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


class HtmxLoginRedirectMiddleware:
    """An htmx request from a page whose session has ended gets the whole page sent to the
    sign-in form (HX-Redirect), rather than the sign-in form swapped into a fragment of the old
    page. The sign-in then returns to the page the user was on (htmx's current URL), not to the
    URL of the fragment or of the form's POST.

    Views keep Django's `login_required`: this turns its redirect into the htmx one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if (
            htmx
            and response.status_code == 302
            and not request.user.is_authenticated
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            back = htmx.current_url_abs_path or "/"
            return HttpResponseClientRedirect(
                f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}"
            )
        return response
