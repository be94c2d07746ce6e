"""Flags, notes, families, and incidents opened from a case."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.errors import BadUserInput, NotFound
from backend.ids import parse_id
from backend.records import services as records
from backend.records.reading import permitted_values
from backend.workflows.common import record_event, record_of_step, workflow_record
from backend.workflows.config import TODAY
from backend.workflows.errors import InvalidTransition
from backend.workflows.limits import check_text
from backend.workflows.models import Family, FamilyMember, Flag, Note


def flag(actor: User, record_id: str, reason: str) -> Flag:
    if not reason.strip():
        raise BadUserInput("A flag needs a reason.", field="reason")
    check_text(reason=reason)
    with transaction.atomic():
        visible, _ = workflow_record(actor, record_id, "flag")
        created = Flag.objects.create(
            tenant_id=actor.tenant_id, record=visible.record, reason=reason, flagged_by=actor
        )
        record_event(visible.record, actor, "flag", {"flag": [None, reason]})
        return created


def unflag(actor: User, flag_id: str, note: str = "") -> Flag:
    check_text(note=note)
    with transaction.atomic():
        found = (
            Flag.objects.select_for_update()
            .filter(public_id=parse_id(flag_id), tenant_id=actor.tenant_id)
            .first()
        )
        if found is None:
            raise NotFound(f"No flag {flag_id}.")
        visible, _ = record_of_step(actor, found.record_id, "flag", f"No flag {flag_id}.")
        if found.removed_at is not None:
            raise InvalidTransition("This flag was already removed.")
        found.removed_at = timezone.now()
        found.removed_by = actor
        found.removal_note = note
        found.save()
        record_event(visible.record, actor, "unflag", {"flag": [found.reason, None]})
        return found


def add_note(actor: User, record_id: str, body: str, subject: str = "") -> Note:
    if not body.strip():
        raise BadUserInput("A note needs text.", field="body")
    check_text(subject=subject, body=body)
    with transaction.atomic():
        visible, _ = workflow_record(actor, record_id, "write")
        note = Note.objects.create(
            tenant_id=actor.tenant_id,
            record=visible.record,
            author=actor,
            subject=subject,
            body=body,
        )
        record_event(visible.record, actor, "note", {"note": [None, subject or "note"]})
        return note


def incident_from_case(actor: User, case_id: str) -> records.WriteResult:
    """Open an incident prefilled from a case through the tenant's field map."""
    with transaction.atomic():
        visible, workflow = workflow_record(actor, case_id, "incident_from_case")
        case = visible.record
        if case.record_type != "case":
            raise InvalidTransition("Incidents are opened from cases.")
        readable = permitted_values(case.data, visible.access)
        today = timezone.localdate().isoformat()
        patch: dict[str, object] = {
            name: today if value == TODAY else value
            for name, value in workflow.incident_defaults.items()
        }
        patch |= {
            target: readable[source]
            for source, target in workflow.incident_from_case.items()
            if readable.get(source) is not None
        }
        # The workflow's write: it may fill read-only incident fields (role rules still hold).
        result = records.create_record(actor, "incident", patch, source="system")
        if result.record is not None:
            record_event(
                case, actor, "incident_from_case", {"incident": [None, result.record.short_id]}
            )
        return result


def create_family(actor: User, name: str, case_ids: Sequence[str]) -> Family:
    if not name.strip() or not case_ids:
        raise BadUserInput("A family needs a name and at least one case.", field="caseIds")
    check_text(name=name)
    with transaction.atomic():
        members = [
            workflow_record(actor, case_id, "manage_families")[0].record for case_id in case_ids
        ]
        family = Family.objects.create(tenant_id=actor.tenant_id, name=name, created_by=actor)
        for record in members:
            FamilyMember.objects.create(tenant_id=actor.tenant_id, family=family, record=record)
            record_event(record, actor, "family", {"family": [None, name]})
        return family
