"""The benchmark's reference view and its query counter (mounted by bench/settings.py only).

The *ceiling*: 50 commitments of a group from one query, in a minimal template, behind the
project's whole middleware stack and login. No page of ours can beat it by much; the
benchmark reports every page as a fraction of it (the target is at least 0.5)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.template import engines

from commitments.models import Commitment

_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ceiling</title></head>
<body><main><h1>50 commitments</h1><table>
{% for c in rows %}<tr><td>{{ c.reference }}</td><td>{{ c.title }}</td><td>{{ c.status }}</td>
<td>{{ c.due_date|default:"" }}</td></tr>
{% endfor %}</table></main></body></html>"""
)


@login_required
def ceiling(request, slug: str) -> HttpResponse:
    rows = list(
        Commitment.objects.filter(working_group__slug=slug)
        .order_by("working_group_id", "reference")
        .values("reference", "title", "status", "due_date")[:50]
    )
    return HttpResponse(_TEMPLATE.render({"rows": rows}, request))


class QueryCountMiddleware:
    """`X-Bench-Queries`: the SQL statements the request ran, middleware included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        return response
