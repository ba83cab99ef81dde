"""The search form's controls as plain HTML, built in Python.

Django renders each widget (and each option of a select, radio group or checkbox list) through a
template of its own: about fifty template renders for the filter form, which was two fifths of the
results page's time. These tags write the same elements (names, ids, values, checked and selected
states, maxlength) directly; `tests/test_fastform.py` compares them with Django's own output.

Each option's markup, escaped, is kept between requests as the text before and after its
"selected" or "checked" mark, for a field whose choices are plain strings (the search form's,
translated once per language: ``forms.plain_choices``). A page then only joins them.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()
CHECKED = mark_safe(" checked")
SELECTED = mark_safe(" selected")
NOTHING = mark_safe("")


def _plain(field) -> tuple:
    """The field's choices as a tuple of (value, label) strings (a lazy label is translated here;
    the search form's are already plain, forms.plain_choices)."""
    return tuple(("" if value is None else str(value), str(label)) for value, label in field.field.choices)


@lru_cache(maxsize=256)
def _pieces(kind: str | None, name: str, auto_id: str, plain: tuple) -> tuple[tuple[str, str], ...]:
    """Each option's escaped markup, split where its selected/checked mark goes."""
    if kind is None:
        return tuple((f'<option value="{escape(value)}"', f">{escape(label)}</option>") for value, label in plain)
    return tuple(
        (
            f'<label class="choice"><input type="{escape(kind)}" name="{escape(name)}" value="{escape(value)}" '
            f'id="{escape(auto_id)}_{index}"',
            f"> {escape(label)}</label>",
        )
        for index, (value, label) in enumerate(plain)
    )


def _selections(field, plain: tuple) -> list[bool]:
    widget = field.field.widget
    many = widget.allow_multiple_selected
    values = set(widget.format_value(field.value()))
    out, chosen = [], False
    for value, _label in plain:
        selected = (many or not chosen) and value in values
        chosen = chosen or selected
        out.append(selected)
    return out


def _joined(field, kind: str | None, mark: str):
    """The options' markup, Django's own rule deciding which are selected or checked."""
    plain = _plain(field)
    pieces = _pieces(kind, field.html_name, field.auto_id or "", plain)
    return mark_safe(
        "".join(
            f"{before}{mark if on else ''}{after}"
            for (before, after), on in zip(pieces, _selections(field, plain), strict=True)
        )
    )


@register.simple_tag
def select(field):
    """``<select>`` with its options, the chosen one selected."""
    return format_html(
        '<select name="{}" id="{}">{}</select>', field.html_name, field.auto_id, _joined(field, None, SELECTED)
    )


@register.simple_tag
def choices(field):
    """A radio group or checkbox list, each input inside its ``label.choice``."""
    return _joined(field, field.field.widget.input_type, CHECKED)


@register.simple_tag
def text_input(field):
    """A text-like ``<input>`` (its type from the widget), with its current value and maxlength."""
    widget = field.field.widget
    kind = widget.attrs.get("type", widget.input_type)
    value = field.value()
    max_length = getattr(field.field, "max_length", None)
    return format_html(
        '<input type="{}" name="{}"{}{} id="{}">',
        kind,
        field.html_name,
        format_html(' value="{}"', value) if value not in (None, "") else NOTHING,
        format_html(' maxlength="{}"', max_length) if max_length else NOTHING,
        field.auto_id,
    )
