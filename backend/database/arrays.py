"""Arrays of ids passed to PostgreSQL as one array literal.

Django's psycopg cursors bind parameters on the client, and psycopg turns a list into an
array element by element, each dumped and tested for quoting by a regular expression: for
the few hundred ids of a page that cost several milliseconds per statement. A UUID or an
integer never needs quoting, so the literal is a plain join; cast it in the SQL
(`%s::uuid[]`, `%s::bigint[]`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable


def uuid_array(values: Iterable[uuid.UUID | str]) -> str:
    return "{" + ",".join([_uuid_text(v) for v in values]) + "}"


def int_array(values: Iterable[int]) -> str:
    return "{" + ",".join([str(int(v)) for v in values]) + "}"


def _uuid_text(value: uuid.UUID | str) -> str:
    # anything but a UUID is parsed, so nothing else reaches the literal
    return str(value) if type(value) is uuid.UUID else str(uuid.UUID(str(value)))
