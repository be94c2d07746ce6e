"""The tenant of the current transaction, as PostgreSQL row-level security sees it.

Every tenant table has a forced RLS policy comparing its `tenant_id` with the transaction-local
setting `app.tenant_id`. Without the setting, the runtime role sees and writes no tenant row.
The application scopes its queries by tenant as well; this is the second wall.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction

SETTING = "app.tenant_id"


def activate_tenant(tenant_id: int, using: str = "default") -> None:
    """Scope the rest of the current transaction to one tenant."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("activate_tenant needs a transaction: the setting is transaction-local")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, str(int(tenant_id))])


@contextmanager
def tenant_transaction(tenant_id: int, using: str = "default") -> Iterator[None]:
    """A transaction (or savepoint, when nested) scoped to one tenant."""
    with transaction.atomic(using=using):
        activate_tenant(tenant_id, using)
        yield
