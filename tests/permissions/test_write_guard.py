"""Property-based: a write that sets, changes or removes a value the caller may not write, at
any depth, is refused with FORBIDDEN_FIELD and its path, and nothing is saved; editing what
the caller may write keeps every value it may not, exactly as it was.

Writers with something they may not write: the demo's referral worker (fields tagged
`sensitive`, forms outside the referral) and a field worker defined here, a caseworker of
the agency whose role hides fields tagged `pii`, so that hidden children of subform entries
and of nested subforms exist to be written. What "may write" means comes from the role
definitions and the form JSON (tests/permissions/field_oracle.py), not from permissions/.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from backend.accounts.models import Role, User
from backend.demo.seed import CASE_WORK, DEMO_ROLES
from backend.tenancy.models import Agency, Tenant, UserGroup
from tests.graphql_client import DEMO_PASSWORD, gql, login, payload_codes, use_tenant
from tests.permissions.field_oracle import (
    MARKER,
    Field,
    Markers,
    Reader,
    RecordForms,
    camel,
    draft,
    may_write,
    same_value,
    value_for,
)

pytestmark = pytest.mark.django_db

FORMS = RecordForms.load("case")
FIELD_WORKER: dict[str, Any] = {
    "name": "Field caseworker without personal data",
    "scope": "agency",
    "actions": {"case": CASE_WORK},
    "field_rules": {"hidden_tags": ["pii"]},
}
CREATE = """
mutation($input: CaseInput!) {
  createCase(input: $input) { case { id revision } errors { path code message } }
}
"""
UPDATE = """
mutation($id: ID!, $base: Int!, $input: CaseInput!) {
  updateCase(id: $id, baseRevision: $base, input: $input) {
    case { id revision } errors { path code message }
  }
}
"""
UPDATE_AND_READ = """
mutation($id: ID!, $base: Int!, $input: CaseInput!) {
  updateCase(id: $id, baseRevision: $base, input: $input) {
    case { id revision familyMembers { uid familyMemberName familyMemberNotes
      familyMemberDocuments { uid familyMemberDocumentType familyMemberDocumentNumber } } }
    errors { path code message }
  }
}
"""
REFER = """
mutation($id: ID!, $forms: [String!]!) {
  referCase(id: $id, toUser: "referral_worker", forms: $forms) {
    transition { id } errors { path code message }
  }
}
"""
HISTORY = "query($id: ID!) { recordHistory(id: $id) { revision } }"


def every_value_selection(fields: tuple[Field, ...] | list[Field]) -> str:
    parts = []
    for f in fields:
        if f.type == "separator":
            continue
        if f.type == "subform":
            parts.append(f"{camel(f.name)} {{ uid {every_value_selection(f.children)} }}")
        elif f.type == "tally":
            parts.append(f"{camel(f.name)} {{ key count }}")
        else:
            parts.append(camel(f.name))
    return " ".join(parts)


STORED = f"query($id: ID!) {{ case(id: $id) {{ revision {every_value_selection(FORMS.fields)} }} }}"


@pytest.fixture
def tokens() -> dict[str, str]:
    """Tokens of the case writer, the administrator, the referral worker and a field worker."""
    use_tenant("demo")
    demo = Tenant.objects.get(slug="demo")
    role = Role.objects.create(
        tenant=demo,
        code="field_worker",
        name=FIELD_WORKER["name"],
        scope=FIELD_WORKER["scope"],
        actions=FIELD_WORKER["actions"],
        field_rules=FIELD_WORKER["field_rules"],
        form_access={"*": "rw"},
        modules=["cp"],  # the demo's child protection module
    )
    user = User.objects.create_user(
        demo,
        "field_worker",
        DEMO_PASSWORD,
        role=role,
        agency=Agency.objects.get(tenant=demo, code="cp_agency"),
    )
    user.groups.set([UserGroup.objects.get(tenant=demo, code="cp_team_north")])
    users = ("cp_worker", "admin", "referral_worker", "field_worker")
    return {username: login(username)["accessToken"] for username in users}


def writers(referred: list[str]) -> dict[str, Reader]:
    return {
        "referral_worker": Reader(DEMO_ROLES["referral_worker"], frozenset(referred)),
        "field_worker": Reader(FIELD_WORKER),
    }


def forbidden_targets(reader: Reader) -> list[Field]:
    """Every field with a value that the writer may not write: leaves at every depth and
    whole subforms."""
    found = []
    for f, ancestors in FORMS.walk():
        if f.type in ("separator", "calculated"):
            continue
        parent_writable = all(
            may_write(reader, FORMS, a, ancestors[:i]) for i, a in enumerate(ancestors)
        )
        if parent_writable and not may_write(reader, FORMS, f, ancestors):
            found.append(f)
    return found


def names_target(path: str, target: Field) -> bool:
    """The error path names the field and the subforms around it (snake or camel case)."""
    return all(name in path or camel(name) in path for name in target.path)


def stored(record_id: str, token: str) -> dict[str, Any]:
    body = gql(STORED, {"id": record_id}, token)
    assert "errors" not in body, body["errors"]
    case: dict[str, Any] = body["data"]["case"]
    return case


def history_length(record_id: str, token: str) -> int:
    return len(gql(HISTORY, {"id": record_id}, token)["data"]["recordHistory"])


def patch_for(
    draw: st.DrawFn, record: dict[str, Any], target: Field, operation: str, markers: Markers
) -> dict[str, Any]:
    """A patch that sets, changes or removes `target`, sending subform entries by uid only
    (absent keys stay as stored), as a client that sees only its own fields would."""

    def new_value(f: Field, old: Any = None) -> Any:
        if operation == "remove":
            return [] if f.type == "subform" else None
        if f.type == "subform":
            return [draft(draw, FORMS, f.children, markers)]
        value = value_for(draw, FORMS, f, markers)
        if operation == "change" and same_value(f, value, old):
            value = value_for(draw, FORMS, f, markers)
        assume(not same_value(f, value, old))
        return value

    def build(entries: list[dict[str, Any]], path: tuple[str, ...], parent: Field) -> list[Any]:
        name, *rest = path
        child = next(c for c in parent.children if c.name == name)
        kept: list[dict[str, Any]] = [{"uid": entry["uid"]} for entry in entries]
        if rest:
            kept[0][camel(name)] = build(entries[0][camel(name)], tuple(rest), child)
        elif operation == "set":
            kept.append({camel(name): new_value(child)})
        else:
            kept[0][camel(name)] = new_value(child, entries[0].get(camel(name)))
        return kept

    head, *rest = target.path
    top = next(f for f in FORMS.fields if f.name == head)
    if not rest:
        return {camel(head): new_value(top, record.get(camel(head)))}
    return {camel(head): build(record[camel(head)], tuple(rest), top)}


def create_case(data: st.DataObject, token: str, markers: Markers, leave_out: Field | None) -> str:
    values = draft(data.draw, FORMS, FORMS.fields, markers)
    values["consentToShareWithReferral"] = True
    if leave_out is not None and len(leave_out.path) == 1:
        values.pop(camel(leave_out.name), None)
    body = gql(CREATE, {"input": values}, token)
    assert body["data"]["createCase"]["errors"] == [], body["data"]["createCase"]["errors"]
    record_id: str = body["data"]["createCase"]["case"]["id"]
    return record_id


SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    phases=[Phase.explicit, Phase.generate],
)


@st.composite
def referral_forms(draw: st.DrawFn) -> list[str]:
    return sorted(draw(st.lists(st.sampled_from(FORMS.forms), min_size=1, max_size=5, unique=True)))


@settings(SETTINGS, max_examples=10)
@given(
    data=st.data(),
    writer=st.sampled_from(["referral_worker", "field_worker"]),
    referred=referral_forms(),
    operation=st.sampled_from(["set", "change", "remove"]),
)
def test_a_write_to_a_value_the_writer_may_not_write_is_refused_and_saves_nothing(
    tokens: dict[str, str], data: st.DataObject, writer: str, referred: list[str], operation: str
) -> None:
    # given a case with a value in every field, referred with some of its forms
    target = data.draw(st.sampled_from(forbidden_targets(writers(referred)[writer])))
    # a record cannot be created without a required field: set those by changing them
    assume(operation != "set" or len(target.path) > 1 or not target.definition.get("required"))
    # nor referred without consent (CONSENT_REQUIRED): the consent field is not left out
    assume(operation != "set" or target.path != ("consent_to_share_with_referral",))
    markers = Markers()
    record_id = create_case(
        data, tokens["cp_worker"], markers, target if operation == "set" else None
    )
    referral = gql(REFER, {"id": record_id, "forms": referred}, tokens["cp_worker"])
    assert payload_codes(referral, "referCase") == [], referral
    before = stored(record_id, tokens["admin"])
    revisions = history_length(record_id, tokens["admin"])

    # when the writer sets, changes or removes the value it may not write
    patch = patch_for(data.draw, before, target, operation, markers)
    body = gql(
        UPDATE, {"id": record_id, "base": before["revision"], "input": patch}, tokens[writer]
    )

    # then it is refused, naming the field, and nothing is saved
    assert "errors" not in body, body["errors"]
    payload = body["data"]["updateCase"]
    named = [
        e
        for e in payload["errors"]
        if e["code"] == "FORBIDDEN_FIELD" and names_target(e["path"], target)
    ]
    assert named, f"{writer} {operation} {'.'.join(target.path)}: {payload['errors'] or 'saved'}"
    assert payload["case"] is None
    assert stored(record_id, tokens["admin"]) == before
    assert history_length(record_id, tokens["admin"]) == revisions


def test_editing_visible_children_keeps_the_hidden_children_and_the_other_entries(
    tokens: dict[str, str],
) -> None:
    # given a case with two family members, each with two documents
    markers = Markers()
    member = {
        "familyMemberName": markers.next(FORMS.by_path(("family_members", "family_member_name"))),
        "familyMemberPhone": "+254700100200",
        "familyMemberNotes": "Lives nearby",
        "familyMemberDocuments": [
            {
                "familyMemberDocumentType": "birth_certificate",
                "familyMemberDocumentNumber": markers.next(
                    FORMS.by_path(
                        (
                            "family_members",
                            "family_member_documents",
                            "family_member_document_number",
                        )
                    )
                ),
            }
            for _ in range(2)
        ],
    }
    body = gql(
        CREATE,
        {
            "input": {
                "registrationDate": "2026-01-10",
                "nameFirst": "Amina",
                "sex": "female",
                "familyMembers": [member, {**member, "familyMemberNotes": "Second"}],
            }
        },
        tokens["cp_worker"],
    )
    record_id = body["data"]["createCase"]["case"]["id"]
    before = stored(record_id, tokens["admin"])
    first, second = before["familyMembers"]

    # when the field worker (pii hidden) edits the notes of the first member and the type of
    # its first document, sending only what it sees
    edit = {
        "familyMembers": [
            {
                "uid": first["uid"],
                "familyMemberNotes": "Moved to the camp",
                "familyMemberDocuments": [
                    {
                        "uid": first["familyMemberDocuments"][0]["uid"],
                        "familyMemberDocumentType": "other",
                    },
                    {"uid": first["familyMemberDocuments"][1]["uid"]},
                ],
            },
            {"uid": second["uid"]},
        ]
    }
    body = gql(
        UPDATE_AND_READ,
        {"id": record_id, "base": before["revision"], "input": edit},
        tokens["field_worker"],
    )

    # then the edit is saved, the reply shows no hidden value, and every hidden value is kept
    payload = body["data"]["updateCase"]
    assert payload["errors"] == []
    after = stored(record_id, tokens["admin"])
    assert after["revision"] == before["revision"] + 1
    expected_first = {
        **first,
        "familyMemberNotes": "Moved to the camp",
        "familyMemberDocuments": [
            {**first["familyMemberDocuments"][0], "familyMemberDocumentType": "other"},
            first["familyMemberDocuments"][1],
        ],
    }
    assert after["familyMembers"] == [expected_first, second]
    assert not MARKER.findall(json.dumps(payload)), f"the reply shows hidden values: {payload}"
