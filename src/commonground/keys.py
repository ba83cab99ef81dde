"""Keys kept outside the database, for the private floor: the companion's encryption keys and the
audit trail's signing keys are read, checked and made here, one way for both.

A key is 32 random bytes in base64url. A setting holds keys comma-separated (the first one is
used for new data; all of them read old data), or else a key file holds one a line (``#`` starts
a comment). With DEBUG on, a missing file is made with a new key; otherwise it is an error, so a
server refuses to start rather than fail at its first private request. A key is named by the
first 8 hex digits of its SHA-256, which is what stored data records, so keys rotate without
rewriting anything.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets

log = logging.getLogger(__name__)
KEY_BYTES = 32


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).rstrip(b"=").decode()


def key_texts(configured: str, path: str, *, debug: bool, what: str, error: type[Exception], missing: str) -> list[str]:
    """The keys, as text: from the setting's value, else the file at ``path`` (made when ``debug``)."""
    texts = [k.strip() for k in (configured or "").split(",") if k.strip()]
    if texts:
        return texts
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as fh:
            texts = [line.strip() for line in fh if line.strip() and not line.startswith("#")]
        if texts:
            return texts
        raise error(missing)
    if debug:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as fh:
            fh.write(new_key() + "\n")
        log.warning(
            "Made a local key for %s in %s (DEBUG is on). Keep it, backed up apart from the database: "
            "without it the data cannot be read or checked.",
            what,
            path,
        )
        return key_texts("", path, debug=False, what=what, error=error, missing=missing)
    raise error(missing)


def decode(texts: tuple[str, ...], *, what: str, error: type[Exception]) -> dict[str, bytes]:
    """key id -> the key's bytes, in the order given (the first is the current key)."""
    keys: dict[str, bytes] = {}
    for text in texts:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (ValueError, TypeError):
            raise error(f"{what[:1].upper()}{what[1:]}: a key is not valid base64url.") from None
        if len(raw) != KEY_BYTES:
            raise error(
                f"{what[:1].upper()}{what[1:]}: a key must be {KEY_BYTES} bytes (256 bits); one is {len(raw)} bytes."
            )
        keys[hashlib.sha256(raw).hexdigest()[:8]] = raw
    return keys
