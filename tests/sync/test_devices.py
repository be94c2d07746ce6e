"""Devices: registered by their user, listed, revoked by the user or an administrator; a
revoked device is told to wipe."""

from __future__ import annotations

import pytest

from backend.accounts.models import User
from tests.graphql_client import error_codes, gql, payload_codes, use_tenant
from tests.sync.helpers import (
    REGISTER_DEVICE,
    REVOKE_DEVICE,
    Client,
    page,
    pull,
    register_device,
)
from tests.workflows.test_demo_flow import register, token

pytestmark = pytest.mark.django_db

MY_DEVICES = "{ myDevices { id name platform revokedAt lastPullAt } }"
USER_DEVICES = "query($u: String!) { userDevices(username: $u) { id } }"


def test_a_registered_device_is_listed_with_its_last_pull() -> None:
    worker = token("cp_worker")
    device = register_device(worker, "Field tablet")

    page(worker, device)

    devices = gql(MY_DEVICES, token=worker)["data"]["myDevices"]
    assert [(d["id"], d["name"], d["platform"], d["revokedAt"]) for d in devices] == [
        (device, "Field tablet", "android", None)
    ]
    assert devices[0]["lastPullAt"] is not None


def test_a_device_without_a_name_or_with_a_long_one_is_refused() -> None:
    worker = token("cp_worker")

    blank = gql(REGISTER_DEVICE, {"name": "  "}, worker)
    long = gql(REGISTER_DEVICE, {"name": "x" * 101}, worker)

    assert payload_codes(blank, "registerDevice") == ["BAD_USER_INPUT"]
    assert payload_codes(long, "registerDevice") == ["TEXT_TOO_LONG"]
    assert gql(MY_DEVICES, token=worker)["data"]["myDevices"] == []


def test_a_revoked_device_is_told_to_wipe_and_given_nothing() -> None:
    worker = token("cp_worker")
    register(worker)
    device = register_device(worker)
    client = Client(worker, device)
    client.sync()
    assert len(client.held) == 1

    revoked = gql(REVOKE_DEVICE, {"id": device}, worker)["data"]["revokeDevice"]
    result = page(worker, device, client.cursor)

    assert revoked["errors"] == []
    assert revoked["device"]["revokedAt"] is not None
    assert result == {
        "items": [],
        "tombstones": [],
        "cursor": None,
        "hasMore": False,
        "formsDigest": None,
        "wipe": True,
    }


def test_an_administrator_revokes_a_users_lost_device() -> None:
    worker, admin = token("cp_worker"), token("admin")
    device = register_device(worker)

    listed = gql(USER_DEVICES, {"u": "cp_worker"}, admin)["data"]["userDevices"]
    revoked = gql(REVOKE_DEVICE, {"id": device}, admin)["data"]["revokeDevice"]

    assert listed == [{"id": device}]
    assert revoked["errors"] == []
    assert page(worker, device)["wipe"] is True


def test_a_worker_may_neither_list_nor_revoke_anothers_device() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    device = register_device(worker)

    listed = gql(USER_DEVICES, {"u": "cp_worker"}, supervisor)
    body = gql(REVOKE_DEVICE, {"id": device}, supervisor)

    assert [e["extensions"]["code"] for e in listed["errors"]] == ["NOT_FOUND"]
    assert payload_codes(body, "revokeDevice") == ["UNKNOWN_DEVICE"]
    assert page(worker, device)["wipe"] is False


def test_another_users_device_is_unknown_to_a_pull() -> None:
    device = register_device(token("cp_worker"))

    body = pull(token("cp_supervisor"), device)

    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNKNOWN_DEVICE"]
    assert body["data"] is None


def test_another_tenants_device_is_unknown_to_a_pull_and_to_revoke() -> None:
    from tests.graphql_client import login

    sandbox_worker = login("cp_worker", tenant="sandbox")["accessToken"]
    device = register_device(sandbox_worker)
    demo_admin = token("admin")

    body = pull(token("cp_worker"), device)
    revoke = gql(REVOKE_DEVICE, {"id": device}, demo_admin)

    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNKNOWN_DEVICE"]
    assert payload_codes(revoke, "revokeDevice") == ["UNKNOWN_DEVICE"]
    assert page(sandbox_worker, device)["wipe"] is False


def test_a_device_id_that_is_not_an_id_is_unknown() -> None:
    body = pull(token("cp_worker"), "not-a-device")

    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNKNOWN_DEVICE"]


def _withdraw_mobile_sync(username: str) -> None:
    use_tenant("demo")
    role = User.objects.get(username=username).role
    assert role is not None
    role.actions = {
        record_type: [a for a in actions if a != "sync_mobile"]
        for record_type, actions in role.actions.items()
    }
    role.save(update_fields=["actions"])


def test_a_role_without_mobile_sync_registers_no_device_and_pulls_nothing() -> None:
    # given a worker with a registered device, whose role then loses mobile sync
    worker = token("cp_worker")
    register(worker)
    device = register_device(worker)
    _withdraw_mobile_sync("cp_worker")

    # when they register another device and pull on the first
    another = gql(REGISTER_DEVICE, {"name": "Second tablet"}, worker)
    refused = pull(worker, device)

    # then both are refused, and the pull carries no record
    assert payload_codes(another, "registerDevice") == ["FORBIDDEN"]
    assert error_codes(refused) == ["FORBIDDEN"]
    assert not (refused.get("data") or {}).get("syncPull")
