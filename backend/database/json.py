"""JSON from the database decoded with orjson.

Django loads `jsonb` as text and decodes it with `json.loads` in `JSONField.from_db_value`:
for a page of records that is most of the time spent reading them. `loads` decodes with
orjson; orjson reads an integer beyond 64 bits as a float, losing digits (`jsonb` keeps
them), so text with a run of 19 digits or more (found by mapping every digit to 0 and
looking for 19 zeros, in C) goes to the standard decoder, as does what orjson refuses. It
serves psycopg's `jsonb` loader and, as `FastJSONDecoder`, the busy JSON fields of the
models."""

from __future__ import annotations

import json
from typing import Any

import orjson

_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_NINETEEN_DIGITS = b"0" * 19


def loads(data: str | bytes | bytearray | memoryview) -> Any:
    raw = data.encode() if isinstance(data, str) else bytes(data)
    if raw.translate(_DIGITS_TO_ZERO).find(_NINETEEN_DIGITS) < 0:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


class FastJSONDecoder(json.JSONDecoder):
    # `json.loads(text, cls=...)` makes a decoder per value; the standard one builds its
    # scanner then, which `decode` here never uses.
    def __init__(self, **_options: Any) -> None:
        pass

    def decode(self, s: str, _w: Any = None) -> Any:
        return loads(s)
