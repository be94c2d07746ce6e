"""Id arrays sent as one literal come back from PostgreSQL as the ids sent, and nothing but
ids gets into the literal."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from backend.database.arrays import int_array, uuid_array

pytestmark = pytest.mark.django_db


def test_uuids_and_integers_round_trip() -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::uuid[], %s::bigint[]",
            [uuid_array([ids[0], str(ids[1]), ids[2]]), int_array([1, -2, 2**40])],
        )
        uuids, integers = cursor.fetchone()
    assert uuids == ids
    assert integers == [1, -2, 2**40]


def test_an_empty_list_is_an_empty_array() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::uuid[], %s::bigint[]", [uuid_array([]), int_array([])])
        assert cursor.fetchone() == ([], [])


@pytest.mark.parametrize("smuggled", ['1}","2', "00000000-0000-0000-0000-000000000000,x", ""])
def test_text_that_is_not_a_uuid_is_refused(smuggled: str) -> None:
    with pytest.raises(ValueError, match="badly formed hexadecimal UUID string"):
        uuid_array([smuggled])


def test_an_integer_array_takes_only_integers() -> None:
    with pytest.raises(ValueError, match="invalid literal for int"):
        int_array(["1,2"])  # type: ignore[list-item]
