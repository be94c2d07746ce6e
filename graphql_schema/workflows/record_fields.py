"""Workflow fields on compiled record types: transitions, approvals, flags, notes, alerts.

Each list is loaded for the whole page of records at once (one query per list, however many
records), through the page's batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import strawberry
from strawberry.types import Info

from backend.accounts.models import User
from backend.notifications import services as notifications
from backend.records.reading import RecordView
from backend.workflows import reading
from graphql_schema.alerts import Alert
from graphql_schema.context import RequestContext
from graphql_schema.workflows.types import ApprovalInfo, FlagInfo, NoteInfo, TransitionInfo


def _by_access(step_lists: Any) -> Any:
    def load(user: User, views: Sequence[RecordView]) -> Mapping[uuid.UUID, list[Any]]:
        return step_lists(user, {v.record.pk: v.access for v in views})

    return load


def _alerts(user: User, views: Sequence[RecordView]) -> Mapping[uuid.UUID, list[Any]]:
    return notifications.records_alerts(user, [v.record for v in views])


def _load(root: Any, key: str, loader: Any) -> list[Any]:
    found: list[Any] = root["_batch"].load(key, loader, root["_record"].pk)
    return found


_transitions = _by_access(reading.transitions)
_approvals = _by_access(reading.approvals)
_flags = _by_access(reading.flags)
_notes = _by_access(reading.notes)


def transitions(
    root: strawberry.Parent[Any], info: Info[RequestContext, None]
) -> list[TransitionInfo]:
    return [TransitionInfo.of(t) for t in _load(root, "transitions", _transitions)]


def approvals(root: strawberry.Parent[Any], info: Info[RequestContext, None]) -> list[ApprovalInfo]:
    return [ApprovalInfo.of(a) for a in _load(root, "approvals", _approvals)]


def flags(root: strawberry.Parent[Any], info: Info[RequestContext, None]) -> list[FlagInfo]:
    return [FlagInfo.of(f) for f in _load(root, "flags", _flags)]


def notes(root: strawberry.Parent[Any], info: Info[RequestContext, None]) -> list[NoteInfo]:
    return [NoteInfo.of(n) for n in _load(root, "notes", _notes)]


def alerts(root: strawberry.Parent[Any], info: Info[RequestContext, None]) -> list[Alert]:
    return [Alert.of(view) for view in _load(root, "alerts", _alerts)]


def workflow_fields() -> list[Any]:
    return [
        strawberry.field(
            transitions,
            name="transitions",
            description="Assignments, referrals and transfers you may see.",
        ),
        strawberry.field(approvals, name="approvals"),
        strawberry.field(flags, name="flags"),
        strawberry.field(notes, name="notes", description="Case notes, oldest first."),
        strawberry.field(alerts, name="alerts", description="Your open alerts about it."),
    ]
