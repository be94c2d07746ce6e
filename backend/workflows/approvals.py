"""Approvals: a caseworker asks, a role with `approve_<type>` answers."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.errors import BadUserInput, Forbidden
from backend.workflows.common import record_event, workflow_record
from backend.workflows.errors import InvalidTransition
from backend.workflows.limits import check_text
from backend.workflows.models import Approval
from backend.workflows.notify import notify
from permissions.actions import role_allows
from permissions.scope import in_scope


def _approvers(actor: User, record: object, approval_type: str, record_type: str) -> list[User]:
    action = f"approve_{approval_type}"
    roles = [
        r.pk
        for r in Role.objects.filter(tenant_id=actor.tenant_id)
        if action in (r.actions or {}).get(record_type, ())
    ]
    candidates = User.objects.filter(
        tenant_id=actor.tenant_id, role_id__in=roles, is_active=True
    ).select_related("role", "agency")
    return [u for u in candidates if role_allows(u, action, record_type) and in_scope(u, record)]


def request_approval(actor: User, record_id: str, approval_type: str) -> Approval:
    with transaction.atomic():
        visible, workflow = workflow_record(actor, record_id, "request_approval")
        record = visible.record
        if approval_type not in workflow.approval_types:
            raise BadUserInput(
                f"Unknown approval type {approval_type!r}; this tenant has: "
                + ", ".join(workflow.approval_types),
                field="approvalType",
            )
        if Approval.objects.filter(
            record=record, approval_type=approval_type, status=Approval.Status.REQUESTED
        ).exists():
            raise InvalidTransition(f"A {approval_type} approval is already requested.")
        approval = Approval.objects.create(
            tenant_id=actor.tenant_id,
            record=record,
            approval_type=approval_type,
            requested_by=actor,
        )
        changes: dict[str, list[object]] = {"approval": [None, f"{approval_type} requested"]}
        stage = workflow.stage_on_request.get(approval_type)
        if stage and record.workflow_stage != stage:
            changes["workflow_stage"] = [record.workflow_stage, stage]
            record.workflow_stage = stage
        record_event(record, actor, "request_approval", changes)
        notify(
            _approvers(actor, record, approval_type, record.record_type),
            "approval_request",
            f"{actor.username} asks for {approval_type} approval of {record.short_id}.",
            record=record,
            actor=actor,
        )
        return approval


def respond_to_approval(
    actor: User, record_id: str, approval_type: str, approve: bool, comment: str = ""
) -> Approval:
    check_text(comment=comment)
    with transaction.atomic():
        visible, workflow = workflow_record(actor, record_id, f"approve_{approval_type}")
        record = visible.record
        approval = (
            Approval.objects.select_for_update()
            .filter(record=record, approval_type=approval_type, status=Approval.Status.REQUESTED)
            .select_related("requested_by")
            .first()
        )
        if approval is None:
            raise InvalidTransition(f"No {approval_type} approval is waiting on this record.")
        if approval.requested_by_id == actor.pk and not role_allows(
            actor, "approve_own", record.record_type
        ):
            raise Forbidden("You may not approve your own request.", action="approve_own")
        approval.status = Approval.Status.APPROVED if approve else Approval.Status.REJECTED
        approval.responded_by = actor
        approval.responded_at = timezone.now()
        approval.comment = comment
        approval.save()
        changes: dict[str, list[object]] = {
            "approval": [f"{approval_type} requested", f"{approval_type} {approval.status}"]
        }
        stage = workflow.stage_on_approval.get(approval_type) if approve else None
        if stage and record.workflow_stage != stage:
            changes["workflow_stage"] = [record.workflow_stage, stage]
            record.workflow_stage = stage
        record_event(record, actor, "approval_" + approval.status, changes)
        notify(
            [approval.requested_by],
            "approval_result",
            f"The {approval_type} approval of {record.short_id} was {approval.status}.",
            record=record,
            actor=actor,
        )
        return approval
