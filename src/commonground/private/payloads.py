"""Typed payloads for the encrypted fields: each record kind is a dataclass, read and written here.

An encrypted field (``crypto.EncryptedJSONField``) stores JSON. Given ``payload=SomeKind``, the
field hands the code a ``SomeKind`` instead of a dict, whichever way the value arrives: read from the
database, passed to ``objects.create(data={...})`` or assigned (``row.data = {...}``). Writing goes
back through ``dump``. So every page and rule reads ``clock.data.start_date``, and a misspelt key is
an ``AttributeError`` at once, not a silent ``None``.

``load`` checks each field against its annotation (``str``, ``int``, ``bool``, ``X | None``,
``list[...]``, ``dict[str, ...]`` and nested payloads) and raises ``PayloadError`` naming the kind and
the field when a value cannot be one. It accepts what older rows hold: a whole number written as
text (``"4"``) for an ``int``, an empty text for an ``int | None``. A key no field names is kept in
``extra`` and written back as it was, so a record written by a newer release loses nothing when an
older one saves it. Dates are ISO text (``"2026-12-07"``), as they always were in these records.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Self, Union


class PayloadError(ValueError):
    """A stored or given value that does not fit its record kind (the message names both)."""


@dataclasses.dataclass(kw_only=True)
class Payload:
    """Base of every record kind. Subclasses are ``@dataclass(kw_only=True)`` with a default for each
    field (an empty record is a valid one: the fields' ``default=dict`` in the migrations)."""

    extra: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, raw: Any) -> Self:
        if isinstance(raw, cls):
            return raw
        if not isinstance(raw, dict):
            raise PayloadError(f"{cls.__name__}: expected an object, got {type(raw).__name__}")
        hints = _hints(cls)
        known = {name: _convert(raw[name], hints[name], f"{cls.__name__}.{name}") for name in hints if name in raw}
        extra = {key: value for key, value in raw.items() if key not in hints and key != "extra"}
        return cls(**known, extra=extra)

    def __bool__(self) -> bool:
        """An empty record (every field at its default) is false, as the empty dict it was."""
        return self != type(self)()

    def dump(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        for f in dataclasses.fields(self):
            if f.name != "extra":
                out[f.name] = _plain(getattr(self, f.name))
        return out

    def but(self, **changes: Any) -> Self:
        """A copy with ``changes`` (each checked as ``load`` checks it)."""
        return type(self).load({**self.dump(), **{k: _plain(v) for k, v in changes.items()}})


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type[Payload]) -> dict[str, Any]:
    """Each field's annotation but ``extra``'s, resolved once per kind."""
    if cls not in _HINTS:
        hints = typing.get_type_hints(cls)
        _HINTS[cls] = {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.name != "extra"}
    return _HINTS[cls]


def _plain(value: Any) -> Any:
    if isinstance(value, Payload):
        return value.dump()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _convert(value: Any, hint: Any, where: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        if value == "" and type(None) in args and int in args:
            return None  # an int left empty in an older form
        others = [a for a in args if a is not type(None)]
        errors = []
        for option in others:
            try:
                return _convert(value, option, where)
            except PayloadError as exc:
                errors.append(str(exc))
        raise PayloadError("; ".join(errors))
    if hint is Any:
        return value
    if isinstance(hint, type) and issubclass(hint, Payload):
        try:
            return hint.load(value)
        except PayloadError as exc:
            raise PayloadError(f"{where}: {exc}") from None
    if origin is list:
        if not isinstance(value, list):
            raise PayloadError(f"{where}: expected a list, got {type(value).__name__}")
        return [_convert(v, args[0], f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise PayloadError(f"{where}: expected an object, got {type(value).__name__}")
        return {str(k): _convert(v, args[1], f"{where}.{k}") for k, v in value.items()}
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    else:
        raise TypeError(f"{where}: a payload field cannot be {hint!r}")
    raise PayloadError(f"{where}: expected {hint.__name__}, got {value!r:.40}")
