"""Assignment, referral, transfer and transfer request: who is responsible, who may see."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.errors import BadUserInput, NotFound
from backend.forms.configuration import published_configuration
from backend.ids import parse_id
from backend.records.models import Record
from backend.request_state import request_state
from backend.workflows.common import (
    record_event,
    record_of_step,
    user_in_tenant,
    workflow_record,
)
from backend.workflows.errors import ConsentRequired, InvalidTransition
from backend.workflows.limits import check_text
from backend.workflows.models import Transition
from backend.workflows.notify import notify
from backend.workflows.recipients import require_recipient_access
from permissions.actions import role_allows

Kind = Transition.Kind
Status = Transition.Status


def assign(actor: User, record_id: str, to_username: str, note: str = "") -> Transition:
    """Make another user of the tenant the owner, at once."""
    check_text(note=note)
    with transaction.atomic():
        visible, _ = workflow_record(actor, record_id, "assign")
        record = visible.record
        to_user = user_in_tenant(actor, to_username)
        require_recipient_access(to_user, record)
        if record.owner_id == to_user.pk:
            raise InvalidTransition(f"{to_username} already owns this record.")
        step = Transition.objects.create(
            tenant_id=actor.tenant_id,
            record=record,
            kind=Kind.ASSIGNMENT,
            status=Status.DONE,
            from_user=actor,
            to_user=to_user,
            note=note,
        )
        record_event(record, actor, "assign", {"owner": hand_over(record, to_user)})
        notify(
            [to_user],
            "assignment",
            f"{record.short_id} was assigned to you.",
            record=record,
            actor=actor,
        )
        return step


def refer(
    actor: User, record_id: str, to_username: str, forms: Sequence[str], note: str = ""
) -> Transition:
    """Share a chosen subset of forms with a user, typically of another agency."""
    check_text(note=note)
    with transaction.atomic():
        visible, workflow = workflow_record(actor, record_id, "refer")
        record = visible.record
        to_user = user_in_tenant(actor, to_username)
        if to_user.pk == actor.pk:
            raise InvalidTransition("You cannot refer a record to yourself.")
        schema = published_configuration(actor.tenant).schema_for(record.record_type)
        known = {f.key for f in schema.forms} if schema else set()
        unknown = sorted(set(forms) - known)
        if not forms or unknown:
            raise BadUserInput(
                f"Choose forms of this record to share; unknown: {unknown}.", field="forms"
            )
        require_recipient_access(to_user, record, forms)
        overridden = False
        if workflow.consent_field and record.data.get(workflow.consent_field) is not True:
            if not role_allows(actor, "override_consent", record.record_type):
                raise ConsentRequired(
                    "Consent to share with a referral is not recorded on this record.",
                    field=workflow.consent_field,
                )
            overridden = True
        if Transition.objects.filter(
            record=record,
            kind=Kind.REFERRAL,
            to_user=to_user,
            status__in=[Status.PENDING, Status.ACCEPTED],
        ).exists():
            raise InvalidTransition(f"This record is already referred to {to_username}.")
        step = Transition.objects.create(
            tenant_id=actor.tenant_id,
            record=record,
            kind=Kind.REFERRAL,
            status=Status.PENDING,
            from_user=actor,
            to_user=to_user,
            forms=sorted(set(forms)),
            note=note,
            consent_overridden=overridden,
        )
        record_event(
            record, actor, "refer", {"referral": [None, {"to": to_username, "forms": step.forms}]}
        )
        notify(
            [to_user],
            "referral",
            f"{record.short_id} was referred to you.",
            record=record,
            actor=actor,
        )
        return step


def _transition(actor: User, transition_id: str, kind: str) -> Transition:
    public_id = parse_id(transition_id)
    step = (
        Transition.objects.select_for_update()
        .select_related("record", "from_user", "to_user")
        .filter(public_id=public_id, kind=kind, tenant_id=actor.tenant_id)
        .first()
    )
    if step is None:
        raise NotFound(f"No {kind.replace('_', ' ')} {transition_id}.")
    return step


def _may_answer_for(actor: User, recipient: User, manage_action: str, record_type: str) -> bool:
    """The recipient, or a manager whose role may answer for users of their group."""
    if actor.pk == recipient.pk:
        return True
    if not role_allows(actor, manage_action, record_type):
        return False
    mine = set(actor.groups.values_list("pk", flat=True))
    return bool(mine & set(recipient.groups.values_list("pk", flat=True)))


def respond_to_referral(actor: User, referral_id: str, accept: bool, note: str = "") -> Transition:
    with transaction.atomic():
        step = _decide(actor, referral_id, Kind.REFERRAL, accept, note, "manage_referrals")
        record_event(
            step.record,
            actor,
            "referral_" + step.status,
            {"referral": [Status.PENDING, step.status]},
        )
        notify(
            [step.from_user],
            "referral_response",
            f"{step.to_user.username} {step.status} the referral of {step.record.short_id}.",
            record=step.record,
            actor=actor,
        )
        return step


def complete_referral(actor: User, referral_id: str, note: str = "") -> Transition:
    """The recipient marks an accepted referral done; their access ends."""
    with transaction.atomic():
        step = _transition(actor, referral_id, Kind.REFERRAL)
        if not _may_answer_for(actor, step.to_user, "manage_referrals", step.record.record_type):
            raise NotFound(f"No referral {referral_id}.")
        if step.status != Status.ACCEPTED:
            raise InvalidTransition(f"Only an accepted referral can be done; it is {step.status}.")
        step.status = Status.DONE
        _answer(step, actor, note)
        record_event(
            step.record, actor, "referral_done", {"referral": [Status.ACCEPTED, Status.DONE]}
        )
        return step


def revoke_referral(actor: User, referral_id: str, note: str = "") -> Transition:
    """The referrer (or someone who may refer this record) takes the referral back."""
    with transaction.atomic():
        step = _transition(actor, referral_id, Kind.REFERRAL)
        visible, _ = record_of_step(actor, step.record_id, "refer", f"No referral {referral_id}.")
        if step.status not in (Status.PENDING, Status.ACCEPTED):
            raise InvalidTransition(f"This referral is {step.status}; nothing to revoke.")
        old = step.status
        step.status = Status.REVOKED
        _answer(step, actor, note)
        record_event(visible.record, actor, "referral_revoked", {"referral": [old, "revoked"]})
        notify(
            [step.to_user],
            "referral_revoked",
            f"The referral of {visible.record.short_id} was revoked.",
            record=visible.record,
            actor=actor,
        )
        return step


def transfer(actor: User, record_id: str, to_username: str, note: str = "") -> Transition:
    """Offer the record to another user; ownership moves when they accept."""
    check_text(note=note)
    with transaction.atomic():
        visible, _ = workflow_record(actor, record_id, "transfer")
        record = visible.record
        to_user = user_in_tenant(actor, to_username)
        if to_user.pk == record.owner_id:
            raise InvalidTransition(f"{to_username} already owns this record.")
        require_recipient_access(to_user, record)
        if Transition.objects.filter(
            record=record, kind=Kind.TRANSFER, status=Status.PENDING
        ).exists():
            raise InvalidTransition("A transfer of this record is already pending.")
        step = Transition.objects.create(
            tenant_id=actor.tenant_id,
            record=record,
            kind=Kind.TRANSFER,
            status=Status.PENDING,
            from_user=actor,
            to_user=to_user,
            note=note,
        )
        record_event(record, actor, "transfer", {"transfer": [None, {"to": to_username}]})
        notify(
            [to_user],
            "transfer",
            f"{record.short_id} is being transferred to you.",
            record=record,
            actor=actor,
        )
        return step


def respond_to_transfer(actor: User, transfer_id: str, accept: bool, note: str = "") -> Transition:
    with transaction.atomic():
        step = _decide(actor, transfer_id, Kind.TRANSFER, accept, note, "manage_transfers")
        record = step.record
        changes: dict[str, list[object]] = {"transfer": [Status.PENDING, step.status]}
        if accept:
            changes["owner"] = hand_over(record, step.to_user)
        record_event(record, actor, "transfer_" + step.status, changes)
        notify(
            [step.from_user],
            "transfer_response",
            f"{step.to_user.username} {step.status} the transfer of {record.short_id}.",
            record=record,
            actor=actor,
        )
        return step


def request_transfer(actor: User, record_id: str, note: str = "") -> Transition:
    """Ask the owner of a record the actor can see to transfer it to them."""
    check_text(note=note)
    with transaction.atomic():
        visible, _ = workflow_record(actor, record_id, "request_transfer", full=False)
        record = visible.record
        if record.owner_id == actor.pk or record.owner is None:
            raise InvalidTransition("You already own this record.")
        if Transition.objects.filter(
            record=record, kind=Kind.TRANSFER_REQUEST, from_user=actor, status=Status.PENDING
        ).exists():
            raise InvalidTransition("You already asked for this record.")
        step = Transition.objects.create(
            tenant_id=actor.tenant_id,
            record=record,
            kind=Kind.TRANSFER_REQUEST,
            status=Status.PENDING,
            from_user=actor,
            to_user=record.owner,
            note=note,
        )
        record_event(
            record,
            actor,
            "transfer_request",
            {"transfer_request": [None, {"from": actor.username}]},
        )
        notify(
            [record.owner],
            "transfer_request",
            f"{actor.username} asks for {record.short_id} to be transferred to them.",
            record=record,
            actor=actor,
        )
        return step


def respond_to_transfer_request(
    actor: User, request_id: str, accept: bool, note: str = ""
) -> Transition:
    """The owner (or their manager) answers; accepting moves ownership to the requester."""
    with transaction.atomic():
        step = _decide(actor, request_id, Kind.TRANSFER_REQUEST, accept, note, "manage_transfers")
        record = step.record
        changes: dict[str, list[object]] = {"transfer_request": [Status.PENDING, step.status]}
        if accept:
            changes["owner"] = hand_over(record, step.from_user)
        record_event(record, actor, "transfer_request_" + step.status, changes)
        notify(
            [step.from_user],
            "transfer_response",
            f"Your request for {record.short_id} was {step.status}.",
            record=record,
            actor=actor,
        )
        return step


def hand_over(record: Record, new_owner: User) -> list[object]:
    """Make `new_owner` responsible; the record follows them into their agency and groups."""
    old_owner = record.owner.username if record.owner else None
    record.owner = new_owner
    record.agency_id = new_owner.agency_id
    record.group_ids = list(new_owner.groups.values_list("pk", flat=True))
    return [old_owner, new_owner.username]


def _decide(
    actor: User, step_id: str, kind: str, accept: bool, note: str, manage_action: str
) -> Transition:
    """Record the answer to a pending step addressed to the actor (or to one of their users)."""
    step = _transition(actor, step_id, kind)
    what = kind.replace("_", " ")
    if not _may_answer_for(actor, step.to_user, manage_action, step.record.record_type):
        raise NotFound(f"No {what} {step_id}.")
    if step.status != Status.PENDING:
        raise InvalidTransition(f"This {what} is {step.status}, not pending.")
    step.status = Status.ACCEPTED if accept else Status.REJECTED
    _answer(step, actor, note)
    return step


def _answer(step: Transition, actor: User, note: str) -> None:
    check_text(note=note)
    step.responded_at = timezone.now()
    step.responded_by = actor
    step.response_note = note
    step.save()


def referral_grants(user: User, record_type: str) -> dict[str, frozenset[str]]:
    """Records shared with the user: referral forms, or every form of a pending transfer.
    Read for every record type at once, once per request (a sync page plans every type)."""
    cache: dict[int, dict[str, dict[str, frozenset[str]]]] = request_state().setdefault(
        "referral_grants", {}
    )
    by_type = cache.get(user.pk)
    if by_type is None:
        by_type = cache[user.pk] = _grants_by_type(user)
    return by_type.get(record_type, {})


def _grants_by_type(user: User) -> dict[str, dict[str, frozenset[str]]]:
    """Plain SQL: every list and search builds a plan, and compiling this join through the
    ORM took longer than running it."""
    grants: dict[str, dict[str, set[str]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.record_type, t.record_id, t.kind, t.status, t.forms"
            " FROM workflows_transition t JOIN records_record r ON r.id = t.record_id"
            " WHERE t.tenant_id = %s AND t.to_user_id = %s AND t.kind = ANY(%s)"
            " AND t.status = ANY(%s)",
            [
                user.tenant_id,
                user.pk,
                [Kind.REFERRAL.value, Kind.TRANSFER.value],
                [Status.PENDING.value, Status.ACCEPTED.value],
            ],
        )
        steps = cursor.fetchall()
    for record_type, record_id, kind, status, raw_forms in steps:
        if kind == Kind.TRANSFER and status != Status.PENDING:
            continue
        forms = json.loads(raw_forms) if isinstance(raw_forms, str) else raw_forms
        shared = grants.setdefault(record_type, {}).setdefault(str(record_id), set())
        shared.update(forms if kind == Kind.REFERRAL else ["*"])
    return {
        record_type: {k: frozenset(v) for k, v in found.items()}
        for record_type, found in grants.items()
    }
