"""Ids as clients see them: opaque UUIDs, parsed in one place.

Workflow objects and users keep integer primary keys inside the database; the API shows and
accepts only their `public_id` (records and alerts are keyed by a UUID already).
"""

from __future__ import annotations

import uuid

from backend.error_codes import ErrorCode
from backend.errors import BadUserInput

# The canonical form is 36 characters; braces and a urn: prefix stay within this.
MAX_ID_LENGTH = 45


class InvalidId(BadUserInput):
    code = ErrorCode.INVALID_ID


def parse_id(value: object, field: str = "id") -> uuid.UUID:
    """The UUID a client sent as an id; INVALID_ID for anything that is not one.

    Says nothing of whether an object with that id exists: callers answer NOT_FOUND alike
    for a missing object and one out of the caller's sight.
    """
    text = str(value)
    if len(text) > MAX_ID_LENGTH or not text.isascii():
        raise InvalidId("This is not an id this server gave out.", field=field)
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InvalidId("This is not an id this server gave out.", field=field) from None


def backfill_public_ids_sql(table: str) -> str:
    """SQL for a migration: a distinct public id for every existing row of a tenant table.

    The migrating owner is subject to forced row-level security, which would hide every
    row; the table's owner may lift the forcing for the one statement.
    """
    # Table names come from migrations, never from input.
    return f"""
        DO $$
        DECLARE forced boolean;
        BEGIN
            SELECT relforcerowsecurity INTO forced FROM pg_class WHERE oid = '{table}'::regclass;
            ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;
            UPDATE {table} SET public_id = gen_random_uuid() WHERE public_id IS NULL;
            IF forced THEN
                ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
            END IF;
        END $$;
    """  # noqa: S608
