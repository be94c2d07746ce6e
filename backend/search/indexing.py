"""Keeping the search index: the tokens of a record, written in the transaction of every write
(the revision writer's `record_written`), and rebuilt for a whole tenant after a publication
changed which fields are searchable, or for existing data (`manage.py rebuild_search_index`).

Indexed: fields tagged `searchable` at any depth (words, and sound-alike keys of text),
fields of type `phone` (digits), and the short ID (a word, found by prefix).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import connection

from backend.forms.configuration import published_configuration
from backend.records.models import Record
from backend.search.models import SHORT_ID_PATH, SearchToken
from backend.search.normalise import phone_tokens, sound_key, words
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from formengine import FieldDefinition, FieldPath, RecordSchema

logger = logging.getLogger(__name__)

SOUND_TYPES = frozenset({"text", "textarea"})
BATCH_SIZE = 500

Token = tuple[str, str, str]  # (path, kind, token)
# pg_advisory_xact_lock(namespace, tenant id): see _lock_tenant_index.
INDEX_LOCK_NAMESPACE = 0x5EA2C4


def indexed_fields(schema: RecordSchema) -> list[tuple[FieldPath, FieldDefinition]]:
    """The fields whose values the index holds, with their paths (deprecated ones too: their
    values stay readable)."""
    found: list[tuple[FieldPath, FieldDefinition]] = []

    def walk(definitions: Iterable[FieldDefinition], parent: FieldPath) -> None:
        for definition in definitions:
            path = (*parent, definition.name)
            if definition.type == "subform":
                walk(definition.fields, path)
            elif definition.type == "phone" or "searchable" in definition.tags:
                found.append((path, definition))

    walk(schema.fields.values(), ())
    return found


def _values(data: Any, path: FieldPath) -> Iterator[Any]:
    """The values at `path` in `data`, through every entry of the subforms on the way."""
    if not isinstance(data, Mapping):
        return
    value = data.get(path[0])
    if len(path) == 1:
        if value is not None:
            yield value
        return
    for entry in value if isinstance(value, list) else ():
        yield from _values(entry, path[1:])


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield str(value)


def value_tokens(definition: FieldDefinition, value: Any) -> set[tuple[str, str]]:
    """(kind, token) pairs for one value of a field."""
    found: set[tuple[str, str]] = set()
    for text in _texts(value):
        if definition.type == "phone":
            found |= {(SearchToken.Kind.PHONE, t) for t in phone_tokens(text)}
            continue
        for word in words(text):
            found.add((SearchToken.Kind.WORD, word))
            key = sound_key(word) if definition.type in SOUND_TYPES else None
            if key:
                found.add((SearchToken.Kind.SOUND, key))
    return found


def record_tokens(record: Record, schema: RecordSchema) -> set[Token]:
    tokens: set[Token] = {(SHORT_ID_PATH, SearchToken.Kind.WORD, record.short_id.casefold())}
    for path, definition in indexed_fields(schema):
        dotted = ".".join(path)
        for value in _values(record.data, path):
            tokens |= {(dotted, kind, token) for kind, token in value_tokens(definition, value)}
    return tokens


def _rows(record: Record, tokens: Iterable[Token]) -> list[SearchToken]:
    return [
        SearchToken(
            tenant_id=record.tenant_id,
            record_id=record.pk,
            record_type=record.record_type,
            path=path,
            kind=kind,
            token=token,
        )
        for path, kind, token in tokens
    ]


def _lock_tenant_index(tenant_id: int, *, exclusive: bool) -> None:
    """A write replaces one record's tokens, a rebuild every token of the tenant: deleting
    the same rows in different orders, the two deadlocked. Writers share this lock (until
    their transaction ends); a rebuild waits for the writers in flight and holds off new ones.
    A writer may already hold its record's row lock when it waits here: records are locked
    FOR NO KEY UPDATE (`select_for_update(no_key=True)`), which the foreign-key checks of the
    rebuild's new tokens do not wait for."""
    lock = "SELECT pg_advisory_xact_lock(%s, %s)"
    shared = "SELECT pg_advisory_xact_lock_shared(%s, %s)"
    with connection.cursor() as cursor:
        cursor.execute(lock if exclusive else shared, [INDEX_LOCK_NAMESPACE, tenant_id])


def index_record(record: Record, tenant: Tenant) -> None:
    """Replace the record's tokens (in the caller's transaction)."""
    schema = published_configuration(tenant).schema_for(record.record_type)
    _lock_tenant_index(record.tenant_id, exclusive=False)
    SearchToken.objects.filter(record_id=record.pk).delete()
    if schema is not None:
        SearchToken.objects.bulk_create(_rows(record, record_tokens(record, schema)))


def on_record_written(sender: object, *, record: Record, **_: object) -> None:
    tenant = (
        record.tenant
        if Record.tenant.is_cached(record)
        else Tenant.objects.get(pk=record.tenant_id)
    )
    index_record(record, tenant)


def rebuild_tenant_index(tenant: Tenant) -> int:
    """Rebuild a tenant's whole index in one transaction; the number of tokens written."""
    written = 0
    with tenant_transaction(tenant.pk):
        _lock_tenant_index(tenant.pk, exclusive=True)
        configuration = published_configuration(tenant)
        SearchToken.objects.filter(tenant=tenant).delete()
        batch: list[SearchToken] = []
        records = Record.objects.filter(tenant=tenant).only(
            "pk", "tenant_id", "record_type", "short_id", "data"
        )
        for record in records.iterator(chunk_size=BATCH_SIZE):
            schema = configuration.schema_for(record.record_type)
            if schema is not None:
                batch += _rows(record, record_tokens(record, schema))
            if len(batch) >= BATCH_SIZE * 10:
                SearchToken.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        SearchToken.objects.bulk_create(batch)
        written += len(batch)
    return written
