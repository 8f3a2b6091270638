"""Operational views: the health check for load balancers, and the pages shown when the
database cannot be reached."""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("tracker.ops")


def _unapplied_migrations() -> int:
    """How many migrations are unapplied. Only the number: the names would tell anyone on the
    internet which version runs here."""
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and every migration is applied, else 503. No sign-in."""
    body: dict = {"database": "ok", "migrations": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("healthz: database unreachable: %s", exc)
        body.update(database="unreachable", migrations="unknown")
    else:
        unapplied = _unapplied_migrations()
        if unapplied:
            body.update(migrations="unapplied", unapplied=unapplied)
    healthy = body["database"] == "ok" and body["migrations"] == "ok"
    body = {"status": "ok" if healthy else "unavailable", **body}
    return JsonResponse(body, status=200 if healthy else 503)


def database_unavailable(request: HttpRequest, exception: BaseException | None = None):
    """The friendly 503. Rendered without the request's context: the context processors would
    look up the user, which needs the database."""
    logger.error("database unavailable for %s %s", request.method, request.path, exc_info=exception)
    try:
        content = render_to_string("503.html")
    except Exception:  # the page of last resort must not fail (e.g. no static manifest yet)
        content = "The tracker is temporarily unavailable. Please try again in a minute."
    response = HttpResponse(content, status=503)
    response["Retry-After"] = "30"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the error was the database being unreachable (raised
    outside a view, e.g. while saving the session), else our 500 page.

    Not Django's `defaults.server_error`: it runs the CSRF check (`requires_csrf_token`), which
    reads the request's body again, and a body that broke the view once (e.g. form data in
    another charset than UTF-8) would then break the error page too, leaving the server's bare
    500 without our headers or a request-log line. The 500 page needs no CSRF token."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable(request, exception)
    try:
        content = render_to_string("500.html")
    except Exception:  # the page of last resort must not fail (e.g. no static manifest yet)
        content = "<h1>Server Error (500)</h1>"
    return HttpResponseServerError(content)
