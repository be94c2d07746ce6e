"""Per-tenant partial indexes for the fields tagged `filterable`, created and dropped as the
published forms change, without a migration and without locking writes.

Per (tenant, record type): a btree on each top-level filterable field's value expression
(the very expression filters and sort keys use, see sql.py), and one GIN jsonb_path_ops on
`data` for containment (booleans, multi-selects). Names are deterministic (`rf_<tenant>_<hash>`),
so a sync creates what is missing and drops what is no longer wanted. CREATE / DROP INDEX
CONCURRENTLY cannot run in a transaction: they run on an autocommit connection of the
database owner (the runtime role may not create indexes), after the publishing commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.conf import settings
from psycopg import sql

from backend.forms.configuration import published_configuration
from backend.records.filtering.catalogue import Operand, indexed_fields
from backend.records.filtering.sql import index_expression
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant

TABLE = "records_record"
CONTAINMENT = frozenset({Operand.BOOLEAN, Operand.OPTIONS})


def index_name(tenant_id: int, *parts: str) -> str:
    digest = hashlib.sha256(":".join(parts).encode()).hexdigest()[:16]
    return f"rf_{tenant_id}_{digest}"


def _partial(tenant_id: int, record_type: str) -> sql.Composable:
    return sql.SQL("WHERE tenant_id = {} AND record_type = {}").format(
        sql.Literal(tenant_id), sql.Literal(record_type)
    )


def wanted_indexes(tenant: Tenant) -> dict[str, sql.Composed]:
    """Index name -> its CREATE statement, from the tenant's published forms."""
    wanted: dict[str, sql.Composed] = {}
    with tenant_transaction(tenant.pk):
        configuration = published_configuration(tenant)
    for record_type, schema in sorted(configuration.record_types.items()):
        where = _partial(tenant.pk, record_type)
        fields = indexed_fields(schema)
        for field in fields:
            name = index_name(tenant.pk, record_type, field.name, field.operand)
            expression = index_expression(field.operand, sql.Literal(field.name).as_string(None))
            wanted[name] = sql.SQL(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} (({})) {}"
            ).format(sql.Identifier(name), sql.Identifier(TABLE), sql.SQL(expression), where)
        if any(f.operand in CONTAINMENT for f in fields):
            name = index_name(tenant.pk, record_type, "data", "jsonb_path_ops")
            wanted[name] = sql.SQL(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS {} ON {}"
                " USING gin (data jsonb_path_ops) {}"
            ).format(sql.Identifier(name), sql.Identifier(TABLE), where)
    return wanted


@contextmanager
def owner_connection() -> Iterator[psycopg.Connection]:
    owner = settings.DATABASES["owner"]
    with psycopg.connect(
        host=owner["HOST"] or None,
        port=owner.get("PORT") or None,
        user=owner["USER"],
        password=owner.get("PASSWORD") or None,
        dbname=owner["NAME"],
        autocommit=True,
    ) as connection:
        yield connection


def _existing(connection: psycopg.Connection, tenant_id: int) -> dict[str, bool]:
    """This tenant's filter indexes -> whether each is valid (a failed CONCURRENTLY build
    leaves an invalid one behind, which is dropped and built again)."""
    rows = connection.execute(
        "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = %s AND c.relname LIKE %s",
        [TABLE, f"rf\\_{tenant_id}\\_%"],
    ).fetchall()
    return {name: valid for name, valid in rows}


def sync_indexes(tenant: Tenant) -> tuple[list[str], list[str]]:
    """Create the missing indexes and drop the unwanted ones; returns (created, dropped)."""
    wanted = wanted_indexes(tenant)
    created, dropped = [], []
    with owner_connection() as connection:
        existing = _existing(connection, tenant.pk)
        for name, valid in sorted(existing.items()):
            if name not in wanted or not valid:
                drop = sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(sql.Identifier(name))
                connection.execute(drop)
                if name not in wanted:
                    dropped.append(name)
        for name, statement in sorted(wanted.items(), key=lambda item: item[0]):
            if not existing.get(name, False):
                connection.execute(statement)
                created.append(name)
    return created, dropped
