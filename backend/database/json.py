"""JSON from the database decoded with orjson.

Django loads `jsonb` as text and decodes it with `json.loads` in `JSONField.from_db_value`:
for a page of records that is most of the time spent reading them. `loads` decodes with
orjson, except text holding a run of 19 or more digits (orjson reads an integer beyond 64
bits as a float, losing digits; `jsonb` keeps them) or what orjson refuses: those go to the
standard decoder. It serves psycopg's `jsonb` loader and, as `FastJSONDecoder`, the busy
JSON fields of the models."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LONG_DIGITS = re.compile(r"[0-9]{19}")
_LONG_DIGITS_BYTES = re.compile(rb"[0-9]{19}")


def loads(data: str | bytes | bytearray | memoryview) -> Any:
    if isinstance(data, memoryview):
        data = bytes(data)
    pattern = _LONG_DIGITS if isinstance(data, str) else _LONG_DIGITS_BYTES
    if pattern.search(data) is None:  # type: ignore[arg-type]
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


class FastJSONDecoder(json.JSONDecoder):
    def decode(self, s: str, _w: Any = None) -> Any:
        return loads(s)
