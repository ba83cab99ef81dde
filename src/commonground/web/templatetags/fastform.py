"""The search form's controls as plain HTML, built in Python.

Django renders each widget (and each option of a select, radio group or checkbox list) through a
template of its own: about fifty template renders for the filter form, which was two fifths of the
results page's time. These tags write the same elements (names, ids, values, checked and selected
states, maxlength) directly; `tests/test_fastform.py` compares them with Django's own output.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()
CHECKED = mark_safe(" checked")
SELECTED = mark_safe(" selected")
NOTHING = mark_safe("")


def _options(field):
    """Each choice as the widget would describe it (value, label, selected; name and id for
    radios and checkboxes), without building a widget context per option as Django does."""
    widget = field.field.widget
    many = widget.allow_multiple_selected
    values = set(widget.format_value(field.value()))  # Django's own rule: None is "" for a select
    name, auto_id, out, chosen = field.html_name, field.auto_id, [], False
    for index, (value, label) in enumerate(field.field.choices):
        value = "" if value is None else str(value)
        selected = (many or not chosen) and value in values
        chosen = chosen or selected
        out.append({"value": value, "label": label, "selected": selected, "name": name,
                    "attrs": {"id": f"{auto_id}_{index}"}})
    return out


@register.simple_tag
def select(field):
    """``<select>`` with its options, the chosen one selected."""
    options = format_html_join("", '<option value="{}"{}>{}</option>', (
        (o["value"], SELECTED if o["selected"] else NOTHING, o["label"]) for o in _options(field)))
    return format_html('<select name="{}" id="{}">{}</select>', field.html_name, field.auto_id, options)


@register.simple_tag
def choices(field):
    """A radio group or checkbox list, each input inside its ``label.choice``."""
    kind = field.field.widget.input_type
    return format_html_join("", '<label class="choice"><input type="{}" name="{}" value="{}" id="{}"{}> {}</label>', (
        (kind, o["name"], o["value"], o["attrs"]["id"], CHECKED if o["selected"] else NOTHING, o["label"])
        for o in _options(field)))


@register.simple_tag
def text_input(field):
    """A text-like ``<input>`` (its type from the widget), with its current value and maxlength."""
    widget = field.field.widget
    kind = widget.attrs.get("type", widget.input_type)
    value = field.value()
    max_length = getattr(field.field, "max_length", None)
    return format_html('<input type="{}" name="{}"{}{} id="{}">', kind, field.html_name,
                       format_html(' value="{}"', value) if value not in (None, "") else NOTHING,
                       format_html(' maxlength="{}"', max_length) if max_length else NOTHING, field.auto_id)
