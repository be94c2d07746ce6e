"""Workflow mutations. Each payload carries the object the step made or changed and the
record it changed, read again through the record type's read path (redacted like any read;
null when the caller may no longer see it, e.g. after a transfer)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.tools import create_type
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from backend.errors import Forbidden, NotFound
from backend.records import reading
from backend.records.models import Record
from backend.records.reading import RecordView
from backend.workflows import approvals, bulk, casework, lifecycle, transitions
from graphql_schema.context import RequestContext
from graphql_schema.naming import field_name, type_name
from graphql_schema.payloads import UserError, client_path, mutation_payload, payload_fields
from graphql_schema.records.batch import PageBatch
from graphql_schema.records.operations import RecordResolvers
from graphql_schema.workflows.types import (
    ApprovalInfo,
    FamilyInfo,
    FlagInfo,
    NoteInfo,
    TransitionInfo,
)

Ctx = Info[RequestContext, None]
Resolvers = dict[str, RecordResolvers]
# Where a payload dict keeps the (record type, id) of the record its record field reads.
RECORD = "_record"


def _ref(record: Record) -> tuple[str, str]:
    return (record.record_type, str(record.pk))


# Where a payload with many records (bulk steps, families) keeps them for reading together.
RECORDS = "_records"


class PayloadRecords:
    """The records of one payload, read through the read service together the first time
    one is asked for: a fixed number of queries for 1 or 100 records."""

    def __init__(self, refs: Sequence[tuple[str, str] | None]) -> None:
        self.ids = [uuid.UUID(ref[1]) for ref in refs if ref is not None]
        self._views: dict[uuid.UUID, RecordView] | None = None
        self._batch: PageBatch | None = None

    def present(self, info: Ctx, resolvers: Resolvers, ref: tuple[str, str]) -> Any:
        if self._views is None:
            user = info.context.user
            self._views = reading.read_by_ids(user, self.ids)
            self._batch = PageBatch(user, list(self._views.values()))
        view = self._views.get(uuid.UUID(ref[1]))
        found = resolvers.get(view.record.record_type) if view is not None else None
        if view is None or found is None or self._batch is None:
            return None
        return found.present_here(info, view, self._batch)


def _read(info: Ctx, resolvers: Resolvers, ref: tuple[str, str] | None, shared: Any) -> Any:
    if ref is None or ref[0] not in resolvers:
        return None
    if isinstance(shared, PayloadRecords):
        return shared.present(info, resolvers, ref)
    try:
        return resolvers[ref[0]].get(info, ref[1])
    except (NotFound, Forbidden):
        return None


def record_field(
    name: str, annotation: Any, resolvers: Resolvers, key: str = RECORD, many: bool = False
) -> StrawberryField:
    """A payload field holding the record (or records) the mutation changed."""

    def resolve(root: strawberry.Parent[Any], info: Ctx) -> Any:
        refs = root.get(key) if isinstance(root, dict) else None
        shared = root.get(RECORDS) if isinstance(root, dict) else None
        if many:
            return [_read(info, resolvers, ref, shared) for ref in refs or []]
        return _read(info, resolvers, refs, shared)

    resolve.__name__ = f"resolve_{name}"
    resolve.__annotations__["return"] = list[annotation | None] if many else annotation | None
    return strawberry.field(
        resolve,
        name=name,
        description="As you may now read it; null when nothing changed or you may no longer "
        "see it.",
    )


def _own(name: str, annotation: Any) -> StrawberryField:
    return StrawberryField(
        python_name=name,
        graphql_name=None,
        type_annotation=StrawberryAnnotation(annotation | None),
        default=None,
    )


def payload_type(name: str, fields: Sequence[StrawberryField]) -> type:
    return create_type(name, [*fields, *payload_fields()])


def _mutation(
    function: Callable[..., Any], graphql_name: str, description: str, payload: type
) -> Any:
    function.__annotations__["return"] = payload
    function.__name__ = graphql_name
    return strawberry.mutation(
        mutation_payload(function), name=graphql_name, description=description
    )


def _step(step: Any, key: str, info_type: Any) -> dict[str, Any]:
    return {key: info_type.of(step), RECORD: _ref(step.record)}


def workflow_mutations(any_record: Any, resolvers: Resolvers) -> list[Any]:
    """The mutations not tied to one record type: steps answered by id, approvals, notes."""

    def record() -> StrawberryField:
        return record_field("record", any_record, resolvers)

    def transition_payload(name: str) -> type:
        return payload_type(name, [_own("transition", TransitionInfo), record()])

    def respond_to_referral(
        info: Ctx,
        id: strawberry.ID,
        accept: bool,
        note: str = "",
        client_mutation_id: str | None = None,
    ) -> Any:
        user = info.context.user
        step = transitions.respond_to_referral(user, id, accept, note)
        return _step(step, "transition", TransitionInfo)

    def complete_referral(
        info: Ctx, id: strawberry.ID, note: str = "", client_mutation_id: str | None = None
    ) -> Any:
        step = transitions.complete_referral(info.context.user, id, note)
        return _step(step, "transition", TransitionInfo)

    def revoke_referral(
        info: Ctx, id: strawberry.ID, note: str = "", client_mutation_id: str | None = None
    ) -> Any:
        step = transitions.revoke_referral(info.context.user, id, note)
        return _step(step, "transition", TransitionInfo)

    def respond_to_transfer(
        info: Ctx,
        id: strawberry.ID,
        accept: bool,
        note: str = "",
        client_mutation_id: str | None = None,
    ) -> Any:
        step = transitions.respond_to_transfer(info.context.user, id, accept, note)
        return _step(step, "transition", TransitionInfo)

    def request_transfer(
        info: Ctx, id: strawberry.ID, note: str = "", client_mutation_id: str | None = None
    ) -> Any:
        step = transitions.request_transfer(info.context.user, id, note)
        return _step(step, "transition", TransitionInfo)

    def respond_to_transfer_request(
        info: Ctx,
        id: strawberry.ID,
        accept: bool,
        note: str = "",
        client_mutation_id: str | None = None,
    ) -> Any:
        user = info.context.user
        step = transitions.respond_to_transfer_request(user, id, accept, note)
        return _step(step, "transition", TransitionInfo)

    def request_approval(
        info: Ctx,
        id: strawberry.ID,
        approval_type: str,
        client_mutation_id: str | None = None,
    ) -> Any:
        approval = approvals.request_approval(info.context.user, id, approval_type)
        return _step(approval, "approval", ApprovalInfo)

    def respond_to_approval(
        info: Ctx,
        id: strawberry.ID,
        approval_type: str,
        approve: bool,
        comment: str = "",
        client_mutation_id: str | None = None,
    ) -> Any:
        user = info.context.user
        approval = approvals.respond_to_approval(user, id, approval_type, approve, comment)
        return _step(approval, "approval", ApprovalInfo)

    def unflag(
        info: Ctx, id: strawberry.ID, note: str = "", client_mutation_id: str | None = None
    ) -> Any:
        return _step(casework.unflag(info.context.user, id, note), "flag", FlagInfo)

    def add_note(
        info: Ctx,
        id: strawberry.ID,
        body: str,
        subject: str = "",
        client_mutation_id: str | None = None,
    ) -> Any:
        return _step(casework.add_note(info.context.user, id, body, subject), "note", NoteInfo)

    def incident_from_case(
        info: Ctx, id: strawberry.ID, client_mutation_id: str | None = None
    ) -> Any:
        result = casework.incident_from_case(info.context.user, id)
        return {
            "incident": _ref(result.record) if result.record else None,
            "case": ("case", str(id)) if result.record else None,
            "errors": [UserError.of(e.code, e.message, client_path(e.path)) for e in result.errors],
        }

    def create_family(
        info: Ctx,
        name: str,
        case_ids: list[strawberry.ID],
        client_mutation_id: str | None = None,
    ) -> Any:
        family = casework.create_family(info.context.user, name, case_ids)
        members = list(family.members.all())
        refs = [_ref(r) for r in members]
        return {
            "family": FamilyInfo(
                id=strawberry.ID(str(family.public_id)),
                name=family.name,
                case_ids=[strawberry.ID(str(r.pk)) for r in members],
            ),
            "records": refs,
            RECORDS: PayloadRecords(refs),
        }

    step_payloads: list[tuple[Callable[..., Any], str, str]] = [
        (
            respond_to_referral,
            "respondToReferral",
            "Accept or reject a referral made to you (or, as their manager, to one of your users).",
        ),
        (
            complete_referral,
            "completeReferral",
            "Mark an accepted referral done; your access ends.",
        ),
        (revoke_referral, "revokeReferral", "Take back a referral; the recipient's access ends."),
        (
            respond_to_transfer,
            "respondToTransfer",
            "Accept (ownership moves to you) or reject a transfer.",
        ),
        (request_transfer, "requestTransfer", "Ask the owner of a record to transfer it to you."),
        (
            respond_to_transfer_request,
            "respondToTransferRequest",
            "The owner answers a transfer request.",
        ),
    ]
    fields = [
        _mutation(f, name, description, transition_payload(name[0].upper() + name[1:] + "Payload"))
        for f, name, description in step_payloads
    ]
    fields += [
        _mutation(
            request_approval,
            "requestApproval",
            "Ask for an approval (assessment, case_plan, closure...).",
            payload_type("RequestApprovalPayload", [_own("approval", ApprovalInfo), record()]),
        ),
        _mutation(
            respond_to_approval,
            "respondToApproval",
            "Approve or reject a requested approval.",
            payload_type("RespondToApprovalPayload", [_own("approval", ApprovalInfo), record()]),
        ),
        _mutation(
            unflag,
            "unflag",
            "Remove a flag.",
            payload_type("UnflagPayload", [_own("flag", FlagInfo), record()]),
        ),
        _mutation(
            add_note,
            "addNote",
            "Add a case note. Notes are never changed or deleted.",
            payload_type("AddNotePayload", [_own("note", NoteInfo), record()]),
        ),
        _mutation(
            incident_from_case,
            "incidentFromCase",
            "Open an incident prefilled from a case.",
            payload_type(
                "IncidentFromCasePayload",
                [
                    record_field("incident", any_record, resolvers, key="incident"),
                    record_field("case", any_record, resolvers, key="case"),
                ],
            ),
        ),
        _mutation(
            create_family,
            "createFamily",
            "Group cases as one family.",
            payload_type(
                "CreateFamilyPayload",
                [
                    _own("family", FamilyInfo),
                    record_field("records", any_record, resolvers, key="records", many=True),
                ],
            ),
        ),
    ]
    return fields


def record_type_mutations(output: type, resolvers: RecordResolvers) -> list[Any]:
    """assign<T>, refer<T>, transfer<T>, flag<T>, close<T>, reopen<T> and the bulk forms."""
    record_type = resolvers.record_type
    name = type_name(record_type)
    by_type = {record_type: resolvers}

    def record() -> StrawberryField:
        return record_field(field_name(record_type), output, by_type)

    def assign(
        info: Ctx,
        id: strawberry.ID,
        to_user: str,
        note: str = "",
        client_mutation_id: str | None = None,
    ) -> Any:
        step = transitions.assign(info.context.user, id, to_user, note)
        return _step(step, "transition", TransitionInfo)

    def refer(
        info: Ctx,
        id: strawberry.ID,
        to_user: str,
        forms: list[str],
        note: str = "",
        client_mutation_id: str | None = None,
    ) -> Any:
        step = transitions.refer(info.context.user, id, to_user, forms, note)
        return _step(step, "transition", TransitionInfo)

    def transfer(
        info: Ctx,
        id: strawberry.ID,
        to_user: str,
        note: str = "",
        client_mutation_id: str | None = None,
    ) -> Any:
        step = transitions.transfer(info.context.user, id, to_user, note)
        return _step(step, "transition", TransitionInfo)

    def flag(
        info: Ctx, id: strawberry.ID, reason: str, client_mutation_id: str | None = None
    ) -> Any:
        return _step(casework.flag(info.context.user, id, reason), "flag", FlagInfo)

    def close(
        info: Ctx, id: strawberry.ID, reason: str, client_mutation_id: str | None = None
    ) -> Any:
        return {RECORD: _ref(lifecycle.close(info.context.user, id, reason))}

    def reopen(
        info: Ctx, id: strawberry.ID, reason: str, client_mutation_id: str | None = None
    ) -> Any:
        return {RECORD: _ref(lifecycle.reopen(info.context.user, id, reason))}

    def outcomes(found: list[bulk.BulkOutcome]) -> dict[str, Any]:
        refs = [(record_type, o.record_id) if o.ok else None for o in found]
        shared = PayloadRecords(refs)
        return {
            "results": [
                {
                    "record_id": strawberry.ID(o.record_id),
                    "ok": o.ok,
                    "error": None if o.ok else UserError.of(o.code or "", o.message or "", None),
                    RECORD: ref,
                    RECORDS: shared,
                }
                for o, ref in zip(found, refs, strict=True)
            ]
        }

    def bulk_assign(
        info: Ctx, ids: list[strawberry.ID], to_user: str, client_mutation_id: str | None = None
    ) -> Any:
        user = info.context.user
        return outcomes(bulk.for_each_record(ids, lambda i: transitions.assign(user, i, to_user)))

    def bulk_flag(
        info: Ctx, ids: list[strawberry.ID], reason: str, client_mutation_id: str | None = None
    ) -> Any:
        user = info.context.user
        return outcomes(bulk.for_each_record(ids, lambda i: casework.flag(user, i, reason)))

    def bulk_refer(
        info: Ctx,
        ids: list[strawberry.ID],
        to_user: str,
        forms: list[str],
        note: str = "",
        client_mutation_id: str | None = None,
    ) -> Any:
        user = info.context.user
        return outcomes(
            bulk.for_each_record(ids, lambda i: transitions.refer(user, i, to_user, forms, note))
        )

    bulk_result = create_type(
        f"{name}BulkResult",
        [
            _own("record_id", strawberry.ID),
            _own("ok", bool),
            _own("error", UserError),
            record_field(field_name(record_type), output, by_type),
        ],
        description="One record of a bulk step: done, or why not.",
    )

    def transition() -> list[StrawberryField]:
        return [_own("transition", TransitionInfo), record()]

    def bulk_payload() -> list[StrawberryField]:
        return [_own("results", list[bulk_result])]  # type: ignore[valid-type]

    operations: list[tuple[Callable[..., Any], str, str, Callable[[], list[StrawberryField]]]] = [
        (assign, f"assign{name}", "Make another user the owner, at once.", transition),
        (refer, f"refer{name}", "Share chosen forms with a user; consent is checked.", transition),
        (
            transfer,
            f"transfer{name}",
            "Offer the record; ownership moves on acceptance.",
            transition,
        ),
        (
            flag,
            f"flag{name}",
            "Flag the record with a reason.",
            lambda: [_own("flag", FlagInfo), record()],
        ),
        (
            close,
            f"close{name}",
            "Close the record (an approved closure may be needed).",
            lambda: [record()],
        ),
        (reopen, f"reopen{name}", "Reopen a closed record.", lambda: [record()]),
        (
            bulk_assign,
            f"bulkAssign{name}s",
            "Assign up to 100 records; a result each.",
            bulk_payload,
        ),
        (bulk_flag, f"bulkFlag{name}s", "Flag up to 100 records; a result each.", bulk_payload),
        (bulk_refer, f"bulkRefer{name}s", "Refer up to 100 records; a result each.", bulk_payload),
    ]
    return [
        _mutation(
            function,
            graphql_name,
            description,
            payload_type(graphql_name[0].upper() + graphql_name[1:] + "Payload", fields()),
        )
        for function, graphql_name, description, fields in operations
    ]
