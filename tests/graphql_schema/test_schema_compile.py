"""Compiling a tenant's schema: shared static types, a registry bounded by memory, and
schemas compiled in the background after a publish."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db.models import F

from backend.forms.configuration import published_configuration
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from bench.configurations import synthetic_configuration
from graphql_schema import registry
from graphql_schema.compiled_schema import read_value
from graphql_schema.schema_cache import SchemaCache
from graphql_schema.schema_warming import ConfigWatcher
from tests.tenants import make_tenant


def test_tenants_share_the_static_types_and_own_their_record_types() -> None:
    small = registry.compile_schema(synthetic_configuration(20))
    large = registry.compile_schema(synthetic_configuration(40))

    for static in ("PageInfo", "UserRef", "Me", "Alert"):
        shared = small._schema.get_type(static)
        assert shared is not None, static
        assert shared is large._schema.get_type(static), static
    small_case = small._schema.get_type("Case")
    large_case = large._schema.get_type("Case")
    assert len(small_case.fields) < len(large_case.fields)  # type: ignore[union-attr]
    # one resolver for every stored leaf, no closure per field
    leaf_resolvers = {
        large_case.fields[f"field{n}"].resolve  # type: ignore[union-attr]
        for n in range(40)
    }
    assert leaf_resolvers == {read_value}


def test_the_registry_evicts_the_least_recently_used_schema_past_its_memory() -> None:
    cache = SchemaCache(max_bytes=300, max_count=10)
    schemas = {name: object() for name in "abcd"}

    def compile(name: str) -> Any:
        return lambda: (schemas[name], 100)

    for name in "abc":
        cache.get_or_compile(name, compile(name))
    assert cache.get("a") is schemas["a"]  # a is used again: b is now the oldest
    cache.get_or_compile("d", compile("d"))

    assert "b" not in cache
    assert [n for n in "abcd" if n in cache] == ["a", "c", "d"]
    assert cache.total_bytes == 300


def test_the_registry_bounds_the_number_of_schemas_and_keeps_the_newest() -> None:
    cache = SchemaCache(max_bytes=50, max_count=2)
    cache.get_or_compile("huge", lambda: (object(), 10_000))
    assert "huge" in cache  # over the memory bound alone, still served

    for name in "xyz":
        cache.get_or_compile(name, lambda: (object(), 1))
    assert len(cache) == 2
    assert "y" in cache
    assert "z" in cache


def test_concurrent_requests_for_one_schema_compile_it_once() -> None:
    cache = SchemaCache(max_bytes=2**30, max_count=10)
    compiles = []

    def compile() -> tuple[object, int]:
        compiles.append(1)
        time.sleep(0.2)
        return object(), 1

    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_compile("d", compile)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(compiles) == 1
    assert len(results) == 4
    assert len({id(r) for r in results}) == 1


def test_a_changed_configuration_is_compiled_before_any_request_asks_for_it(
    django_db_blocker: Any,
) -> None:
    with django_db_blocker.unblock():  # committed, as a publish in another process would be
        scratch = make_tenant()
        watcher = ConfigWatcher()
        watcher.poll()  # notes the versions of today

        Tenant.objects.filter(pk=scratch.tenant.pk).update(
            locales=["en", "fr"], config_version=F("config_version") + 1
        )
        tenant = Tenant.objects.get(pk=scratch.tenant.pk)
        with tenant_transaction(tenant.pk):
            digest = published_configuration(tenant).digest
        assert digest not in registry._schemas

        assert tenant.pk in watcher.poll()
        assert digest in registry._schemas
        assert tenant.pk not in watcher.poll()  # nothing changed since


def test_a_compile_that_fails_is_tried_again_at_the_next_poll(
    django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with django_db_blocker.unblock():
        scratch = make_tenant()
        watcher = ConfigWatcher()
        watcher.poll()
        Tenant.objects.filter(pk=scratch.tenant.pk).update(
            locales=["en", "fr"], config_version=F("config_version") + 1
        )
        compile_schema = registry.schema_for_tenant

        def unreachable(tenant: Tenant) -> Any:
            raise ConnectionError("the database went away mid-compile")

        monkeypatch.setattr(registry, "schema_for_tenant", unreachable)
        assert scratch.tenant.pk not in watcher.poll()

        monkeypatch.setattr(registry, "schema_for_tenant", compile_schema)
        assert scratch.tenant.pk in watcher.poll()
        assert scratch.tenant.pk not in watcher.poll()
