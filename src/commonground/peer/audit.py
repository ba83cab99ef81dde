"""The audit trail: who, what, when, from where and why, for every view and change of participant data.

Records are append-only (the model refuses updates and deletes, and database triggers refuse
them too) and chained: each record's HMAC-SHA256, under an audit key kept outside the database,
covers its own fields and the previous record's hash, and ``seq`` counts up without gaps. Someone
who can write to the database (and drop its triggers) can still change rows, but cannot make the
links again without the key.

Keys come from ``AUDIT_KEYS`` (comma-separated, base64url, 32 bytes each; the first one signs,
all of them verify), or else from the file ``AUDIT_KEY_FILE``, one key per line. Each record
stores the id of the key that signed it (the first 8 hex digits of the key's SHA-256), so a key
is rotated by putting a new one first and keeping the old ones after it: nothing is rewritten.
With DEBUG on, a missing file is made with a new key; with DEBUG off a server refuses to start.

A record names a person by an opaque id (``pseudonym``: an HMAC of the account's id under the
signing key), never by username, so a deleted account leaves nothing in the trail that names it.

The head is anchored outside the database: a checkpoint (seq, hash, time, signed with the audit
key) is appended to ``checkpoint_path()`` after every ``AUDIT_CHECKPOINT_EVERY`` records and by
``commonground audit checkpoint`` (run it from cron). ``verify`` (``commonground audit verify``)
walks the chain, and the chain must hold every checkpoint's record with that exact hash: records
cut from the end, or a chain made again, are found. See docs/peer.md ("Audit").
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import orjson
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from commonground import keys as key_store
from commonground.peer.models import AuditHead, AuditRecord

log = logging.getLogger(__name__)
GENESIS = "0" * 64
FIELDS = (
    "seq",
    "at",
    "user_id_at",
    "organisation_id_at",
    "action",
    "view",
    "object_type",
    "object_id",
    "participant_id_at",
    "address",
    "prev_hash",
    "key_id",
)


class AuditKeyError(ImproperlyConfigured):
    pass


MISSING = (
    "No key for the audit trail. Set AUDIT_KEYS to a random 32-byte key in base64url "
    "(`commonground new-key` prints one), or put it in AUDIT_KEY_FILE. `scripts/run` makes one. "
    "Keep it outside the database and back it up apart from it."
)


@dataclass(frozen=True)
class AuditKeys:
    current: str  # the id of the key that signs
    keys: dict[str, bytes]


def _key_texts() -> list[str]:
    return key_store.key_texts(
        settings.AUDIT_KEYS,
        settings.AUDIT_KEY_FILE,
        debug=settings.DEBUG,
        what="the audit trail",
        error=AuditKeyError,
        missing=MISSING,
    )


@lru_cache(maxsize=8)
def _ring(texts: tuple[str, ...]) -> AuditKeys:
    found = key_store.decode(texts, what="the audit trail", error=AuditKeyError)
    if not found:
        raise AuditKeyError(MISSING)
    return AuditKeys(next(iter(found)), found)


def keys() -> AuditKeys:
    return _ring(tuple(_key_texts()))


def refuse_missing_key() -> None:
    """For servers (``web.extensions.STARTUP_CHECKS``): fail at start when no audit key can be found."""
    keys()


def canonical(values: dict) -> bytes:
    return orjson.dumps([values[f].isoformat() if f == "at" else values[f] for f in FIELDS])


def mac(key: bytes, values: dict) -> str:
    return hmac.new(key, canonical(values), hashlib.sha256).hexdigest()


def pseudonym(user_pk, ring: AuditKeys | None = None, key_id: str | None = None) -> str:
    """The opaque id a record names an account by: no username, and no account id without the key."""
    ring = ring or keys()
    key = ring.keys[key_id or ring.current]
    return hmac.new(key, f"user:{user_pk}".encode(), hashlib.sha256).hexdigest()[:32]


def record(
    *,
    user=None,
    organisation_id=None,
    action: str,
    view: str,
    object_type: str = "",
    object_id="",
    participant_id=None,
    address: str = "",
) -> AuditRecord:
    ring = keys()
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        values = {
            "seq": head.seq + 1,
            "at": timezone.now(),
            "user_id_at": pseudonym(user.pk, ring) if user is not None else "",
            "organisation_id_at": organisation_id,
            "action": action[:20],
            "view": view[:80],
            "object_type": object_type[:40],
            "object_id": str(object_id or "")[:40],
            "participant_id_at": participant_id,
            "address": address[:64],
            "prev_hash": head.hash,
            "key_id": ring.current,
        }
        row = AuditRecord(**values, hash=mac(ring.keys[ring.current], values))
        AuditRecord.objects.bulk_create([row])  # an insert only: the model's save() refuses changes
        AuditHead.objects.filter(pk=1).update(seq=row.seq, hash=row.hash)
        if row.seq % settings.AUDIT_CHECKPOINT_EVERY == 0:
            transaction.on_commit(lambda: write_checkpoint(row.seq, row.hash))
    return row


def with_names(rows, organisation) -> list[AuditRecord]:
    """Records with ``who`` set for the page: the organisation's staff by name (their opaque ids
    worked out under every key), anyone else (a deleted account, a stranger) by a short opaque id."""
    from commonground.peer.models import Staff

    rows, ring = list(rows), keys()
    names = {}
    for member in Staff.objects.filter(organisation=organisation).select_related("user"):
        label = f"{member.display_name} ({member.user.get_username()})"
        for key_id in {r.key_id for r in rows if r.key_id in ring.keys}:
            names[pseudonym(member.user_id, ring, key_id)] = label
    for row in rows:
        row.who = names.get(row.user_id_at, row.user_id_at[:12] and f"#{row.user_id_at[:12]}")
    return rows


def address_of(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


# --- checkpoints: the head, signed, in a file outside the database --------------------------------


def checkpoint_path() -> Path:
    """``AUDIT_CHECKPOINT_FILE``, or ``audit/checkpoints.jsonl`` among the database's own files."""
    if settings.AUDIT_CHECKPOINT_FILE:
        return Path(settings.AUDIT_CHECKPOINT_FILE)
    from commonground.runtime import runtime_dir

    return runtime_dir("audit") / "checkpoints.jsonl"


