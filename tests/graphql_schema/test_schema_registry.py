"""After a publish, the next request in any server process sees the new types."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests.graphql_client import DEMO_PASSWORD
from tests.processes import post_graphql as post
from tests.processes import web_server
from tests.tenants import make_tenant

FORM = {
    "key": "intake",
    "record_type": "case",
    "label": {"en": "Intake"},
    "fields": [{"name": "child_name", "type": "text", "label": {"en": "Child name"}}],
}


def login(base: str, tenant: str, username: str) -> str:
    body = post(
        base,
        "mutation($t: String!, $u: String!, $p: String!) { login(tenant: $t, "
        "username: $u, password: $p) { accessToken } }",
        {"t": tenant, "u": username, "p": DEMO_PASSWORD},
    )
    token: str = body["data"]["login"]["accessToken"]
    return token


def publish(base: str, token: str, form: dict[str, Any]) -> None:
    saved = post(
        base,
        "mutation($d: JSON!) { saveFormDraft(definition: $d) { errors { code } } }",
        {"d": form},
        token,
    )
    assert saved["data"]["saveFormDraft"]["errors"] == [], saved
    published = post(
        base,
        'mutation($k: String!) { publishFormVersion(recordType: "case", '
        "key: $k) { formVersion { number status } } }",
        {"k": form["key"]},
        token,
    )
    version = published["data"]["publishFormVersion"]["formVersion"]
    assert version["status"] == "published", published


@pytest.fixture
def two_servers(django_db_blocker: Any) -> Iterator[tuple[str, str, str]]:
    with django_db_blocker.unblock():  # committed: the servers are other processes
        tenant = make_tenant()
    with ExitStack() as stack:
        first = stack.enter_context(web_server())
        second = stack.enter_context(web_server())
        yield first, second, tenant.slug


def test_two_processes_agree_on_the_schema_after_a_publish(
    two_servers: tuple[str, str, str],
) -> None:
    first, second, slug = two_servers
    admin = login(first, slug, "admin")
    worker = login(second, slug, "worker")
    create = "mutation($i: CaseInput!) { createCase(input: $i) { case { id %s } errors { code } } }"

    # given the second process has compiled the tenant's schema once
    publish(first, admin, FORM)
    created = post(second, create % "childName", {"i": {"childName": "Amina"}}, worker)
    assert created["data"]["createCase"]["case"]["childName"] == "Amina"

    # when the first process publishes a new field
    with_village = {
        **FORM,
        "fields": [
            *FORM["fields"],
            {"name": "home_village", "type": "text", "label": {"en": "Home village"}},
        ],
    }
    publish(first, admin, with_village)

    # then the second process serves it on its very next request, with no migration
    created = post(
        second,
        create % "childName homeVillage",
        {"i": {"childName": "Yusuf", "homeVillage": "Kara"}},
        worker,
    )
    case = created["data"]["createCase"]["case"]
    assert case == {"id": case["id"], "childName": "Yusuf", "homeVillage": "Kara"}
    read = post(
        second, "query($id: ID!) { case(id: $id) { homeVillage } }", {"id": case["id"]}, worker
    )
    assert read["data"]["case"] == {"homeVillage": "Kara"}
    sdl_first = post(first, '{ __type(name: "Case") { fields { name } } }', token=admin)
    sdl_second = post(second, '{ __type(name: "Case") { fields { name } } }', token=worker)
    assert sdl_first == sdl_second


@pytest.mark.django_db
def test_warming_compiles_the_schema_of_every_tenant() -> None:
    from graphql_schema import registry

    registry._schemas.clear()

    warmed = registry.warm_schemas()

    assert warmed >= 2  # demo and sandbox
    assert len(registry._schemas) >= 1
