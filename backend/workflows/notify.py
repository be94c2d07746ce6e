"""Alerts and e-mail for workflow steps, through the notifications outbox."""

from __future__ import annotations

from collections.abc import Iterable

from backend.accounts.models import User
from backend.records.models import Record


def notify(
    recipients: Iterable[User],
    kind: str,
    message: str,
    *,
    record: Record | None = None,
    actor: User | None = None,
) -> None:
    from backend.notifications.services import notify as send

    send(recipients, kind, message, record=record, actor=actor)
