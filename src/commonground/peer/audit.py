"""The audit trail: who, what, when, from where and why, for every view and change of participant data.

Records are append-only (the model refuses updates and deletes, and database triggers refuse
them too) and hash-chained: each record's SHA-256 covers its own fields and the previous record's
hash, and ``seq`` counts up without gaps. ``verify`` (``commonground audit verify``) walks the
chain and names the first record that was edited, removed or inserted out of order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson
from django.db import transaction
from django.utils import timezone

from commonground.peer.models import AuditHead, AuditRecord

GENESIS = "0" * 64
FIELDS = ("seq", "at", "user_id_at", "organisation_id_at", "action", "view", "object_type", "object_id",
          "participant_id_at", "address", "prev_hash")


def _digest(values: dict) -> str:
    canonical = orjson.dumps([values[f] if f != "at" else values[f].isoformat() for f in FIELDS])
    return hashlib.sha256(canonical).hexdigest()


def record(*, user=None, organisation_id=None, action: str, view: str, object_type: str = "", object_id="",
           participant_id=None, address: str = "") -> AuditRecord:
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        values = {"seq": head.seq + 1, "at": timezone.now(),
                  "user_id_at": f"{user.pk}:{user.get_username()}"[:40] if user is not None else "",
                  "organisation_id_at": organisation_id, "action": action[:20], "view": view[:80],
                  "object_type": object_type[:40], "object_id": str(object_id or "")[:40],
                  "participant_id_at": participant_id, "address": address[:64], "prev_hash": head.hash}
        row = AuditRecord(**values, hash=_digest(values))
        AuditRecord.objects.bulk_create([row])  # an insert only: the model's save() refuses changes
        AuditHead.objects.filter(pk=1).update(seq=row.seq, hash=row.hash)
    return row


def address_of(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


@dataclass
class Verification:
    ok: bool
    checked: int
    problem: str = ""


def verify(batch: int = 5000) -> Verification:
    """Walk the whole chain; the first break found is reported (edited, missing or reordered)."""
    prev, expected_seq, checked = GENESIS, 1, 0
    while True:
        rows = list(AuditRecord.objects.filter(seq__gte=expected_seq).order_by("seq")[:batch])
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return Verification(False, checked, f"record {expected_seq} is missing (the next is {row.seq})")
            values = {f: getattr(row, f) for f in FIELDS}
            if row.prev_hash != prev:
                return Verification(False, checked, f"record {row.seq} does not follow record {row.seq - 1}")
            if _digest(values) != row.hash:
                return Verification(False, checked, f"record {row.seq} was changed after it was written")
            prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        return Verification(False, checked, f"the chain ends at record {expected_seq - 1}, but {head.seq} were "
                                            "written: the last records were removed")
    return Verification(True, checked)
