"""Workflow mutations: the generic ones (by step or record id) and those per record type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types import Info

from backend.records.models import Record
from backend.workflows import approvals, bulk, casework, lifecycle, transitions
from graphql_schema.context import RequestContext
from graphql_schema.enums import RecordState
from graphql_schema.naming import type_name
from graphql_schema.records.types import FieldError
from graphql_schema.scalars import DateTime
from graphql_schema.workflows.types import (
    ApprovalInfo,
    BulkResult,
    FlagInfo,
    NoteInfo,
    TransitionInfo,
)

Ctx = Info[RequestContext, None]


@strawberry.type
class RecordStatus:
    record_id: strawberry.ID
    status: RecordState
    workflow_stage: str
    status_reason: str
    status_changed_at: DateTime | None

    @classmethod
    def of(cls, record: Record) -> RecordStatus:
        return cls(
            record_id=strawberry.ID(str(record.pk)),
            status=RecordState(record.status),
            workflow_stage=record.workflow_stage,
            status_reason=record.status_reason,
            status_changed_at=record.status_changed_at,
        )


@strawberry.type
class IncidentFromCaseResult:
    incident_id: strawberry.ID | None
    errors: list[FieldError]


@strawberry.type
class FamilyInfo:
    id: strawberry.ID
    name: str
    case_ids: list[strawberry.ID]


@strawberry.type
class WorkflowMutation:
    @strawberry.mutation(
        description="Accept or reject a referral made to you (or, as their "
        "manager, to one of your users)."
    )
    def respond_to_referral(
        self, info: Ctx, id: strawberry.ID, accept: bool, note: str = ""
    ) -> TransitionInfo:
        return TransitionInfo.of(
            transitions.respond_to_referral(info.context.user, id, accept, note)
        )

    @strawberry.mutation(description="Mark an accepted referral done; your access ends.")
    def complete_referral(self, info: Ctx, id: strawberry.ID, note: str = "") -> TransitionInfo:
        return TransitionInfo.of(transitions.complete_referral(info.context.user, id, note))

    @strawberry.mutation(description="Take back a referral; the recipient's access ends.")
    def revoke_referral(self, info: Ctx, id: strawberry.ID, note: str = "") -> TransitionInfo:
        return TransitionInfo.of(transitions.revoke_referral(info.context.user, id, note))

    @strawberry.mutation(description="Accept (ownership moves to you) or reject a transfer.")
    def respond_to_transfer(
        self, info: Ctx, id: strawberry.ID, accept: bool, note: str = ""
    ) -> TransitionInfo:
        return TransitionInfo.of(
            transitions.respond_to_transfer(info.context.user, id, accept, note)
        )

    @strawberry.mutation(description="Ask the owner of a record to transfer it to you.")
    def request_transfer(self, info: Ctx, id: strawberry.ID, note: str = "") -> TransitionInfo:
        return TransitionInfo.of(transitions.request_transfer(info.context.user, id, note))

    @strawberry.mutation(description="The owner answers a transfer request.")
    def respond_to_transfer_request(
        self, info: Ctx, id: strawberry.ID, accept: bool, note: str = ""
    ) -> TransitionInfo:
        return TransitionInfo.of(
            transitions.respond_to_transfer_request(info.context.user, id, accept, note)
        )

    @strawberry.mutation(description="Ask for an approval (assessment, case_plan, closure...).")
    def request_approval(self, info: Ctx, id: strawberry.ID, approval_type: str) -> ApprovalInfo:
        return ApprovalInfo.of(approvals.request_approval(info.context.user, id, approval_type))

    @strawberry.mutation(description="Approve or reject a requested approval.")
    def respond_to_approval(
        self, info: Ctx, id: strawberry.ID, approval_type: str, approve: bool, comment: str = ""
    ) -> ApprovalInfo:
        return ApprovalInfo.of(
            approvals.respond_to_approval(info.context.user, id, approval_type, approve, comment)
        )

    @strawberry.mutation(description="Remove a flag.")
    def unflag(self, info: Ctx, id: strawberry.ID, note: str = "") -> FlagInfo:
        return FlagInfo.of(casework.unflag(info.context.user, id, note))

    @strawberry.mutation(description="Add a case note. Notes are never changed or deleted.")
    def add_note(self, info: Ctx, id: strawberry.ID, body: str, subject: str = "") -> NoteInfo:
        return NoteInfo.of(casework.add_note(info.context.user, id, body, subject))

    @strawberry.mutation(description="Open an incident prefilled from a case.")
    def incident_from_case(self, info: Ctx, id: strawberry.ID) -> IncidentFromCaseResult:
        result = casework.incident_from_case(info.context.user, id)
        return IncidentFromCaseResult(
            incident_id=strawberry.ID(str(result.record.pk)) if result.record else None,
            errors=[FieldError(path=e.path, code=e.code, message=e.message) for e in result.errors],
        )

    @strawberry.mutation(description="Group cases as one family.")
    def create_family(self, info: Ctx, name: str, case_ids: list[strawberry.ID]) -> FamilyInfo:
        family = casework.create_family(info.context.user, name, case_ids)
        return FamilyInfo(
            id=strawberry.ID(str(family.public_id)),
            name=family.name,
            case_ids=[strawberry.ID(str(r.pk)) for r in family.members.all()],
        )


def record_type_mutations(record_type: str) -> list[Any]:
    """assign<T>, refer<T>, transfer<T>, flag<T>, close<T>, reopen<T> and the bulk forms."""
    name = type_name(record_type)

    def assign(info: Ctx, id: strawberry.ID, to_user: str, note: str = "") -> TransitionInfo:
        return TransitionInfo.of(transitions.assign(info.context.user, id, to_user, note))

    def refer(
        info: Ctx, id: strawberry.ID, to_user: str, forms: list[str], note: str = ""
    ) -> TransitionInfo:
        return TransitionInfo.of(transitions.refer(info.context.user, id, to_user, forms, note))

    def transfer(info: Ctx, id: strawberry.ID, to_user: str, note: str = "") -> TransitionInfo:
        return TransitionInfo.of(transitions.transfer(info.context.user, id, to_user, note))

    def flag(info: Ctx, id: strawberry.ID, reason: str) -> FlagInfo:
        return FlagInfo.of(casework.flag(info.context.user, id, reason))

    def close(info: Ctx, id: strawberry.ID, reason: str) -> RecordStatus:
        return RecordStatus.of(lifecycle.close(info.context.user, id, reason))

    def reopen(info: Ctx, id: strawberry.ID, reason: str) -> RecordStatus:
        return RecordStatus.of(lifecycle.reopen(info.context.user, id, reason))

    def bulk_assign(info: Ctx, ids: list[strawberry.ID], to_user: str) -> list[BulkResult]:
        user = info.context.user
        return [
            BulkResult.of(o)
            for o in bulk.for_each_record(ids, lambda i: transitions.assign(user, i, to_user))
        ]

    def bulk_flag(info: Ctx, ids: list[strawberry.ID], reason: str) -> list[BulkResult]:
        user = info.context.user
        return [
            BulkResult.of(o)
            for o in bulk.for_each_record(ids, lambda i: casework.flag(user, i, reason))
        ]

    def bulk_refer(
        info: Ctx, ids: list[strawberry.ID], to_user: str, forms: list[str], note: str = ""
    ) -> list[BulkResult]:
        user = info.context.user
        return [
            BulkResult.of(o)
            for o in bulk.for_each_record(
                ids, lambda i: transitions.refer(user, i, to_user, forms, note)
            )
        ]

    operations: list[tuple[Callable[..., Any], str, str]] = [
        (assign, f"assign{name}", "Make another user the owner, at once."),
        (refer, f"refer{name}", "Share chosen forms with a user; consent is checked."),
        (transfer, f"transfer{name}", "Offer the record; ownership moves on acceptance."),
        (flag, f"flag{name}", "Flag the record with a reason."),
        (close, f"close{name}", "Close the record (an approved closure may be needed)."),
        (reopen, f"reopen{name}", "Reopen a closed record."),
        (bulk_assign, f"bulkAssign{name}s", "Assign up to 100 records; a result each."),
        (bulk_flag, f"bulkFlag{name}s", "Flag up to 100 records; a result each."),
        (bulk_refer, f"bulkRefer{name}s", "Refer up to 100 records; a result each."),
    ]
    fields = []
    for function, graphql_name, description in operations:
        function.__name__ = f"{function.__name__}_{record_type}"
        fields.append(strawberry.mutation(function, name=graphql_name, description=description))
    return fields
