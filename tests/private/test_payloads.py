"""Typed payloads (private/payloads.py): each encrypted record kind is a dataclass, checked on the way
in, and written back as the same JSON, with nothing it does not know lost."""

from __future__ import annotations

import dataclasses

import orjson
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.journal import records as journal_records
from commonground.journal.forms import PLAN_FIELDS, SAFER
from commonground.journal.models import Account, CheckIn, Clock, Plan
from commonground.journal.records import AccountData, CheckInData, ClockData, PlanData, SavedFit, Slip, TriedData
from commonground.peer import records as peer_records
from commonground.private.crypto import EncryptedJSONField, decrypt
from commonground.private.payloads import Payload, PayloadError

KINDS = [
    kind
    for module in (journal_records, peer_records)
    for kind in vars(module).values()
    if isinstance(kind, type) and issubclass(kind, Payload) and kind is not Payload
]


def test_a_record_reads_back_as_it_was_written():
    raw = {
        "name": "Drinking",
        "substance": "alcohol",
        "start_date": "2026-01-01",
        "start_time": "21:30",
        "timezone": "Europe/Madrid",
        "convention": "aa",
        "slips": [{"date": "2025-12-31", "time": "23:00", "note": "party", "timezone": "Europe/Madrid"}],
        "stretches": [{"start_date": "2025-06-01", "end_date": "2025-12-31"}],
    }
    clock = ClockData.load(raw)
    assert clock.slips[0] == Slip(date="2025-12-31", time="23:00", note="party", timezone="Europe/Madrid")
    assert clock.stretches[0].end_date == "2025-12-31"
    assert clock.dump() == raw


def test_a_key_no_field_names_is_kept_and_written_back():
    """A record written by a newer release keeps what an older one does not know."""
    raw = {"date": "2026-12-07", "mood": 4, "sleep_hours": 7, "tags": ["work"]}
    check_in = CheckInData.load(raw)
    assert check_in.extra == {"sleep_hours": 7, "tags": ["work"]}
    assert check_in.dump() == {**CheckInData(date="2026-12-07", mood=4).dump(), "sleep_hours": 7, "tags": ["work"]}


@pytest.mark.parametrize(
    ("kind", "raw", "where"),
    [
        (CheckInData, {"mood": "happy"}, "CheckInData.mood"),
        (CheckInData, {"meeting": "yes"}, "CheckInData.meeting"),
        (CheckInData, {"mood": True}, "CheckInData.mood"),  # a bool is not a number here
        (ClockData, {"slips": {"date": "2026-01-01"}}, "ClockData.slips"),
        (ClockData, {"slips": [{"date": 20260101}]}, "ClockData.slips[0]: Slip.date"),
        (AccountData, {"saved_fit": {"ranking": "aa"}}, "AccountData.saved_fit: SavedFit.ranking"),
        (PlanData, {"people": [{"name": ["x"]}]}, "PlanData.people[0]: Person.name"),
        (PlanData, {"safer": {"naloxone": 1}}, "PlanData.safer.naloxone"),
    ],
)
def test_a_value_that_does_not_fit_is_refused_naming_the_kind_and_field(kind, raw, where):
    with pytest.raises(PayloadError) as refused:
        kind.load(raw)
    assert where in str(refused.value)


def test_not_an_object_is_refused():
    with pytest.raises(PayloadError, match="expected an object, got list"):
        ClockData.load([1, 2])


def test_what_older_rows_hold_is_read_as_its_type():
    assert TriedData.load({"rating": "4"}).rating == 4
    assert TriedData.load({"rating": ""}).rating is None
    assert TriedData.load({"rating": None, "would_return": None}).would_return is None


def test_an_empty_record_is_false_as_the_empty_dict_was():
    assert not ClockData() and not AccountData.load({}) and not SavedFit.load({"ranking": []})
    assert AccountData(timezone="UTC") and SavedFit(ranking=["aa"])


def test_but_makes_a_checked_copy():
    account = AccountData(timezone="UTC")
    moved = account.but(timezone="Asia/Tokyo", saved_fit=SavedFit(ranking=["aa"]))
    assert (account.timezone, moved.timezone, moved.saved_fit) == ("UTC", "Asia/Tokyo", SavedFit(ranking=["aa"]))
    with pytest.raises(PayloadError):
        account.but(sessions="one")


JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=5))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from(KINDS), st.dictionaries(st.text(max_size=8), JSON_LEAF, max_size=6))
def test_any_object_either_loads_and_dumps_back_a_superset_or_is_refused(kind, raw):
    """Whatever a row holds: refused with a PayloadError, or read and written back with every key."""
    try:
        record = kind.load(raw)
    except PayloadError:
        return
    dumped = record.dump()
    assert set(raw) <= set(dumped)
    assert kind.load(dumped) == record and kind.load(dumped).dump() == dumped


def test_every_record_kind_has_a_default_for_each_field():
    for kind in KINDS:
        assert kind().dump() is not None, kind  # constructible empty: the fields' default=dict holds


def test_the_plan_record_names_every_field_the_plan_form_writes():
    names = {f.name for f in dataclasses.fields(PlanData)}
    assert {name for name, _label, _help in PLAN_FIELDS} | {"people", "professionals", "safer"} <= names
    assert PlanData.load({"safer": {key: True for key, _ in SAFER} | {"notes": "keys"}}).safer["notes"] == "keys"


def test_every_encrypted_object_field_names_its_record_kind():
    """The one field left as plain JSON is a BARC-10's answers: a list of numbers, checked by its form."""
    untyped = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedJSONField) and field.payload is None
    ]
    assert untyped == ["peer.Assessment.answers"]


def test_the_kind_is_not_part_of_the_column():
    field = Clock._meta.get_field("data")
    _name, _path, _args, kwargs = field.deconstruct()
    assert "payload" not in kwargs and kwargs["default"] is dict


@pytest.mark.django_db
def test_the_model_holds_its_kind_however_the_value_arrives():
    user = get_user_model().objects.create_user("payload-person", password="x" * 16)
    made = Clock.objects.create(user=user, data={"name": "Gambling", "start_date": "2026-11-01"})
    assert isinstance(made.data, ClockData) and made.data.name == "Gambling"
    made.data = {"name": "Betting", "start_date": "2026-11-01"}
    assert isinstance(made.data, ClockData)
    made.save()
    again = Clock.objects.get(pk=made.pk)
    assert again.data == ClockData(name="Betting", start_date="2026-11-01")
    assert isinstance(Plan.objects.create(user=user).data, PlanData)  # the default, an empty record
    with pytest.raises(PayloadError):
        CheckIn.objects.create(user=user, data={"mood": "very low"})


@pytest.mark.django_db
def test_what_is_stored_is_the_records_json_encrypted():
    user = get_user_model().objects.create_user("payload-stored", password="x" * 16)
    account = Account.objects.create(user=user, data=AccountData(timezone="America/Denver", extra={"later": 1}))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {Account._meta.db_table} WHERE id = %s", [account.pk])
        (stored,) = cursor.fetchone()
    assert "Denver" not in stored
    plain = orjson.loads(decrypt(stored, f"commonground:{Account._meta.label}.data".encode()))
    assert plain == {**AccountData(timezone="America/Denver").dump(), "later": 1}
