"""Item 8: no last names, and no contact details the source did not publish as public contacts."""

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.feeds.anonymity import (
    _full_names,
    anonymize_person,
    first_names,
    likely_full_names,
    may_name_someone,
    surnames,
)
from commonground.feeds.importing import import_location
from commonground.feeds.meeting_guide.writer import feed_queryset, write_feed
from commonground.meetings.models import Meeting
from tests.hardening.conftest import good_row
from tests.tiers import sweep

NAMES = [
    ("Smith, Robert", "Robert S."),
    ("SMITH, ROBERT", "ROBERT S."),
    ("Robert Smith", "Robert S."),
    ("Bill W.", "Bill W."),
    ("Bill", "Bill"),
    ("Dr. Jane Doe", "Jane D."),
    ("Dr. Smith", "S."),
    ("Rev. Mary Ann Jones", "Mary J."),
    ("Mary-Kate Olsen-Smith", "Mary-Kate O."),
    ("García López, José Luis", "José G."),
    ("van der Berg, Anna", "Anna B."),
    ("Robert Smith Jr.", "Robert S."),
    ("Ms. O'Brien, Siobhan", "Siobhan O."),
    ("  ", ""),
]


@pytest.mark.parametrize("given, shown", NAMES)
def test_item08_names_become_first_name_and_last_initial(given, shown):
    assert anonymize_person(given) == shown


@pytest.mark.django_db
def test_item08_contacts_are_anonymised_on_import_and_export(feed_path):
    import_location(
        feed_path(
            [
                good_row(
                    contact_1_name="Smith, Robert",
                    contact_1_phone="555-0100",
                    contact_2_name="Dr. Jane Doe",
                    contact_2_email="jane@example.org",
                )
            ]
        )
    )
    assert [c["name"] for c in Meeting.objects.get().contacts] == ["Robert S.", "Jane D."]
    row = json.loads(_export())[0]
    assert row["contact_1_name"] == "Robert S." and row["contact_2_name"] == "Jane D."
    assert "Smith" not in _export() and "Doe" not in _export()


@pytest.mark.django_db
def test_item08_private_group_fields_are_never_republished(samples):
    # The TSML template has the group's private e-mail, phone, mailing address and Venmo handle.
    import_location(str(samples / "tsml-template-san-jose.csv"))
    rows = json.loads(_export())
    for row in rows:
        for private in ("email", "phone", "mailing_address", "venmo", "last_contact", "author"):
            assert private not in row
    assert "(800) 555-1212" not in _export() and "@sample-venmo" not in _export()


@pytest.mark.django_db
def test_item08_likely_full_names_in_free_text_are_warned_about_not_rewritten(feed_path):
    report = import_location(
        feed_path(
            [good_row(notes="Contact John Smith for the key. Ask Bill W. at the door.", group="St. John Church Group")]
        )
    )
    meeting = Meeting.objects.get()
    assert meeting.notes.startswith("Contact John Smith"), "text is never rewritten"
    warned = [w for w in report.warnings if "full name" in w.message]
    assert [w.field for w in warned] == ["notes"] and "John Smith" in warned[0].message


@pytest.mark.parametrize(
    "text, found",
    [
        ("Call María González after 6", ["María González"]),
        ("Meets at Grace Lutheran Church", []),
        ("John Street entrance", []),
        ("Mary Ann chairs it", []),
        ("San José Community Center", []),
        ("Secretary: Linda Brown.", ["Linda Brown"]),
        ("Bill W. and Bob S.", []),
    ],
)
def test_item08_full_name_detection(text, found):
    assert likely_full_names(text) == found


def _export() -> str:
    out = io.StringIO()
    write_feed(feed_queryset(), out)
    return out.getvalue()


_GIVEN = sorted(first_names())
_PIECES = st.one_of(
    st.sampled_from(_GIVEN),
    st.sampled_from(sorted(surnames())[:400]),
    st.sampled_from(["Church", "St.", "W.", "x", "Ann", "O'Brien", "Mc", "ß", "É", "1st", "_a", "Ⅻ"]),
)
_GLUE = st.sampled_from([" ", "  ", "-", "'", "’", ".", ". ", ", ", "\n", "_", "2", "", "\t", "é", "(", ")"])


@pytest.mark.slow
@given(st.lists(st.tuples(_PIECES, _GLUE), max_size=8))
@settings(max_examples=400, deadline=None)
def test_item08_the_quick_check_never_hides_a_name(parts):
    """``likely_full_names`` skips text whose letter runs hold no piece of a given name; that
    check must never change its answer, whatever glues the words together."""
    text = "".join(word + glue for word, glue in parts)
    assert likely_full_names(text) == _full_names(text)


def test_item08_the_quick_check_knows_hyphenated_given_names():
    hyphenated = next(n for n in _GIVEN if "-" in n)  # "Ann-Kathrin": its second piece starts a pair
    text = f"Ask {hyphenated} Smith"
    assert may_name_someone(text) and likely_full_names(text) == _full_names(text) != []
    assert likely_full_names("x-John González") == ["John González"]  # a pair may start after a hyphen
    assert not may_name_someone("Demo listing at the Serenity Hall, 12 Park Rd")


@sweep("code", range(128))
def test_item08_the_quick_check_reads_every_ascii_character_as_the_pattern_does(code):
    glue = chr(code)
    for text in (
        f"x{glue}John Brown",
        f"Ask{glue}John Brown",
        f"John{glue}Brown",
        f"é{glue}John Brown",
        f"x{glue}John González",
    ):
        assert likely_full_names(text) == _full_names(text), text


EMAILS = [
    # (contact name as the feed gave it, e-mail, kept?)
    ("Robert Smith", "robert.smith@example.org", False),
    ("Smith, Robert", "rsmith@example.org", False),
    ("Robert S.", "robert.smith@example.org", False),  # the feed shortened the name, not the address
    ("", "robert.smith@example.org", False),  # no name at all: a given name and a surname in the address
    ("", "Robert_Smith77@example.org", False),
    ("Mary Ann Jones", "maryjones@example.org", False),
    ("Robert Smith", "robert@example.org", True),  # a first name alone is what a listing shows anyway
    ("Robert Smith", "secretary@example.org", True),
    ("", "district12.dcm@example.org", True),
    ("", "hope.group@example.org", True),
    ("Bill W.", "billw@example.org", True),
]


@pytest.mark.parametrize("name, email, kept", EMAILS)
def test_item25_low_a_contact_e_mail_that_names_the_person_is_not_kept(name, email, kept):
    from commonground.feeds.anonymity import email_names_someone

    assert email_names_someone(email, name) is (not kept)


@pytest.mark.django_db
def test_item25_low_the_export_holds_no_e_mail_that_gives_back_a_last_name(feed_path):
    report = import_location(
        feed_path(
            [
                good_row(
                    contact_1_name="Robert Smith",
                    contact_1_email="robert.smith@example.org",
                    contact_1_phone="555-0100",
                    contact_2_name="Jane",
                    contact_2_email="jane@example.org",
                )
            ]
        )
    )
    assert [c["email"] for c in Meeting.objects.get().contacts] == ["", "jane@example.org"]
    assert any("contact_1_email" in str(w) for w in report.warnings), report.warnings
    exported = _export()
    assert "smith" not in exported.lower() and "jane@example.org" in exported
    # A row stored by an older version still holds the address: the export leaves it out too.
    Meeting.objects.update(contacts=[{"name": "Robert S.", "email": "robert.smith@example.org", "phone": ""}])
    assert "smith" not in _export().lower()
