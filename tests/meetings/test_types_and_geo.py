"""Program-scoped type tables and tag bits (meetings/types.py), the derived fields of a meeting row
(meetings/derive.py) and the one great-circle distance (meetings/geo.py).

tests/test_types.py checks named codes of a few programs; tests/test_content_hash.py the hash's
treatment of empty values and a dozen changes; tests/test_one_of_each.py that geo.py gives the old
formulas' results to the metre and three distances. Here: the tag bits over every mask; every code
of every table against its own name, its tags and the spec code it exports as; languages both ways;
BMLT world ids; the attendance rule case by case; every hashed field; and the distance's metric
properties, with city pairs worked by another formula.
"""

from __future__ import annotations

import math
import random
from datetime import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.meetings import types
from commonground.meetings.conference import DEMO_CONFERENCE_URL
from commonground.meetings.derive import HASHED_FIELDS, attendance_mode, content_hash, derive
from commonground.meetings.geo import EARTH_RADIUS_KM, km, km_from
from tests.tiers import sweep

TABLES = sorted(types.known_tables())


# --- tags and their bits ----------------------------------------------------------------------------


def test_the_tag_order_is_the_stored_bit_order():
    # Meeting.tag_bits stores these positions: a reordering would change what every stored mask means.
    assert types.TAGS == (
        "open",
        "closed",
        "women",
        "men",
        "lgbtq",
        "young",
        "newcomer",
        "speaker",
        "discussion",
        "study",
        "meditation",
        "wheelchair",
        "asl",
        "childcare",
        "secular",
        "dual_diagnosis",
    )
    assert [types.TAG_BIT[tag] for tag in types.TAGS] == [2**i for i in range(16)]


def test_every_mask_round_trips_through_its_tags():
    every = 1 << len(types.TAGS)
    # Every third mask (all 65,536 take half a second), and the edges: none, each bit alone, all.
    for bits in [*range(0, every, 3), every - 1, *types.TAG_BIT.values()]:
        tags = types.tags_from_bits(bits)
        assert len(tags) == bin(bits).count("1")
        assert types.tag_bits(tags) == bits
    assert types.tags_from_bits(every) == []  # a bit past the vocabulary names no tag
    with pytest.raises(KeyError):
        types.tag_bits(["no such tag"])


def test_every_tag_comes_from_some_code_and_every_codes_tags_are_in_the_vocabulary():
    reached = set()
    for table in TABLES:
        for info in types.type_table(table).values():
            assert set(info.tags) <= set(types.TAGS), (table, info.code)
            reached.update(info.tags)
    assert reached == set(types.TAGS)  # no tag that no feed could ever set


@pytest.mark.slow
@settings(max_examples=50, deadline=None)
@given(table=st.sampled_from(TABLES), data=st.data())
def test_bits_of_codes_are_the_union_of_each_codes_bits_whatever_the_order(table, data):
    codes = sorted(types.type_table(table))
    picked = data.draw(st.lists(st.sampled_from([*codes, "NOPE", "", "o", "zz"]), max_size=8))
    union = 0
    for code in picked:
        info = types.type_table(table).get(code)
        union |= types.tag_bits(info.tags) if info else 0
    assert types.bits_for(table, tuple(picked)) == union
    assert types.bits_for(table, tuple(reversed(picked + picked))) == union
    assert types.tags_for(table, picked) == [t for t in types.TAGS if types.TAG_BIT[t] & union]


# --- every code of every table ----------------------------------------------------------------------


@sweep("table", TABLES)
def test_every_code_resolves_to_itself_and_every_name_to_a_code_of_that_name(table):
    codes = types.type_table(table)
    uppers = [code.upper() for code in codes]
    for code, info in codes.items():
        assert info.code == code and info.names["en"] == info.name
        assert types.code_for(table, code) == code
        assert types.code_for(table, f"  {code}\t") == code
        if code == code.upper() and uppers.count(code) == 1 and code.lower() not in codes:
            assert types.code_for(table, code.lower()) == code  # any case
        found = types.code_for(table, info.name.upper())
        if info.name.upper() not in codes:  # a name that is also a code resolves as the code
            assert found is not None and " ".join(types.type_name(table, found).lower().split()) == " ".join(
                info.name.lower().split()
            ), (code, info.name)
        assert types.is_valid_code(table, code)
        assert types.type_name(table, code, "xx") == info.name  # no such language: English
    assert types.code_for(table, "No Such Type At All") is None
    assert types.type_name(table, "NO-SUCH-CODE") == "NO-SUCH-CODE"


