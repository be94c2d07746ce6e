"""Open, closed, reopened: with dates and reasons, and closure approval where required."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.records.models import Record
from backend.workflows.common import record_event, workflow_record
from backend.workflows.errors import ApprovalRequired, InvalidTransition
from backend.workflows.limits import check_text
from backend.workflows.models import Approval


def close(actor: User, record_id: str, reason: str) -> Record:
    check_text(reason=reason)
    with transaction.atomic():
        visible, workflow = workflow_record(actor, record_id, "close")
        record = visible.record
        if record.status == "closed":
            raise InvalidTransition("The record is already closed.")
        if not reason.strip():
            raise InvalidTransition("Say why the record is closed.", field="reason")
        if workflow.closure_approval_type:
            approved = Approval.objects.filter(
                record=record,
                approval_type=workflow.closure_approval_type,
                status=Approval.Status.APPROVED,
                responded_at__gte=record.status_changed_at or record.created_at,
            ).exists()
            if not approved:
                raise ApprovalRequired("Closing this record needs an approved closure.")
        changes: dict[str, list[object]] = {"status": [record.status, "closed"]}
        if workflow.stage_on_close:
            changes["workflow_stage"] = [record.workflow_stage, workflow.stage_on_close]
            record.workflow_stage = workflow.stage_on_close
        record.status = "closed"
        record.status_changed_at = timezone.now()
        record.status_reason = reason
        record_event(record, actor, "close", changes)
        return record


def reopen(actor: User, record_id: str, reason: str) -> Record:
    check_text(reason=reason)
    with transaction.atomic():
        visible, workflow = workflow_record(actor, record_id, "reopen")
        record = visible.record
        if record.status != "closed":
            raise InvalidTransition(f"Only a closed record can be reopened; it is {record.status}.")
        if not reason.strip():
            raise InvalidTransition("Say why the record is reopened.", field="reason")
        changes: dict[str, list[object]] = {"status": ["closed", "reopened"]}
        if workflow.stage_on_reopen:
            changes["workflow_stage"] = [record.workflow_stage, workflow.stage_on_reopen]
            record.workflow_stage = workflow.stage_on_reopen
        record.status = "reopened"
        record.status_changed_at = timezone.now()
        record.status_reason = reason
        record_event(record, actor, "reopen", changes)
        return record
