"""`{% url %}` remembers what it reversed (common/templatetags/urls.py): it must give what
Django's tag gives, for every form of the tag, and never a URL of another script prefix,
URLconf or argument."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, engines
from django.urls import NoReverseMatch, clear_script_prefix, set_script_prefix

from common.templatetags import urls

DJANGO = Engine(libraries={})  # Django's own {% url %} (no builtins of ours)


def both(source: str, **context) -> tuple[str, str]:
    ours = engines["django"].from_string(source).render(context)
    theirs = DJANGO.from_string(source).render(Context(context))
    return ours, theirs


def test_every_template_uses_the_remembering_tag():
    node = engines["django"].from_string("{% url 'commitments:home' %}").template.nodelist[0]
    assert isinstance(node, urls.RememberedURLNode)


@pytest.mark.parametrize(
    "source",
    [
        "{% url 'commitments:home' %}",
        "{% url 'commitments:group_dashboard' slug %}",
        "{% url 'commitments:commitment_detail' slug ref %}",
        "{% url 'commitments:commitment_detail' slug=slug reference=ref %}",
        "{% url 'commitments:meeting_detail' slug number %}",
        "{% url 'commitments:group_dashboard' slug as there %}[{{ there }}]",
        "{% url 'commitments:no_such_page' as there %}[{{ there }}]",
    ],
)
def test_it_gives_what_djangos_tag_gives(source):
    for ref in ("DPEWG-PC-01", "A&B <x>", "ü-ß"):
        ours, theirs = both(source, slug="dpewg", ref=ref, number=3)
        assert ours == theirs
    assert (
        both(source, slug="dpewg", ref="X", number=3)[0]
        == both(source, slug="dpewg", ref="X", number=3)[0]
    )


def test_it_raises_as_djangos_tag_does_for_a_url_that_does_not_exist():
    with pytest.raises(NoReverseMatch):
        engines["django"].from_string("{% url 'commitments:no_such_page' %}").render({})


def test_it_keeps_urls_apart_by_script_prefix():
    source = "{% url 'commitments:group_dashboard' 'dpewg' %}"
    assert engines["django"].from_string(source).render({}) == "/g/dpewg/"
    set_script_prefix("/tracker/")
    try:
        assert engines["django"].from_string(source).render({}) == "/tracker/g/dpewg/"
    finally:
        clear_script_prefix()
    assert engines["django"].from_string(source).render({}) == "/g/dpewg/"


def test_it_reverses_other_arguments_every_time(group):
    """A model instance's text may change: not remembered."""
    source = "{% url 'commitments:group_dashboard' g %}"
    urls._reversed.cache_clear()
    engines["django"].from_string(source).render({"g": group.slug})
    assert urls._reversed.cache_info().currsize == 1

    class Slug:
        text = "one"

        def __str__(self):
            return self.text

    value = Slug()
    assert engines["django"].from_string(source).render({"g": value}) == "/g/one/"
    value.text = "two"
    assert engines["django"].from_string(source).render({"g": value}) == "/g/two/"
    assert urls._reversed.cache_info().currsize == 1