def test_a_table_that_does_not_exist_says_so():
    with pytest.raises(KeyError, match="no-such-program"):
        types.type_table("no-such-program")


@sweep("table", TABLES)
def test_a_code_exports_only_as_a_spec_code_of_the_same_meaning(table):
    """The spec code a program's code is exported as must carry the same tags and language: a Meeting
    Guide client reads it with the spec's meaning, whatever the program."""
    spec = types.type_table("spec")
    for code, info in types.type_table(table).items():
        exported = types.spec_code(table, code)
        if exported is None:
            continue
        assert exported in spec and exported != types.ONLINE_CODE
        assert spec[exported].tags == info.tags, (table, code, info.name, spec[exported].name)
        assert spec[exported].language == info.language
        if table == "spec":
            assert exported == code


def test_look_alike_codes_are_not_exported_as_the_spec_code():
    # Al-Anon's C is "Families and Friends Only", not "Closed"; its Y is Alateen, not "Young People".
    assert types.type_name("al-anon", "C") == "Families and Friends Only" and types.spec_code("al-anon", "C") is None
    assert types.type_name("al-anon", "Y") == "Alateen" and types.spec_code("al-anon", "Y") is None
    # True synonyms are: a beginner is the spec's newcomer; a step meeting its step study.
    assert types.spec_code("al-anon", "BE") == "BE" and types.spec_code("al-anon", "ST") == "ST"
    assert types.spec_code("aa", types.ONLINE_CODE) is None and types.spec_code("aa", "NOPE") is None


@sweep("table", TABLES)
def test_languages_both_ways(table):
    for iso in sorted(set(types.LANGUAGE_NAMES.values())):
        code = types.language_code(table, iso)
        if code is None:
            continue
        assert types.resolve(table, code) == (code, iso)
        assert types.resolve(table, code.lower()) == (code, iso)
        assert types.languages_for(table, [code, "O", "NOPE"]) == [iso]
        assert types.is_valid_code(table, code)
        # A language code adds no tag: languages live apart from types on the meeting.
        assert types.bits_for(table, (code,)) == 0


def test_resolve_in_hand_worked_cases():
    assert types.resolve("spec", "s") == ("S", "es")
    assert types.resolve("spec", "Spanish") == ("S", "es")  # by its English name
    assert types.resolve("na", "fr") == ("FR", "fr")  # NA's table has no language codes: the spec's
    assert types.resolve("aca", "S") == ("S", None)  # ACA's S is Speaker
    assert types.resolve("aa", "Wheelchair Access") == ("X", None)
    assert types.resolve("spec", "nonsense") == (None, None)
    assert not types.is_valid_code("spec", "ZZ")


def test_bmlt_world_ids_become_na_codes_once_each_in_order():
    world_ids = [row["world_id"] for row in types.bmlt_world_formats().values()]
    codes = types.bmlt_world_ids_to_codes(world_ids)
    na = types.type_table("na")
    assert codes and all(code in na for code in codes) and len(codes) == len(set(codes))
    assert types.bmlt_world_ids_to_codes(["OPEN", "O", "OPEN", "CLOSED"]) == ["O", "C"]
    assert types.bmlt_world_ids_to_codes(["VM", "WCHR", "HYBR", "LANG", "", "null"]) == ["ONL", "X"]
    assert types.bmlt_world_ids_to_codes(["S-D", "DISC", "SPK"]) == ["SPK", "DISC"]
    assert types.bmlt_world_ids_to_codes([]) == []


# --- derived fields ---------------------------------------------------------------------------------

KNOWN, UNKNOWN = DEMO_CONFERENCE_URL, "https://example.org/meeting/1"


