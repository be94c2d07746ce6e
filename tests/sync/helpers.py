"""The sync operations as a mobile client sends them, and a client that pulls to the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.graphql_client import gql

REGISTER_DEVICE = """
mutation($name: String!, $platform: String) {
  registerDevice(name: $name, platform: $platform) {
    device { id name platform revokedAt } errors { code }
  }
}
"""
REVOKE_DEVICE = """
mutation($id: ID!) { revokeDevice(id: $id) { device { id revokedAt } errors { code path } } }
"""
PIN = """
mutation($type: String!, $ids: [ID!]!) {
  pinForOffline(recordType: $type, ids: $ids) { ids errors { code path } }
}
"""
UNPIN = """
mutation($type: String!, $ids: [ID!]!) {
  unpinForOffline(recordType: $type, ids: $ids) { ids errors { code path } }
}
"""
PULL = """
query($device: ID!, $since: String, $first: Int!, $types: [String!]) {
  syncPull(deviceId: $device, since: $since, first: $first, recordTypes: $types) {
    items {
      recordType id revision fieldRevisions
      record { ... on Case { id shortId revision nameFirst sex redactedFields owner { username } } }
    }
    tombstones { recordType id reason }
    cursor hasMore formsDigest wipe
  }
}
"""


def register_device(token: str, name: str = "Tablet 7") -> str:
    body = gql(REGISTER_DEVICE, {"name": name, "platform": "android"}, token)
    assert body["data"]["registerDevice"]["errors"] == [], body
    device_id: str = body["data"]["registerDevice"]["device"]["id"]
    return device_id


def pull(
    token: str, device: str, since: str | None = None, first: int = 100, types: Any = None
) -> dict[str, Any]:
    """The whole response of one pull."""
    return gql(PULL, {"device": device, "since": since, "first": first, "types": types}, token)


def page(token: str, device: str, since: str | None = None, first: int = 100) -> dict[str, Any]:
    body = pull(token, device, since, first)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["syncPull"]
    return result


@dataclass
class Client:
    """What a device holds: records by id, and the cursor of the last page it received."""

    token: str
    device: str
    cursor: str | None = None
    held: dict[str, dict[str, Any]] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)  # id -> reason
    pages: int = 0

    def sync(self, first: int = 100) -> None:
        while True:
            result = page(self.token, self.device, self.cursor, first)
            self.receive(result)
            if not result["hasMore"]:
                return

    def receive(self, result: dict[str, Any]) -> None:
        self.pages += 1
        for item in result["items"]:
            self.held[item["id"]] = item
            self.dropped.pop(item["id"], None)
        for tombstone in result["tombstones"]:
            self.held.pop(tombstone["id"], None)
            self.dropped[tombstone["id"]] = tombstone["reason"]
        self.cursor = result["cursor"]


PUSH = """
mutation($device: ID!, $changes: [SyncChangeInput!]!) {
  syncPush(deviceId: $device, changes: $changes) {
    results {
      clientMutationId status originalStatus revision
      conflicts { path serverValue clientValue }
      errors { path code }
    }
    errors { path code }
  }
}
"""
CONFLICTS = """
query($type: String!, $first: Int, $after: String) {
  syncConflicts(recordType: $type, first: $first, after: $after) {
    conflicts { id recordId path serverValue clientValue baseRevision pushedBy }
    cursor hasMore
  }
}
"""
RESOLVE = """
mutation($id: ID!, $keep: SyncConflictKeep!, $value: JSON) {
  resolveSyncConflict(id: $id, keep: $keep, value: $value) {
    conflict { id serverValue } revision errors { path code }
  }
}
"""


def change(
    cmid: str, record_id: str, base: int | None, values: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "clientMutationId": cmid,
        "recordType": "case",
        "id": record_id,
        "baseRevision": base,
        "values": values,
        **extra,
    }


def push(token: str, device: str, *changes: dict[str, Any]) -> dict[str, Any]:
    """The whole response of one push."""
    return gql(PUSH, {"device": device, "changes": list(changes)}, token)


def pushed(token: str, device: str, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-change results of a push that was accepted."""
    body = push(token, device, *changes)
    assert "errors" not in body, body
    assert body["data"]["syncPush"]["errors"] == [], body
    results: list[dict[str, Any]] = body["data"]["syncPush"]["results"]
    return results
