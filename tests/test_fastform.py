"""The search form's hand-built controls say exactly what Django's widgets say: the same inputs,
selects and options, with the same names, ids, values, checked and selected states and labels,
for empty, filled and hostile data."""

from html.parser import HTMLParser

import pytest
from django.http import QueryDict
from django.template import Context, Template

from commonground.web.forms import SearchForm

FIELDS = {"select": ["radius_km", "starting_within", "day", "approach", "language", "tz", "sort"],
          "choices": ["mode", "program", "type"], "text_input": ["time_from", "time_to", "q"]}


# Django marks fields its own validation rejects; the page reports errors from the search's parser
# instead (with the message beside the field), so those attributes are not ours to copy.
IGNORED = ("class", "required", "aria-invalid", "aria-describedby")


class Controls(HTMLParser):
    """Form controls as (tag, attributes) and option/label text, ignoring layout elements."""

    def __init__(self):
        super().__init__()
        self.found, self.text = [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "select", "option"):
            self.found.append((tag, tuple(sorted((k, v or "") for k, v in attrs if k not in IGNORED))))

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def parse(html):
    parser = Controls()
    parser.feed(html)
    return parser.found, parser.text


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    "",
    "near=10001&radius_km=50&day=2&time_from=18:00&time_to=21:30&mode=online&program=aa&program=na"
    "&type=women&type=open&language=es&tz=Europe/Madrid&sort=soonest&q=step",
    "q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&tz=Mars/Olympus_Mons&radius_km=9999&mode=bogus&type=%26amp%3B",
])
def test_the_fast_controls_match_djangos_widgets(query):
    form = SearchForm(QueryDict(query))
    for tag, names in FIELDS.items():
        for name in names:
            ours = Template("{% load fastform %}{% " + tag + " form." + name + " %}").render(Context({"form": form}))
            theirs = str(form[name])
            assert parse(ours) == parse(theirs), name
    assert "<script>" not in Template("{% load fastform %}{% text_input form.q %}").render(Context({"form": form}))
