"""`{% url %}`, as Django's, with each URL reversed once per worker and then found again.

Django's tag reverses on every use (about 20 µs: a page draws 15 to 60 of them, each of its
links); what it gives depends only on the view's name, its arguments, the current app, the
URLconf and the script prefix, so those are the key, and the tag draws from a bounded memory
(`functools.lru_cache`) whatever the page. Arguments other than plain text and whole numbers
(a model instance, say, whose text may change) are reversed every time, as by Django's tag.
Installed as a builtin (settings.TEMPLATES), so every template's `{% url %}` is this one.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

REMEMBERED = 8192  # URLs per worker: each distinct link, e.g. one per commitment listed


def _plain(value) -> bool:
    return type(value) is int or isinstance(value, str)


@lru_cache(maxsize=REMEMBERED)
def _reversed(view_name, args, kwargs, current_app, urlconf, prefix) -> str:
    # `prefix` is only part of the key: reverse() reads the script prefix itself.
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


class RememberedURLNode(URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            if all(map(_plain, args)) and all(map(_plain, kwargs.values())):
                url = _reversed(
                    view_name,
                    tuple(str(a) for a in args),
                    tuple(sorted((k, str(v)) for k, v in kwargs.items())),
                    current_app,
                    get_urlconf(),
                    get_script_prefix(),
                )
            else:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
