"""The compiled schemas a process keeps: least recently used first out, bounded by an estimate
of their memory (SCHEMA_REGISTRY_MAX_MB) and by their number (SCHEMA_REGISTRY_MAX_COUNT).

The estimate counts the fields of the types a schema owns (the static types are shared by
all): measured with tracemalloc, a compiled field retains 1.1-1.8 KiB (bench.compile_schema).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection

import strawberry

BYTES_PER_FIELD = 1536
BYTES_PER_SCHEMA = 256 * 1024


def estimated_bytes(schema: strawberry.Schema, shared: Collection[str]) -> int:
    fields = 0
    for name, graphql_type in schema._schema.type_map.items():
        if name not in shared:
            fields += len(getattr(graphql_type, "fields", None) or ())
    return BYTES_PER_SCHEMA + fields * BYTES_PER_FIELD


class SchemaCache:
    def __init__(self, max_bytes: int, max_count: int) -> None:
        self.max_bytes = max_bytes
        self.max_count = max_count
        self._entries: OrderedDict[str, tuple[strawberry.Schema, int]] = OrderedDict()
        self._lock = threading.Lock()
        # One compile per digest at a time: others asking for it wait for that one.
        self._compiling: dict[str, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, digest: object) -> bool:
        return digest in self._entries

    @property
    def total_bytes(self) -> int:
        return sum(size for _, size in self._entries.values())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, digest: str) -> strawberry.Schema | None:
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            self._entries.move_to_end(digest)
            return entry[0]

    def get_or_compile(
        self, digest: str, compile: Callable[[], tuple[strawberry.Schema, int]]
    ) -> strawberry.Schema:
        schema = self.get(digest)
        if schema is not None:
            return schema
        with self._lock:
            compiling = self._compiling.setdefault(digest, threading.Lock())
        with compiling:
            schema = self.get(digest)  # compiled by the thread that held the lock
            if schema is None:
                schema, size = compile()
                self._put(digest, schema, size)
        with self._lock:
            self._compiling.pop(digest, None)
        return schema

    def _put(self, digest: str, schema: strawberry.Schema, size: int) -> None:
        with self._lock:
            self._entries[digest] = (schema, size)
            self._entries.move_to_end(digest)
            total = sum(s for _, s in self._entries.values())
            # the schema just compiled stays, whatever the bounds: a request needs it
            while len(self._entries) > 1 and (
                total > self.max_bytes or len(self._entries) > self.max_count
            ):
                _, (_, evicted) = self._entries.popitem(last=False)
                total -= evicted