@pytest.mark.parametrize(
    ("fields", "mode"),
    [
        ({}, "inactive"),
        ({"address": "1 Main St"}, "in_person"),
        ({"formatted_address": "1 Main St, Denver, CO"}, "in_person"),
        ({"latitude": 0.0}, "in_person"),  # on the equator: zero is a place, only None is none
        ({"latitude": None, "address": ""}, "inactive"),
        ({"conference_url": KNOWN}, "online"),
        ({"conference_url": UNKNOWN}, "inactive"),  # an unknown host never makes a meeting online
        ({"conference_url": "https://evil.example\\@zoom.us/j/1"}, "inactive"),
        ({"conference_phone": "+1 555 123 4567"}, "online"),
        ({"conference_phone": "555 1234"}, "inactive"),  # too short to dial
        ({"conference_url": KNOWN, "address": "1 Main St"}, "hybrid"),
        ({"conference_phone": "+15551234567", "latitude": 40.7}, "hybrid"),
        ({"conference_url": KNOWN, "address": "Denver, CO", "approximate": True}, "online"),  # an area is no venue
        ({"address": "Denver, CO", "approximate": True}, "inactive"),
        ({"conference_url": KNOWN, "address": "1 Main St", "temporarily_closed": True}, "online"),
        ({"address": "1 Main St", "temporarily_closed": True}, "inactive"),
        ({"conference_url": UNKNOWN, "address": "1 Main St"}, "in_person"),
    ],
)
def test_attendance_follows_tsmls_rules(fields, mode):
    assert attendance_mode(fields) == mode


def test_derive_fills_every_derived_field_in_place():
    row = {
        "program_id": "aa",
        "weekday": 1,
        "start_time": time(19),
        "types": ["O", "W", "TC", "NOPE"],
        "address": "1 Main St",
        "conference_url": KNOWN,
    }
    out = derive(row, "spec")
    assert out is row
    assert row["temporarily_closed"] is True  # from the TC code
    assert row["attendance_mode"] == "online"  # the venue is closed, the meeting goes on online
    assert row["tag_bits"] == types.TAG_BIT["open"] | types.TAG_BIT["women"]
    assert row["content_hash"] == content_hash(row)
    # A weekday without a time (or a time without a day) is no schedule at all: both go.
    assert derive({"weekday": 3, "start_time": None}, "spec")["weekday"] is None
    assert derive({"weekday": None, "start_time": time(7)}, "spec")["start_time"] is None
    # A closed flag the feed set stays set without the code.
    assert derive({"temporarily_closed": True, "address": "1 Main St"}, "spec")["attendance_mode"] == "inactive"


def test_the_hash_ignores_the_derived_fields_and_anything_not_hashed():
    row = {"name": "Noon", "weekday": 1, "start_time": time(12), "types": ["O"], "address": "1 Main St"}
    before = content_hash(row)
    assert content_hash({**row, "attendance_mode": "hybrid", "tag_bits": 99, "content_hash": "x", "id": 5}) == before
    assert content_hash({**row, "types": ("O",)}) == before  # a tuple and a list alike
    assert content_hash(dict(reversed(list(row.items())))) == before


def test_every_hashed_field_changes_the_hash():
    base = content_hash({})
    seen = {base}
    for name in HASHED_FIELDS:
        value = (
            ["x"]
            if name in ("regions", "types", "languages", "feedback_emails")
            else {"k": "x"}
            if name in ("contacts", "extra")
            else "x"
        )
        changed = content_hash({name: value})
        assert changed not in seen, name  # differs from the empty row and from every other field's
        seen.add(changed)
    assert len(HASHED_FIELDS) == len(set(HASHED_FIELDS))


# --- distance ---------------------------------------------------------------------------------------


def chord_km(lat1, lng1, lat2, lng2):
    """Another formula for the same arc: the straight chord between the two points on the unit
    sphere, c, gives the arc 2·asin(c/2)."""

    def unit(lat, lng):
        a, b = math.radians(lat), math.radians(lng)
        return (math.cos(a) * math.cos(b), math.cos(a) * math.sin(b), math.sin(a))

    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.dist(unit(lat1, lng1), unit(lat2, lng2)) / 2))


