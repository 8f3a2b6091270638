"""Structured logging: the request id of the request being served, and the two formatters.

`LOG_FORMAT=json` (settings) sends every log record through `JsonLinesFormatter`: one JSON object
per line with time, level, logger, message, the request id and whatever the caller passed in
`extra` (the request log adds method, path, status, duration_ms, user and ip). The default,
`PlainFormatter`, writes one line of text per record.

Both formats keep one event on one line whatever the values in it (a path or a username can
carry a newline): line breaks of every kind, other control characters, and the characters that
reorder text on screen (bidi controls) are written as escapes, and a backslash is doubled so an
escape cannot be faked.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
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


# What a log line must not contain raw: C0 and C1 control characters (newline, CR, vertical tab,
# form feed, the file/group/record separators, NEL U+0085...), DEL, the line and paragraph
# separators U+2028/U+2029, and the bidirectional controls (marks, embeddings, overrides,
# isolates) that make a line read differently on screen.
_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_for_log(text: str) -> str:
    """`text` on one line, unambiguously: backslashes doubled, then every unsafe character
    written as an escape (\\n, \\r, \\t, \\xNN, \\uNNNN)."""
    return _UNSAFE.sub(_escape_char, text.replace("\\", "\\\\"))


def _escape_json(text: str) -> str:
    """JSON escapes for what json.dumps(ensure_ascii=False) leaves raw (it escapes C0 controls,
    quotes and backslashes itself): DEL, C1 controls, U+2028/2029 and the bidi controls."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class PlainFormatter(logging.Formatter):
    """The plain text format, one line per record: the whole record, traceback included, is
    escaped, so nothing a value carries can start a line of its own."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_for_log(super().format(record))


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
        return _escape_json(json.dumps(data, default=str, ensure_ascii=False))


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
