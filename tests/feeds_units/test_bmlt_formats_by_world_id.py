"""A BMLT root's format keys are its own words: they are read through each format's world_id in the
root's own format list, never by the key string alone (issue 29). In the Swedish formats "S" is a
closed meeting (sluten) and "K" a women's meeting (kvinnor); in TSML's table "S" is Spanish."""

from commonground.feeds.bmlt.reader import parse_answers
from commonground.meetings import types

SWEDISH = [
    {"key_string": "S", "world_id": "CLOSED", "name_string": "Slutet möte", "format_type_enum": "O", "lang": "sv"},
    {"key_string": "K", "world_id": "W", "name_string": "Kvinnor", "format_type_enum": "FC3", "lang": "sv"},
    {"key_string": "Ö", "world_id": "OPEN", "name_string": "Öppet möte", "format_type_enum": "O", "lang": "sv"},
]


def meeting(formats: str) -> dict:
    return {
        "id_bigint": "4711",
        "meeting_name": "Lördagsgruppen",
        "weekday_tinyint": "7",
        "start_time": "18:00:00",
        "duration_time": "01:30:00",
        "time_zone": "Europe/Stockholm",
        "formats": formats,
        "location_text": "Kyrkan",
        "location_street": "Storgatan 1",
        "location_municipality": "Stockholm",
        "latitude": "59.3293",
        "longitude": "18.0686",
        "venue_type": "1",
    }


def tags(row: dict) -> set[str]:
    return set(types.tags_for("na", row["types"]))


def test_s_and_k_in_the_swedish_list_read_as_closed_and_women():
    (row,) = list(parse_answers([meeting("S,K")], SWEDISH, []).rows)
    assert {"closed", "women"} <= tags(row)
    assert "spanish" not in tags(row) and "es" not in row.get("languages", [])


def test_a_key_the_root_defines_otherwise_never_falls_back_to_the_stock_meaning():
    (swedish,) = list(parse_answers([meeting("Ö,K")], SWEDISH, []).rows)
    assert {"open", "women"} <= tags(swedish) and "closed" not in tags(swedish)
    # With no list of the root's own, a key the stock table does not hold means nothing: no guess.
    assert "K" not in types.bmlt_world_formats()
    (plain,) = list(parse_answers([meeting("K")], [], []).rows)
    assert plain["types"] == [] and tags(plain) == set()