def _checkpoint_mac(key: bytes, seq: int, head_hash: str, at: str) -> str:
    return hmac.new(key, orjson.dumps(["checkpoint", seq, head_hash, at]), hashlib.sha256).hexdigest()


def write_checkpoint(seq: int, head_hash: str, ring: AuditKeys | None = None) -> dict:
    """Append one signed line (a single write to a file opened for appending)."""
    ring = ring or keys()
    at = datetime.now(UTC).isoformat(timespec="seconds")
    line = {
        "seq": seq,
        "hash": head_hash,
        "at": at,
        "key_id": ring.current,
        "mac": _checkpoint_mac(ring.keys[ring.current], seq, head_hash, at),
    }
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, orjson.dumps(line) + b"\n")
    finally:
        os.close(fd)
    return line


class CheckpointError(Exception):
    pass


def checkpoints() -> list[dict]:
    """Every checkpoint line, each one's signature checked (CheckpointError names a bad line)."""
    path = checkpoint_path()
    if not path.is_file():
        return []
    ring, found = keys(), []
    for number, text in enumerate(path.read_bytes().splitlines(), start=1):
        if not text.strip():
            continue
        try:
            line = orjson.loads(text)
            key = ring.keys.get(line["key_id"])
            good = key is not None and hmac.compare_digest(
                _checkpoint_mac(key, int(line["seq"]), str(line["hash"]), str(line["at"])), str(line["mac"])
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            good = False
        if not good:
            raise CheckpointError(f"checkpoint line {number} of {path} is not signed by an audit key")
        found.append(line)
    return found


def checkpoint() -> dict | None:
    """Verify the whole chain, then anchor its head (``commonground audit checkpoint``); None when
    the trail is still empty."""
    result = verify()
    if not result.ok:
        raise CheckpointError(result.problem)
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    return write_checkpoint(head.seq, head.hash)


# --- verification -----------------------------------------------------------------------------------


@dataclass
class Verification:
    ok: bool
    checked: int
    problem: str = ""
    anchored: int = 0  # the seq of the last checkpoint the chain reached


def verify(batch: int = 5000) -> Verification:
    """Walk the whole chain; the first break found is reported (edited, missing, reordered, unsigned,
    or short of a checkpoint)."""
    ring = keys()
    try:
        anchors = {}
        for line in checkpoints():
            anchors.setdefault(int(line["seq"]), set()).add(line["hash"])
    except CheckpointError as exc:
        return Verification(False, 0, str(exc))
    prev, expected_seq, checked = GENESIS, 1, 0
    while True:
        # plain dicts, not model instances (cheaper per record)
        rows = list(AuditRecord.objects.filter(seq__gte=expected_seq).order_by("seq").values(*FIELDS, "hash")[:batch])
        if not rows:
            break
        for row in rows:
            seq, key_id = row["seq"], row["key_id"]
            if seq != expected_seq:
                return Verification(False, checked, f"record {expected_seq} is missing (the next is {seq})")
            if row["prev_hash"] != prev:
                return Verification(False, checked, f"record {seq} does not follow record {seq - 1}")
            if not key_id:
                return Verification(
                    False,
                    checked,
                    f"record {seq} is not signed with an audit key (a plain "
                    "hash: written again by someone without the key?)",
                )
            key = ring.keys.get(key_id)
            if key is None:
                return Verification(
                    False,
                    checked,
                    f"record {seq} was signed with key {key_id}, which "
                    "is not among AUDIT_KEYS: keep old keys after the new one",
                )
            if not hmac.compare_digest(mac(key, row), row["hash"]):
                return Verification(False, checked, f"record {seq} was changed after it was written")
            if seq in anchors and row["hash"] not in anchors[seq]:
                return Verification(
                    False, checked, f"record {seq} is not the one the checkpoint saw: the chain was made again"
                )
            prev, expected_seq, checked = row["hash"], expected_seq + 1, checked + 1
    last = expected_seq - 1
    anchored = max((s for s in anchors if s <= last), default=0)
    beyond = [s for s in anchors if s > last]
    if beyond:
        return Verification(
            False,
            checked,
            f"the chain ends at record {last}, but a checkpoint saw record "
            f"{max(beyond)}: the last records were removed",
            anchored,
        )
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != last or head.hash != prev):
        return Verification(
            False,
            checked,
            f"the chain ends at record {last}, but {head.seq} were written: the last records were removed",
            anchored,
        )
    return Verification(True, checked, anchored=anchored)
