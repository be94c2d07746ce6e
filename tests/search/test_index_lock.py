"""A record's write and a rebuild of its tenant's index replace the same tokens: they take
a tenant-wide advisory lock (writers shared, the rebuild alone) rather than deadlock on the
token rows they delete in different orders. Checked on a real server from a second session."""

from __future__ import annotations

import pytest

from backend.records.filtering.indexes import owner_connection
from backend.search.indexing import INDEX_LOCK_NAMESPACE, index_record
from backend.tenancy.models import Tenant
from tests.graphql_client import use_tenant
from tests.notifications.helpers import demo_user, make_case

pytestmark = pytest.mark.django_db


def _other_session_gets(function: str, tenant_id: int) -> bool:
    with owner_connection() as other:
        row = other.execute(
            f"SELECT {function}(%s, %s)",
            [INDEX_LOCK_NAMESPACE, tenant_id],
        ).fetchone()
        assert row is not None
        return bool(row[0])


def test_a_write_in_flight_holds_off_a_rebuild_but_not_other_writes() -> None:
    use_tenant("demo")
    tenant = Tenant.objects.get(slug="demo")
    record = make_case(demo_user("cp_worker", "worker@example.org"), {"name_first": "Lock"})

    index_record(record, tenant)  # as a write does, in its transaction (still open)

    assert not _other_session_gets("pg_try_advisory_lock", tenant.pk)  # a rebuild waits
    assert _other_session_gets("pg_try_advisory_lock_shared", tenant.pk)  # a writer goes on
