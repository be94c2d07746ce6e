"""One error contract: every code raised anywhere is declared once, exposed as the GraphQL
`ErrorCode` enum and listed in frontend_contract/README.md; mutations answer domain errors
in their payload, in the client's words, with nothing saved."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import backend
from backend.error_codes import ErrorCode
from backend.errors import DomainError
from formengine.errors import DefinitionCode, ValueCode
from graphql_schema.payloads import error_code_table
from graphql_schema.registry import base_schema
from tests.graphql_client import error_codes, gql, payload_codes
from tests.workflows.test_demo_flow import register, token

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "frontend_contract" / "README.md"
FLAG = """mutation($id: ID!, $reason: String!, $cmid: String) {
  flagCase(id: $id, reason: $reason, clientMutationId: $cmid) {
    flag { id } case { id flags { id } } errors { path code message } clientMutationId } }"""
UPDATE = """mutation($id: ID!, $input: CaseInput!) {
  updateCase(id: $id, baseRevision: 1, input: $input) {
    case { id } errors { path code } } }"""
CASE_FLAGS = "query($id: ID!) { case(id: $id) { flags { id } } }"


def _domain_errors() -> set[type[DomainError]]:
    for module in pkgutil.walk_packages(backend.__path__, "backend."):
        if ".migrations" not in module.name and not module.name.endswith(("wsgi", "celery")):
            importlib.import_module(module.name)
    found: set[type[DomainError]] = set()
    pending = [DomainError]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending += cls.__subclasses__()
    return found


def test_every_domain_error_takes_a_declared_code() -> None:
    undeclared = {cls.__name__: cls.code for cls in _domain_errors() if cls.code not in ErrorCode}

    assert undeclared == {}


def test_every_form_engine_code_is_declared() -> None:
    assert {*DefinitionCode, *ValueCode} - set(ErrorCode) == set()


def test_every_code_written_as_a_literal_field_error_is_declared() -> None:
    literal = re.compile(r"FieldError\(\s*[^,()]+,\s*\"([A-Z_]+)\"")
    codes = {
        code
        for path in (ROOT / "backend").rglob("*.py")
        for code in literal.findall(path.read_text())
    }

    assert codes
    assert codes - set(ErrorCode) == set()


def test_the_schema_enum_lists_every_code_with_its_meaning() -> None:
    enum = base_schema._schema.type_map["ErrorCode"]

    assert {name: v.description for name, v in enum.values.items()} == {
        code.value: code.description for code in ErrorCode
    }


def test_the_contract_readme_lists_every_code() -> None:
    text = README.read_text()
    listed = text.split("<!-- error codes: begin -->\n")[1].split("\n<!-- error codes: end -->")[0]

    assert listed == error_code_table()


@pytest.mark.django_db
def test_a_refused_mutation_answers_its_payload_errors_and_saves_nothing() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(FLAG, {"id": case_id, "reason": " ", "cmid": "m-1"}, worker)

    assert body["data"]["flagCase"] == {
        "flag": None,
        "case": None,
        "errors": [
            {"path": ["reason"], "code": "BAD_USER_INPUT", "message": "A flag needs a reason."}
        ],
        "clientMutationId": "m-1",
    }
    assert gql(CASE_FLAGS, {"id": case_id}, worker)["data"]["case"]["flags"] == []


@pytest.mark.django_db
def test_a_mutation_returns_its_object_and_the_record_it_changed() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    flagged = gql(FLAG, {"id": case_id, "reason": "school", "cmid": "m-2"}, worker)["data"]

    payload = flagged["flagCase"]
    assert payload["case"] == {"id": case_id, "flags": [payload["flag"]]}
    assert (payload["errors"], payload["clientMutationId"]) == ([], "m-2")


@pytest.mark.django_db
def test_a_record_write_names_the_field_as_the_client_sent_it() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(UPDATE, {"id": case_id, "input": {"services": [{"serviceType": "nope"}]}}, worker)

    assert body["data"]["updateCase"] == {
        "case": None,
        "errors": [{"path": ["input", "services", "0", "serviceType"], "code": "UNKNOWN_OPTION"}],
    }


@pytest.mark.django_db
def test_a_record_mutation_out_of_sight_answers_not_found_in_its_payload() -> None:
    case_id = register(token("cp_worker"))

    body = gql(UPDATE, {"id": case_id, "input": {"nameLast": "X"}}, token("referral_worker"))

    assert payload_codes(body, "updateCase") == ["NOT_FOUND"]


@pytest.mark.django_db
def test_an_unauthenticated_mutation_stays_a_top_level_error() -> None:
    body = gql(
        'mutation { dismissAlert(id: "00000000-0000-0000-0000-000000000000") { errors { code } } }'
    )

    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None
