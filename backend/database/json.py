"""JSON from the database decoded with orjson.

Django loads `jsonb` as text and decodes it with `json.loads` in `JSONField.from_db_value`:
for a page of records that is most of the time spent reading them. `loads` decodes with
orjson; orjson reads an integer beyond 64 bits as a float, losing digits (`jsonb` keeps
them), so a result holding a float that large is decoded again with the standard decoder,
as is what orjson refuses. It serves psycopg's `jsonb` loader and, as `FastJSONDecoder`,
the busy JSON fields of the models."""

from __future__ import annotations

import json
from typing import Any

import orjson

_BEYOND_64_BITS = 2.0**63


def _holds_huge_number(value: Any) -> bool:
    kind = type(value)
    if kind is float:
        return bool(value >= _BEYOND_64_BITS or value <= -_BEYOND_64_BITS)
    if kind is dict:
        value = value.values()
    elif kind is not list:
        return False
    for item in value:
        item_kind = type(item)
        if item_kind is float:
            if item >= _BEYOND_64_BITS or item <= -_BEYOND_64_BITS:
                return True
        elif (item_kind is dict or item_kind is list) and _holds_huge_number(item):
            return True
    return False


def loads(data: str | bytes | bytearray | memoryview) -> Any:
    if isinstance(data, memoryview):
        data = bytes(data)
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
    return json.loads(data) if _holds_huge_number(value) else value


class FastJSONDecoder(json.JSONDecoder):
    def decode(self, s: str, _w: Any = None) -> Any:
        return loads(s)
