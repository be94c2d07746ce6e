"""Property-based: for every demo role and every path that returns record values (get, list,
history, alerts, forms), no value of a field the role may not read leaves the server, at any
depth: subforms in subforms, calculated fields whose inputs are hidden, history of edits.

Records get a value in every field (text-like fields carry unique markers, so a search of
the raw response is exact) and are created and edited by a user who may write them, and a
case is referred to the referral worker with a drawn subset of forms. Each role then reads
it selecting every field at every depth. What "may read" means comes from the seed's role
definitions and the form JSON (tests/permissions/field_oracle.py), not from permissions/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from backend.demo.seed import DEMO_ROLES
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from graphql_schema.registry import schema_for_tenant
from tests.graphql_client import login, payload_codes
from tests.permissions.field_oracle import (
    MARKER,
    Field,
    Markers,
    Reader,
    RecordForms,
    camel,
    draft,
    may_read,
    values_at,
)

pytestmark = pytest.mark.django_db

ROLES = list(DEMO_ROLES)
# Who writes each record type in this test: a user whose role may create and write it.
WRITERS = {"case": "cp_worker", "incident": "gbv_worker", "tracing_request": "cp_worker"}
REFERRED_TO = "referral_worker"
CONSENT = "consentToShareWithReferral"

WRITE_RESULT = "{get} {{ id revision }} errors {{ path code message }}"
CREATE = (
    "mutation($input: {Type}Input!) {{ create{Type}(input: $input) {{ " + WRITE_RESULT + " }} }}"
)
UPDATE = (
    "mutation($id: ID!, $base: Int!, $input: {Type}Input!) {{ update{Type}(id: $id, "
    "baseRevision: $base, input: $input) {{ " + WRITE_RESULT + " }} }}"
)
REFER = """
mutation($id: ID!, $to: String!, $forms: [String!]!) {
  referCase(id: $id, toUser: $to, forms: $forms) {
    transition { id status } errors { path code message }
  }
}
"""
GET = "query($id: ID!) {{ {get}(id: $id) {{ {selection} }} }}"
LIST = "{{ {listing}(first: 100) {{ edges {{ node {{ {selection} }} }} }} }}"
HISTORY = "query($id: ID!) { recordHistory(id: $id) { revision action changes { field old new } } }"
ALERTS = "{ alerts(first: 500) { id kind message record { recordId recordType shortId } } }"
FORMS = """
query($recordType: String!) {
  forms(recordType: $recordType) {
    key
    fields { name graphqlName calculated fields { name graphqlName fields { name graphqlName } } }
  }
}
"""


@dataclass(frozen=True)
class Names:
    record_type: str

    @property
    def type(self) -> str:
        return "".join(part.capitalize() for part in self.record_type.split("_"))

    @property
    def get(self) -> str:
        return camel(self.record_type)

    @property
    def listing(self) -> str:
        return self.get + ("es" if self.get.endswith("s") else "s")


def post(query: str, variables: dict[str, Any] | None, token: str) -> tuple[dict[str, Any], str]:
    """The parsed body and the raw text of the response, as a client would receive them."""
    response = Client().post(
        "/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    raw = response.content.decode()
    return json.loads(raw), raw


def _unwrap(graphql_type: Any) -> Any:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def every_field(object_type: GraphQLObjectType, depth: int = 0) -> str:
    """A selection of every field at every depth of a compiled record type."""
    parts = []
    for name, definition in object_type.fields.items():
        if any(isinstance(arg.type, GraphQLNonNull) for arg in definition.args.values()):
            continue
        inner = _unwrap(definition.type)
        if isinstance(inner, GraphQLObjectType):
            if depth < 4:
                parts.append(f"{name} {{ {every_field(inner, depth + 1)} }}")
        else:
            parts.append(name)
    return " ".join(parts)


@pytest.fixture(scope="module")
def selections(django_db_blocker: Any) -> dict[str, str]:
    with django_db_blocker.unblock():
        demo = Tenant.objects.get(slug="demo")
        with tenant_transaction(demo.pk):
            schema = schema_for_tenant(demo)._schema
    return {rt: every_field(schema.get_type(Names(rt).type)) for rt in WRITERS}


@pytest.fixture
def tokens() -> dict[str, str]:
    return {role: login(role)["accessToken"] for role in ROLES}


FORMS_BY_TYPE = {rt: RecordForms.load(rt) for rt in WRITERS}


def hidden_fields(reader: Reader, forms: RecordForms) -> Iterator[Field]:
    for f, ancestors in forms.walk():
        if f.type != "separator" and not may_read(reader, forms, f, ancestors):
            yield f


def hidden_markers(reader: Reader, forms: RecordForms, markers: Markers) -> dict[str, str]:
    hidden = {f.path for f in hidden_fields(reader, forms)}
    return {m: ".".join(path) for m, path in markers.issued.items() if path in hidden}


def marker_leaks(raw: str, secret: dict[str, str], where: str) -> list[str]:
    return [f"{where}: value of {path}" for marker, path in secret.items() if marker in raw]


def redaction_leaks(
    reader: Reader,
    forms: RecordForms,
    node: dict[str, Any],
    at: tuple[Any, ...],
    redacted: list[list[Any]],
    where: str,
) -> list[str]:
    """Fields the reader may not read that are not null there, or whose path is not listed."""
    listed = {tuple(path) for path in redacted}
    found = []
    for f in hidden_fields(reader, forms):
        for path, value in values_at(node, f.graphql_path):
            full = (*at, *path)
            shown = ".".join(map(str, full))
            if value not in (None, []):
                found.append(f"{where}: {shown} = {value!r}")
            elif not any(full[: len(p)] == p for p in listed if p):
                found.append(f"{where}: {shown} is not listed as redacted")
    return found


def history_leaks(reader: Reader, forms: RecordForms, entries: list[dict[str, Any]]) -> list[str]:
    """Changes of fields the reader may not read, at any depth inside subform entries."""
    hidden = {f.path for f in hidden_fields(reader, forms)}
    by_name = {f.name: f for f in forms.fields}
    leaks = []

    def inspect(value: Any, parent: Field, where: str) -> None:
        for entry in value if isinstance(value, list) else []:
            for key, child_value in (entry or {}).items():
                child = next((c for c in parent.children if key in (c.name, camel(c.name))), None)
                if child is None or child_value in (None, [], ""):
                    continue
                if child.path in hidden:
                    leaks.append(f"{where}.{key}")
                elif child.type == "subform":
                    inspect(child_value, child, f"{where}.{key}")

    for entry in entries:
        for change in entry["changes"]:
            f = by_name.get(change["field"]) or next(
                (g for g in forms.fields if camel(g.name) == change["field"]), None
            )
            if f is None:
                continue
            for side in ("old", "new"):
                if change[side] in (None, [], ""):
                    continue
                where = f"revision {entry['revision']} {change['field']} ({side})"
                if f.path in hidden:
                    leaks.append(where)
                elif f.type == "subform":
                    inspect(change[side], f, where)
    return leaks


@st.composite
def referral_forms(draw: st.DrawFn) -> list[str]:
    forms = FORMS_BY_TYPE["case"].forms
    return sorted(draw(st.lists(st.sampled_from(forms), min_size=1, max_size=4, unique=True)))


def write_record(
    data: st.DataObject, record_type: str, token: str
) -> tuple[str, Markers, dict[str, Any]]:
    """Create a record with a value in every field, then edit every field; return its id."""
    forms = FORMS_BY_TYPE[record_type]
    names = Names(record_type)
    markers = Markers()
    ids = {}
    for step, template in (("create", CREATE), ("update", UPDATE)):
        values = draft(data.draw, forms, forms.fields, markers)
        if record_type == "case":
            values[CONSENT] = True
        variables: dict[str, Any] = {"input": values}
        if step == "update":
            variables |= {"id": ids["id"], "base": ids["revision"]}
        query = template.format(Type=names.type, get=names.get)
        body, _ = post(query, variables, token)
        assert "errors" not in body, body["errors"]
        payload = body["data"][f"{step}{names.type}"]
        assert payload["errors"] == [], payload["errors"]
        ids = payload[names.get]
    return ids["id"], markers, values


def readers_of(record_type: str, referred: list[str] | None) -> dict[str, Reader]:
    readers = {role: Reader(DEMO_ROLES[role]) for role in ROLES}
    if referred is not None:
        readers[REFERRED_TO] = Reader(DEMO_ROLES[REFERRED_TO], frozenset(referred))
    return readers


def sees_record(reader: Reader, record_type: str) -> bool:
    # The writers' records are in the scope of every role of their agency that reads the type.
    return reader.referred_forms is not None or reader.may_act("read", record_type)


def check_every_read_path(
    record_type: str,
    record_id: str,
    markers: Markers,
    referred: list[str] | None,
    selections: dict[str, str],
    tokens: dict[str, str],
) -> None:
    """Read the record as every role through every path; fail with every leak found."""
    forms = FORMS_BY_TYPE[record_type]
    names = Names(record_type)
    selection = selections[record_type]
    leaks: list[str] = []
    for role, reader in readers_of(record_type, referred).items():
        token = tokens[role]
        secret = hidden_markers(reader, forms, markers)
        visible = sees_record(reader, record_type)

        body, raw = post(GET.format(get=names.get, selection=selection), {"id": record_id}, token)
        leaks += marker_leaks(raw, secret, f"{role} {names.get}(id)")
        if visible:
            assert "errors" not in body, body["errors"]
            redacted = body.get("extensions", {}).get("redacted", [])
            node = body["data"][names.get]
            leaks += redaction_leaks(reader, forms, node, (names.get,), redacted, f"{role} get")
        else:
            assert body.get("errors"), f"{role} got the record"
            # the root field is nullable: null beside its error, like any record out of sight
            assert not (body.get("data") or {}).get(names.get), f"{role} got the record"

        body, raw = post(LIST.format(listing=names.listing, selection=selection), None, token)
        leaks += marker_leaks(raw, secret, f"{role} {names.listing}")
        edges = (body.get("data") or {}).get(names.listing) or {"edges": []}
        found = [i for i, e in enumerate(edges["edges"]) if e["node"]["id"] == record_id]
        assert bool(found) == visible, f"{role}: listed {bool(found)}"
        for index in found:
            redacted = body.get("extensions", {}).get("redacted", [])
            at = (names.listing, "edges", index, "node")
            node = edges["edges"][index]["node"]
            leaks += redaction_leaks(reader, forms, node, at, redacted, f"{role} list")

        body, raw = post(HISTORY, {"id": record_id}, token)
        leaks += marker_leaks(raw, secret, f"{role} recordHistory")
        if visible:
            assert "errors" not in body, body["errors"]
            changes = history_leaks(reader, forms, body["data"]["recordHistory"])
            leaks += [f"{role} recordHistory: {change}" for change in changes]

        _, raw = post(ALERTS, None, token)
        leaks += marker_leaks(raw, secret, f"{role} alerts")
    assert not leaks, "fields read that the role may not read:\n" + "\n".join(sorted(set(leaks)))


def assert_the_writer_sees_every_value(
    record_type: str, record_id: str, values: dict[str, Any], selection: str, token: str
) -> None:
    """The selection reaches every depth: the writer reads back every marker it saved."""
    names = Names(record_type)
    _, raw = post(GET.format(get=names.get, selection=selection), {"id": record_id}, token)
    missing = [m for m in MARKER.findall(json.dumps(values)) if m not in raw]
    assert not missing, f"the writer does not read back {missing[:5]}"


SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    # Each example writes and reads a whole record as every role: no shrinking, the failure
    # message names the role, path and field.
    phases=[Phase.explicit, Phase.generate],
)


@settings(SETTINGS, max_examples=3)
@given(data=st.data(), referred=referral_forms())
def test_no_role_reads_a_case_field_it_may_not_read_through_any_path(
    selections: dict[str, str], tokens: dict[str, str], data: st.DataObject, referred: list[str]
) -> None:
    writer = tokens[WRITERS["case"]]
    record_id, markers, values = write_record(data, "case", writer)
    body, _ = post(REFER, {"id": record_id, "to": REFERRED_TO, "forms": referred}, writer)
    assert payload_codes(body, "referCase") == [], body
    assert_the_writer_sees_every_value("case", record_id, values, selections["case"], writer)

    check_every_read_path("case", record_id, markers, referred, selections, tokens)


@settings(SETTINGS, max_examples=2)
@given(data=st.data(), record_type=st.sampled_from(["incident", "tracing_request"]))
def test_no_role_reads_an_incident_or_tracing_field_it_may_not_read_through_any_path(
    selections: dict[str, str], tokens: dict[str, str], data: st.DataObject, record_type: str
) -> None:
    writer = tokens[WRITERS[record_type]]
    record_id, markers, values = write_record(data, record_type, writer)
    assert_the_writer_sees_every_value(
        record_type, record_id, values, selections[record_type], writer
    )

    check_every_read_path(record_type, record_id, markers, None, selections, tokens)


@pytest.mark.parametrize("record_type", list(WRITERS))
@pytest.mark.parametrize("role", ROLES)
def test_forms_lists_no_field_the_role_may_not_read(role: str, record_type: str) -> None:
    forms = FORMS_BY_TYPE[record_type]
    reader = Reader(DEMO_ROLES[role])
    readable = {f.path for f, ancestors in forms.walk() if may_read(reader, forms, f, ancestors)}

    body, _ = post(FORMS, {"recordType": record_type}, login(role)["accessToken"])

    listed: list[tuple[str, ...]] = []

    def collect(fields: list[dict[str, Any]], parent: tuple[str, ...]) -> None:
        for meta in fields:
            listed.append((*parent, meta["name"]))
            collect(meta.get("fields") or [], (*parent, meta["name"]))

    for form in (body.get("data") or {}).get("forms") or []:
        collect(form["fields"], ())
    unreadable = [
        ".".join(path)
        for path in listed
        if path not in readable and forms.by_path(path).type != "separator"
    ]
    assert not unreadable, f"forms() lists to {role} fields it may not read: {unreadable}"
