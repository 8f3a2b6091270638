"""`{% memo %}`: a piece of a page drawn once and kept, found again by everything it shows.

    {% load memo %}
    {% memo list-row row.memo can_edit %}…the row's HTML…{% endmemo %}

The first word names the piece (two pieces may not share a name); the values after it are the
key: they must be *every* value the piece shows (and nothing that belongs to one user or one
request: keep those outside). The one exception is the CSRF token: a piece is drawn with a
stand-in for it, which is what is kept, and the stand-in is replaced by this request's token on
the way out, so a kept form still carries the token of the person asking. A piece
whose data changed then has a new key, so nothing is ever invalidated and nothing goes stale;
old keys fall out of the cache ("fragments", a worker's own memory, see settings.CACHES) when
it is full. A key of None draws the piece without keeping it (a form bound to this request's
input, say).

Like Django's `{% cache %}` tag, which it follows, with two differences: no timeout to choose
(the key says when it is stale), and None for "do not keep". `form_memo` gives the key of an
unbound form: its fields' values and choices.
"""

from __future__ import annotations

import hashlib

from django import template
from django.conf import settings
from django.core.cache import caches

register = template.Library()

CACHE = "fragments"
PIECE_CACHES = (CACHE, "pages", "packs")
# What a kept piece holds in place of the CSRF token ({% csrf_token %}, {{ csrf_token }}): only
# letters, digits and dashes, so no escaping changes it; replaced on every answer.
CSRF_STAND_IN = "memo-csrf-token-stand-in-5f0c9a"


class MemoNode(template.Node):
    def __init__(self, nodelist, name: str, key: list, cache: str = CACHE):
        self.nodelist = nodelist
        self.name = name
        self.key = key
        self.cache = cache

    def render(self, context) -> str:
        parts = [part.resolve(context) for part in self.key]
        if any(part is None for part in parts):
            return self.nodelist.render(context)
        csrf = context.get("csrf_token")
        with_token = bool(csrf) and csrf != "NOTPROVIDED"  # else {% csrf_token %} draws nothing
        digest = hashlib.md5(repr([*parts, with_token]).encode(), usedforsecurity=False)
        key = f"memo:{self.name}:{digest.hexdigest()}"
        cache = caches[self.cache]
        html = cache.get(key)
        if html is None:
            if with_token:
                with context.push(csrf_token=CSRF_STAND_IN):
                    html = self.nodelist.render(context)
            else:
                html = self.nodelist.render(context)
            if len(html) <= _largest(self.cache):
                cache.set(key, html)
        if with_token and CSRF_STAND_IN in html:
            # Still safe: the token is letters and digits (a node's output is not escaped again).
            html = html.replace(CSRF_STAND_IN, str(csrf))
        return html


def _largest(cache: str) -> float:
    """The largest piece, in characters, that a cache keeps (settings.MEMO_LARGEST_PIECE):
    a larger one is drawn each time."""
    return getattr(settings, "MEMO_LARGEST_PIECE", {}).get(cache, float("inf"))


@register.tag
def memo(parser, token):
    """`{% memo name key… %}`, or `{% memo name key… in pages %}` for a whole page (or most of
    one) kept in the smaller "pages" cache (settings.CACHES): a few hundred of those take as
    much memory as thousands of rows. `in packs`: a whole briefing pack, the few largest."""
    bits = token.split_contents()
    cache = CACHE
    if len(bits) >= 5 and bits[-2] == "in":
        cache, bits = bits[-1], bits[:-2]
        if cache not in PIECE_CACHES:
            raise template.TemplateSyntaxError(f"{{% memo %}} keeps pieces in {PIECE_CACHES}.")
    if len(bits) < 3:
        raise template.TemplateSyntaxError(
            "{% memo %} needs a name for the piece and the values that make its key."
        )
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]], cache)


@register.filter
def form_memo(form, without: str = "") -> str | None:
    """The key of a form as drawn: each field's name, value and choices. None for a bound form
    (its input and errors are this request's: drawn, not kept). Read the choices once here:
    the widget draws from the same list. `without`: fields (comma-separated) the piece does
    not draw, left out of the key, e.g. a version that changes on every save:
    `form|form_memo:"version"`, with `{{ form.version }}` outside the piece."""
    if form is None or form.is_bound:
        return None
    left_out = set(filter(None, without.split(",")))
    # __class__, not type(): a form handed over lazily (SimpleLazyObject) names its own class.
    name = form.__class__.__name__
    return repr([name, *(f for f in drawn_fields(form) if f[0] not in left_out)])


def drawn_fields(form) -> list[tuple]:
    """What each field of a form shows: name, label, hint, whether required, value, choices
    and widget attributes. The choices are read once, here, and the widget then draws from
    that same list (no second query)."""
    shown = []
    for name, field in form.fields.items():
        choices = None
        if hasattr(field.widget, "choices"):
            choices = plain_choices(field.widget.choices)
            field.widget.choices = choices
        label = (field.label, field.help_text, field.required)
        shown.append((name, label, form[name].value(), choices, field.widget.attrs))
    return shown


def plain_choices(choices) -> list:
    """Choices as plain strings (a model choice's value prints as its key), groups kept."""
    return [
        (str(value), plain_choices(label) if isinstance(label, (list, tuple)) else str(label))
        for value, label in choices
    ]