# R = 6371.0088 km (the IUGG mean radius).
@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # One degree along a meridian: R·π/180 = 6371.0088 × 0.0174532925 = 111.19508 km.
        ((0.0, 0.0), (1.0, 0.0), 111.19508),
        # Pole to equator, at any longitude: R·π/2 = 10,007.55722 km.
        ((90.0, 0.0), (0.0, 123.0), 10_007.55722),
        # One degree of longitude at 60° N is not half of 111.195 along the parallel but the great circle:
        # 2R·asin(cos 60° · sin 0.5°) = 2 × 6371.0088 × asin(0.5 × 0.00872654) = 55.59701 km.
        ((60.0, 0.0), (60.0, 1.0), 55.59701),
        # Paris (48.8566 N, 2.3522 E) to Berlin (52.52 N, 13.405 E): chord 0.1376189, 2R·asin(0.0688094) = 877.46 km.
        ((48.8566, 2.3522), (52.52, 13.405), 877.46454),
        # Sydney (33.8688 S, 151.2093 E) to Melbourne (37.8136 S, 144.9631 E): chord 0.1119220 -> 713.43 km.
        ((-33.8688, 151.2093), (-37.8136, 144.9631), 713.42847),
        # Los Angeles (34.0522 N, 118.2437 W) to New York (40.7128 N, 74.006 W): chord 0.6079833 -> 3,935.75 km.
        ((34.0522, -118.2437), (40.7128, -74.006), 3935.75169),
        # Quito (0.1807 S, 78.4678 W) to Singapore (1.3521 N, 103.8198 E), nearly antipodal: chord 1.9994971
        # -> 19,729.36 km, 286 km short of half the circumference (20,015.11 km).
        ((-0.1807, -78.4678), (1.3521, 103.8198), 19_729.35881),
    ],
)
def test_known_distances_worked_by_hand(a, b, expected):
    assert km(*a, *b) == pytest.approx(expected, abs=1e-4)
    assert chord_km(*a, *b) == pytest.approx(expected, abs=1e-4)


latitudes = st.floats(-90, 90, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)
points = st.tuples(latitudes, longitudes)


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(points, points, points)
def test_the_distance_is_a_metric_on_the_sphere(a, b, c):
    ab, ba, ac, bc = km(*a, *b), km(*b, *a), km(*a, *c), km(*b, *c)
    assert math.isclose(ab, ba, rel_tol=1e-12, abs_tol=1e-9)
    assert km(*a, *a) == 0.0
    assert 0.0 <= ab <= math.pi * EARTH_RADIUS_KM + 1e-9
    assert ac <= ab + bc + 1e-3  # a metre: asin loses digits near the antipode
    assert ab == pytest.approx(chord_km(*a, *b), abs=2e-3)
    # Longitude is an angle: a turn more is the same place.
    assert km(a[0], a[1] + 360.0, *b) == pytest.approx(ab, abs=1e-3)


@settings(max_examples=50, deadline=None)
@given(points)
def test_a_point_and_its_antipode_are_half_the_circumference_apart_never_nan(a):
    lat, lng = a
    other_lng = lng + 180.0 if lng <= 0 else lng - 180.0
    d = km(lat, lng, -lat, other_lng)
    assert not math.isnan(d)
    assert d == pytest.approx(math.pi * EARTH_RADIUS_KM, abs=1e-3)


def test_one_point_against_many_is_the_same_as_one_pair_at_a_time():
    rng = random.Random(28)
    lats = np.array([rng.uniform(-90, 90) for _ in range(300)])
    lngs = np.array([rng.uniform(-180, 180) for _ in range(300)])
    lat, lng = 39.7392, -104.9903  # Denver
    many = km(lat, lng, lats, lngs)
    assert many.shape == (300,)
    for i in range(300):
        assert many[i] == pytest.approx(km(lat, lng, float(lats[i]), float(lngs[i])), rel=1e-12)
    lat_r, lats_r = math.radians(lat), np.radians(lats)
    index_form = km_from(lat_r, math.radians(lng), math.cos(lat_r), lats_r, np.radians(lngs), np.cos(lats_r))
    assert np.array_equal(index_form, many)
