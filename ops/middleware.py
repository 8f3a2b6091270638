"""Middleware for running in production: the request log, the audit of refused access, request
limits, and a friendly 503 when the database cannot be reached."""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from common.limits import body_limit_of

from . import views
from .audit import audit, client_ip
from .logging import REQUEST_ID

request_log = logging.getLogger("tracker.request")


def _username(request: HttpRequest, *, resolve: bool) -> str:
    """The signed-in user's name, or "" for anonymous. Unless `resolve`, only a user the request
    has already looked up is named, so logging never costs a query (or fails with the DB down)."""
    user = getattr(request, "user", None)
    if user is None or (not resolve and getattr(user, "_wrapped", None) is empty):
        return ""
    try:
        return user.get_username() if user.is_authenticated else ""
    except DatabaseError:
        return ""


class RequestLogMiddleware:
    """Give each request an id (the X-Request-ID response header and every log line while it is
    served), log one line per request to "tracker.request" with user, path, status and duration,
    and log refused access to "tracker.audit": every 403, and every 404 from a URL that matched
    a view (an object that does not exist or belongs to another working group)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response["X-Request-ID"] = request_id
            status = response.status_code
            refused = status == 403 or (
                status == 404 and getattr(request, "resolver_match", None) is not None
            )
            if refused:
                audit(
                    "access refused",
                    request,
                    username=_username(request, resolve=True),
                    level=logging.WARNING,
                    method=request.method,
                    status=status,
                )
            request_log.log(
                logging.WARNING if status >= 500 else logging.INFO,
                "%s %s %s %sms",
                request.method,
                request.path,
                status,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": duration_ms,
                    "user": _username(request, resolve=False),
                    "ip": client_ip(request),
                },
            )
            return response
        finally:
            REQUEST_ID.reset(token)


class RequestLimitsMiddleware:
    """Refuse what no page can use, before anything reads it: a body declared larger than
    REQUEST_BODY_MAX_BYTES (413; Django itself limits only the form data it parses; a view that
    takes uploads may allow up to UPLOAD_BODY_MAX_BYTES, see common.limits), a NUL character in
    the path or the query string (400; PostgreSQL cannot even compare one), and form data
    declared in another charset than UTF-8 (400: Django raises BadRequest when it reads such a
    body, and again in every error page that runs the CSRF check).

    It sits after the CSP middleware, so its answers carry our headers and a request-log
    line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain("Bad Content-Length.", 400)
        if length > max(settings.REQUEST_BODY_MAX_BYTES, settings.UPLOAD_BODY_MAX_BYTES):
            return _plain("Request body too large.", 413)
        request._declared_length = length
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return _plain("Bad request: the address contains a NUL character.", 400)
        if request.content_type == "application/x-www-form-urlencoded" and (
            request.encoding or "utf-8"
        ).lower().replace("_", "-") not in ("utf-8", "utf8"):
            return _plain("Bad request: form data must be encoded in UTF-8.", 400)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        """The body limit of the view itself (`common.limits.accepts_uploads`), checked before
        the CSRF middleware reads the body."""
        limit = body_limit_of(view_func, settings.REQUEST_BODY_MAX_BYTES)
        if getattr(request, "_declared_length", 0) > limit:
            return _plain("Request body too large.", 413)
        return None


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers the friendly 503 page, not a traceback.
    (Errors outside views reach tracker.urls.handler500, which does the same.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return views.database_unavailable(request, exception)
        return None
