"""common.forms.FastSelect draws exactly what Django's Select draws, without its templates."""

from __future__ import annotations

import pytest
from django import forms

from common.forms import FastSelect

CHOICES = [
    ("", "Any"),
    ("a", "Plain"),
    ("b&c", 'Needs <escaping> & "quotes"'),
    ("Side", [("x", "Grouped X"), ("y", "Grouped Y")]),
]


@pytest.mark.parametrize("value", [None, "", "a", "b&c", "y"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_f", "aria-describedby": "id_f_helptext", "autofocus": True}]
)
def test_it_draws_what_djangos_select_draws(value, attrs):
    ours = FastSelect(choices=CHOICES, attrs={"class": "x", "disabled": False})
    django = forms.Select(choices=CHOICES, attrs={"class": "x", "disabled": False})
    assert ours.render("f", value, attrs) == django.render("f", value, attrs)
    assert "Needs &lt;escaping&gt; &amp; &quot;quotes&quot;" in ours.render("f", value, attrs)


def test_the_list_filters_use_it():
    from commitments.filters import CommitmentFilterForm

    selects = [
        name
        for name, field in CommitmentFilterForm.base_fields.items()
        if isinstance(field.widget, forms.Select)
    ]
    assert len(selects) == 9
    assert all(isinstance(CommitmentFilterForm.base_fields[n].widget, FastSelect) for n in selects)
