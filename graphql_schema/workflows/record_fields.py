"""Workflow fields on compiled record types: transitions, approvals, flags, notes."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from backend.notifications import services as notifications
from backend.workflows import reading
from graphql_schema.alerts import Alert
from graphql_schema.context import RequestContext
from graphql_schema.workflows.types import ApprovalInfo, FlagInfo, NoteInfo, TransitionInfo


def transitions(
    root: strawberry.Parent[Any], info: Info[RequestContext, None]
) -> list[TransitionInfo]:
    found = reading.transitions(info.context.user, root["_record"], root["_access"])
    return [TransitionInfo.of(t) for t in found]


def approvals(root: strawberry.Parent[Any], info: Info[RequestContext, None]) -> list[ApprovalInfo]:
    found = reading.approvals(info.context.user, root["_record"], root["_access"])
    return [ApprovalInfo.of(a) for a in found]


def flags(root: strawberry.Parent[Any], info: Info[RequestContext, None]) -> list[FlagInfo]:
    return [
        FlagInfo.of(f) for f in reading.flags(info.context.user, root["_record"], root["_access"])
    ]


def notes(root: strawberry.Parent[Any], info: Info[RequestContext, None]) -> list[NoteInfo]:
    return [
        NoteInfo.of(n) for n in reading.notes(info.context.user, root["_record"], root["_access"])
    ]


def alerts(root: strawberry.Parent[Any], info: Info[RequestContext, None]) -> list[Alert]:
    found = notifications.record_alerts(info.context.user, root["_record"])
    return [Alert.of(view) for view in found]


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
