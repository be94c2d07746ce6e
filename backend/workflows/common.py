"""What every workflow step shares: the record through the plan, the action, the history."""

from __future__ import annotations

from typing import Any

from backend.accounts.models import User
from backend.errors import Forbidden, NotFound
from backend.records.access import VisibleRecord, get_any_record
from backend.records.models import Record
from backend.records.revisions import append_revision
from backend.workflows.config import Workflow, workflow_of
from backend.workflows.errors import InvalidTransition
from permissions.actions import require_action
from permissions.plan import AccessKind


def workflow_record(
    user: User, record_id: str, action: str, *, full: bool = True
) -> tuple[VisibleRecord, Workflow]:
    """The record, visible to the user, of a type with workflows, locked for the change.

    NOT_FOUND when the user cannot see it; FORBIDDEN when the role lacks the action; with
    `full`, a record the user sees only through a referral is FORBIDDEN too.
    """
    visible = get_any_record(user, record_id)
    record_type = visible.record.record_type
    workflow = workflow_of(user.tenant)
    if record_type not in workflow.record_types:
        raise InvalidTransition(
            f"{record_type.replace('_', ' ').capitalize()} records have no workflow here."
        )
    require_action(user, action, record_type)
    if full and visible.access.kind is not AccessKind.FULL:
        raise Forbidden(f"Only those responsible for the record may {action} it.", action=action)
    locked = Record.objects.select_for_update(no_key=True).get(pk=visible.record.pk)
    return VisibleRecord(locked, visible.access), workflow


def record_of_step(
    user: User, record_id: object, action: str, missing: str
) -> tuple[VisibleRecord, Workflow]:
    """The record behind a flag or referral; NOT_FOUND names the step, never the record id."""
    try:
        return workflow_record(user, str(record_id), action)
    except NotFound:
        raise NotFound(missing) from None


def user_in_tenant(actor: User, username: str, field: str = "toUser") -> User:
    user = (
        User.objects.select_related("role", "agency", "tenant")
        .filter(tenant_id=actor.tenant_id, username=username, is_active=True)
        .first()
    )
    if user is None:
        raise NotFound(f"No active user {username!r}.", field=field)
    return user


def record_event(
    record: Record,
    actor: User,
    action: str,
    changes: dict[str, list[Any]],
    *,
    source: str = "web",
) -> None:
    """Write the step to the record's history, as a new revision, and move its sync cursor."""
    append_revision(record, changes, actor=actor, source=source, action=action)
