"""The content hash: what a re-sync compares to tell an unchanged meeting from a changed one."""

from datetime import UTC, datetime, time

from commonground.meetings.derive import HASH_PREFIX, content_hash, is_legacy_hash, legacy_content_hash

BASE = {
    "program_id": "aa",
    "name": "Noon Group",
    "weekday": 1,
    "start_time": time(12, 0),
    "latitude": 40.5,
    "updated_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    "types": ["O", "D"],
    "contacts": [{"name": "Ann B.", "email": ""}],
    "extra": {"district": "7", "group_id": "12"},
}


def test_missing_none_and_empty_hash_alike_and_dict_order_does_not_matter():
    assert content_hash(BASE) == content_hash({**BASE, "notes": "", "group": None, "regions": []})
    assert content_hash(BASE) == content_hash({**BASE, "extra": {"group_id": "12", "district": "7"}})


def test_every_kind_of_change_changes_it():
    changed = [
        {"name": "Noon group"},
        {"weekday": 2},
        {"start_time": time(12, 1)},
        {"latitude": 40.50001},
        {"updated_at": datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC)},
        {"types": ["D", "O"]},
        {"contacts": [{"name": "Ann C.", "email": ""}]},
        {"extra": {"district": "8", "group_id": "12"}},
        {"weekday": True},
        {"latitude": 40},
        {"approximate": False},
        {"notes": "None"},
    ]
    hashes = {content_hash({**BASE, **change}) for change in changed}
    assert len(hashes) == len(changed) and content_hash(BASE) not in hashes


def test_values_json_cannot_write_still_hash():
    """A lone surrogate (a feed may escape one) or an integer past 64 bits: the fields go by repr."""
    odd = [content_hash({**BASE, "name": "a\ud800b"}), content_hash({**BASE, "duration_minutes": 10**40})]
    assert all(h.startswith(HASH_PREFIX) and len(h) == 40 for h in odd) and len(set(odd)) == 2


def test_legacy_hashes_are_told_apart():
    assert is_legacy_hash(legacy_content_hash(BASE)) and not is_legacy_hash(content_hash(BASE))
    assert not is_legacy_hash("") and len(legacy_content_hash(BASE)) == 40
