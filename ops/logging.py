"""Structured logging: the request id of the request being served, and a JSON-lines formatter.

`LOG_FORMAT=json` (settings) sends every log record through `JsonLinesFormatter`: one JSON object
per line with time, level, logger, message, the request id and whatever the caller passed in
`extra` (the request log adds method, path, status, duration_ms, user and ip).
"""

from __future__ import annotations

import datetime
import json
import logging
from contextvars import ContextVar

#: The id of the request this thread is serving ("-" outside a request). Set by
#: commitments.middleware.RequestLogMiddleware, sent back as the X-Request-ID header.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")

# Attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request",  # django.request attaches the HttpRequest itself; its repr says nothing new
}


class RequestIdFilter(logging.Filter):
    """Give every record the current request id, so formatters can show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


class QuietSecurityFilter(logging.Filter):
    """For the console handler: refused requests are logged in one line each, without noise.

    * A 403 is logged without its traceback (a PermissionDenied is an answer, not a bug; the
      audit log has its line too).
    * A request with a Host header not in ALLOWED_HOSTS is logged once, at WARNING, without a
      traceback: Django logs it at ERROR with a traceback (django.security.DisallowedHost) and
      then again as "Bad Request" (django.request); the second is dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if record.name == "django.security.DisallowedHost":
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
            if request is not None:
                request._tracker_bad_host_logged = True
            return True
        if record.name == "django.request" and getattr(request, "_tracker_bad_host_logged", False):
            return False
        if getattr(record, "status_code", None) == 403:
            record.exc_info = record.exc_text = None
        return True
