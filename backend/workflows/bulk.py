"""Bulk steps over up to 100 records, with a result for each record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction

from backend.errors import BadUserInput, DomainError

MAX_BULK = 100


@dataclass(frozen=True)
class BulkOutcome:
    record_id: str
    ok: bool
    code: str | None = None
    message: str | None = None


def for_each_record(record_ids: Sequence[str], step: Callable[[str], object]) -> list[BulkOutcome]:
    """Run a step per record, each in its own savepoint: one failure spoils no other record."""
    if not record_ids or len(record_ids) > MAX_BULK:
        raise BadUserInput(f"Give between 1 and {MAX_BULK} records.", field="ids")
    if len(set(record_ids)) != len(record_ids):
        raise BadUserInput("A record is listed twice.", field="ids")
    outcomes = []
    for record_id in record_ids:
        try:
            with transaction.atomic():
                step(record_id)
        except DomainError as error:
            outcomes.append(BulkOutcome(record_id, False, error.code, error.message))
        else:
            outcomes.append(BulkOutcome(record_id, True))
    return outcomes
