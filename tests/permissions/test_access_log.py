"""Who read which record: recorded on every read, open to auditors, never rewritten."""

from __future__ import annotations

import psycopg
import pytest
from django.db.models import ProtectedError

from backend.accounts.models import User
from backend.audit.models import AccessLog
from tests.backend.test_row_level_security import _connect
from tests.graphql_client import error_codes, gql, use_tenant
from tests.permissions.test_enforcement import GET, LIST, register, token

pytestmark = pytest.mark.django_db

ACCESS_LOG = "query($id: ID!) { accessLog(recordId: $id) { user { username } action } }"


def test_reads_and_list_appearances_are_logged_for_auditors() -> None:
    case_id = register()
    gql(GET, {"id": case_id}, token("cp_supervisor"))
    gql(LIST, token=token("cp_monitor"))

    body = gql(ACCESS_LOG, {"id": case_id}, token("admin"))

    entries = [(e["user"]["username"], e["action"]) for e in body["data"]["accessLog"]]
    assert entries == [("cp_monitor", "LIST"), ("cp_supervisor", "READ")]


def test_the_access_log_is_forbidden_without_the_audit_action() -> None:
    case_id = register()

    assert error_codes(gql(ACCESS_LOG, {"id": case_id}, token("cp_worker"))) == ["FORBIDDEN"]


def test_the_access_log_of_an_unseen_record_is_not_found() -> None:
    case_id = register()

    body = gql(ACCESS_LOG, {"id": case_id}, token("admin", tenant="sandbox"))

    assert error_codes(body) == ["NOT_FOUND"]


@pytest.mark.parametrize("table", ["audit_accesslog", "records_recordhistory"])
def test_the_runtime_role_cannot_rewrite_history_or_the_access_log(table: str) -> None:
    with _connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"DELETE FROM {table}")


def test_a_user_named_in_the_log_cannot_be_deleted() -> None:
    """The log's keys are not checked by the database (a page appends hundreds of rows);
    deleting a user it names is still refused, and the entries keep naming them."""
    case_id = register()
    gql(GET, {"id": case_id}, token("cp_supervisor"))
    use_tenant("demo")

    with pytest.raises(ProtectedError) as refused:
        User.objects.get(tenant__slug="demo", username="cp_supervisor").delete()

    assert any(isinstance(o, AccessLog) for o in refused.value.protected_objects)

    body = gql(ACCESS_LOG, {"id": case_id}, token("admin"))
    assert ("cp_supervisor", "READ") in [
        (e["user"]["username"], e["action"]) for e in body["data"]["accessLog"]
    ]
