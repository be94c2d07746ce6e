"""What clients read of a record's workflow: transitions, approvals, flags, notes."""

from __future__ import annotations

from typing import Any

import strawberry

from backend.workflows.models import Approval, Flag, Note, Transition
from graphql_schema.enums import ApprovalStatus, TransitionKind, TransitionStatus
from graphql_schema.node_interface import Node
from graphql_schema.records.types import UserRef
from graphql_schema.scalars import DateTime


def user_ref(user: Any) -> UserRef:
    return UserRef.of(user)


def maybe_user_ref(user: Any) -> UserRef | None:
    return user_ref(user) if user else None


@strawberry.type
class TransitionInfo(Node):
    id: strawberry.ID
    kind: TransitionKind
    status: TransitionStatus
    from_user: UserRef
    to_user: UserRef
    forms: list[str]
    note: str
    consent_overridden: bool
    created_at: DateTime
    responded_at: DateTime | None
    response_note: str

    @classmethod
    def of(cls, step: Transition) -> TransitionInfo:
        return cls(
            id=strawberry.ID(str(step.public_id)),
            kind=TransitionKind(step.kind),
            status=TransitionStatus(step.status),
            from_user=user_ref(step.from_user),
            to_user=user_ref(step.to_user),
            forms=list(step.forms),
            note=step.note,
            consent_overridden=step.consent_overridden,
            created_at=step.created_at,
            responded_at=step.responded_at,
            response_note=step.response_note,
        )


@strawberry.type
class ApprovalInfo(Node):
    id: strawberry.ID
    approval_type: str
    status: ApprovalStatus
    requested_by: UserRef
    requested_at: DateTime
    responded_by: UserRef | None
    responded_at: DateTime | None
    comment: str

    @classmethod
    def of(cls, approval: Approval) -> ApprovalInfo:
        return cls(
            id=strawberry.ID(str(approval.public_id)),
            approval_type=approval.approval_type,
            status=ApprovalStatus(approval.status),
            requested_by=user_ref(approval.requested_by),
            requested_at=approval.requested_at,
            responded_by=maybe_user_ref(approval.responded_by),
            responded_at=approval.responded_at,
            comment=approval.comment,
        )


@strawberry.type
class FlagInfo(Node):
    id: strawberry.ID
    reason: str
    flagged_by: UserRef
    flagged_at: DateTime
    removed_at: DateTime | None
    removal_note: str

    @classmethod
    def of(cls, flag: Flag) -> FlagInfo:
        return cls(
            id=strawberry.ID(str(flag.public_id)),
            reason=flag.reason,
            flagged_by=user_ref(flag.flagged_by),
            flagged_at=flag.flagged_at,
            removed_at=flag.removed_at,
            removal_note=flag.removal_note,
        )


@strawberry.type
class NoteInfo(Node):
    id: strawberry.ID
    subject: str
    body: str
    author: UserRef
    created_at: DateTime

    @classmethod
    def of(cls, note: Note) -> NoteInfo:
        return cls(
            id=strawberry.ID(str(note.public_id)),
            subject=note.subject,
            body=note.body,
            author=user_ref(note.author),
            created_at=note.created_at,
        )


@strawberry.type(description="Cases grouped as one family.")
class FamilyInfo:
    id: strawberry.ID
    name: str
    case_ids: list[strawberry.ID]
