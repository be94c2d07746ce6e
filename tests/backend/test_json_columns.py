"""Record JSON columns decode with orjson, and keep what orjson cannot read."""

from __future__ import annotations

import pytest

from backend.records.models import Record
from tests.graphql_client import use_tenant
from tests.notifications.helpers import demo_user, make_case

pytestmark = pytest.mark.django_db


def test_record_data_comes_back_as_written_with_integers_beyond_64_bits() -> None:
    use_tenant("demo")
    data = {
        "name": "Fatimah فاطمة",
        "age": 12,
        "score": 0.5,
        "huge": 2**70 + 1,
        "phone": "+211 912 345 678",
        "tags": ["a", None],
    }
    record = make_case(demo_user("cp_worker"), data)

    loaded = Record.objects.get(pk=record.pk)

    assert loaded.data == data
    assert loaded.data["huge"] == 2**70 + 1


def test_psycopg_jsonb_loader_keeps_integers_beyond_64_bits() -> None:
    """psycopg's own `jsonb` loader (connections outside Django's ORM) decodes as the fields do."""
    from psycopg.types.json import JsonbLoader

    loader = JsonbLoader(0)
    assert loader.load(b'{"huge": 1180591620717411303425, "n": 7}') == {"huge": 2**70 + 1, "n": 7}
    assert loader.load(memoryview(b'{"a": "\\u0641"}')) == {"a": "\u0641"}


def test_huge_numbers_in_subform_entries_and_lists_keep_their_digits() -> None:
    from psycopg.types.json import JsonbLoader

    text = b'{"s": [{"a": [1, -1180591620717411303425]}], "f": 1.5e300}'
    assert JsonbLoader(0).load(text) == {"s": [{"a": [1, -(2**70) - 1]}], "f": 1.5e300}
