"""The search form's hand-built controls say exactly what Django's widgets say: the same inputs,
selects and options, with the same names, ids, values, checked and selected states and labels,
for empty, filled and hostile data."""

from html.parser import HTMLParser

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.utils import translation

from commonground.web.forms import SearchForm

FIELDS = {
    "select": ["radius_km", "starting_within", "day", "approach", "language", "tz", "sort"],
    "choices": ["mode", "program", "type"],
    "text_input": ["time_from", "time_to", "q"],
}


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


QUERIES = [
    "",
    "near=10001&radius_km=50&day=2&time_from=18:00&time_to=21:30&mode=online&program=aa&program=na"
    "&type=women&type=open&language=es&tz=Europe/Madrid&sort=soonest&q=step",
    "q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&tz=Mars/Olympus_Mons&radius_km=9999&mode=bogus&type=%26amp%3B",
    "tz=%22%3E%3Cb%3E&day=today&mode=hybrid&program=smart&approach=secular",
]


def _check(query):
    form = SearchForm(QueryDict(query))
    for tag, names in FIELDS.items():
        for name in names:
            ours = Template("{% load fastform %}{% " + tag + " form." + name + " %}").render(Context({"form": form}))
            theirs = str(form[name])
            assert parse(ours) == parse(theirs), name
    assert "<script>" not in Template("{% load fastform %}{% text_input form.q %}").render(Context({"form": form}))
    assert "<b>" not in Template("{% load fastform %}{% select form.tz %}").render(Context({"form": form}))


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_the_fast_controls_match_djangos_widgets(query):
    _check(query)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_same_controls_again_in_any_order_and_language(language):
    """Built pieces are kept between requests: a later form, another selection or the other
    language must never get an earlier one's labels or states."""
    with translation.override(language):
        for query in QUERIES + QUERIES[::-1]:
            _check(query)
        spanish = Template("{% load fastform %}{% select form.day %}").render(
            Context({"form": SearchForm(QueryDict())})
        )
        assert ("Cualquier día" in spanish) is (language == "es")
        form = SearchForm(QueryDict())
        assert [form[n].label for n in form.fields] == [str(SearchForm.base_fields[n].label) for n in form.fields]


@pytest.mark.django_db
def test_forms_alive_at_once_keep_their_own_choices():
    """Forms share their fixed fields; two at once (two threads' requests) must not share a zone
    that only one of them asked for."""
    odd, plain = SearchForm(QueryDict("tz=Mars/Olympus_Mons")), SearchForm(QueryDict("tz=Europe/Madrid"))
    for form, expected in ((odd, ["Mars/Olympus_Mons"]), (plain, []), (odd, ["Mars/Olympus_Mons"])):
        assert [v for v, _ in form.fields["tz"].choices if "Mars" in v] == expected
        assert [v for v, _ in form.fields["tz"].widget.choices if "Mars" in v] == expected
        assert (
            'value="Mars/Olympus_Mons"'
            in Template("{% load fastform %}{% select form.tz %}").render(Context({"form": form}))
        ) is bool(expected)
