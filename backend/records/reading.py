"""The read service: the one door through which record values leave for any caller.

It applies scope, the AccessPlan and the field rules at every depth (subforms in subforms,
calculated fields readable only when all their inputs are), writes the access log, and
returns each record's permitted values with what the caller may not read. GraphQL, history,
and later sync, search, exports, reports and matching shape its output and build none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backend.accounts.models import User
from backend.audit.models import AccessLog
from backend.audit.services import log_access
from backend.errors import NotFound
from backend.records.access import (
    VisibleRecord,
    access_plan,
    get_any_record,
    get_record,
    record_schema,
    visible_records,
)
from backend.records.models import Record, RecordHistory
from backend.records.rows import RecordRow
from formengine import FieldPath
from permissions.plan import AccessKind, RecordAccess

# History actions whose diff holds form values; other actions (workflow steps) hold the
# step's own facts (owner, referral, flag, ...), which are not form fields.
DATA_ACTIONS = frozenset({"create", "update"})


@dataclass(frozen=True)
class RecordView:
    """One record as one caller may see it: `values` holds only permitted form values, at
    every depth, under their stored names."""

    record: Record
    access: RecordAccess
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RowView:
    """A `RecordRow` as one caller may see it: the same values as a `RecordView`."""

    row: RecordRow
    access: RecordAccess
    values: dict[str, Any]


@dataclass(frozen=True)
class HistoryView:
    entry: RecordHistory
    changes: dict[str, tuple[Any, Any]]


def permitted_value(value: Any, access: RecordAccess, path: FieldPath) -> Any:
    """A readable field's value, with the unreadable children of its subform entries (at any
    depth) left out. Entries hiding nothing are handed on as stored, not copied: the caller
    must not change them."""
    if path not in access.hiding or not (
        isinstance(value, list) and value and all(isinstance(e, Mapping) for e in value)
    ):
        return value
    keep = access.readable_children(path)
    return [
        {
            key: permitted_value(child, access, (*path, key)) if isinstance(child, list) else child
            for key, child in entry.items()
            if key == "uid" or key in keep
        }
        for entry in value
    ]


def permitted_values(data: Mapping[str, Any], access: RecordAccess) -> dict[str, Any]:
    readable = access.readable
    if not access.hiding and data.keys() <= readable:
        return dict(data)  # nothing to leave out, at any depth: copied whole, in C
    return {
        name: permitted_value(value, access, (name,)) if isinstance(value, list) else value
        for name, value in data.items()
        if name in readable
    }


def view_of(visible: VisibleRecord) -> RecordView:
    return RecordView(
        visible.record, visible.access, permitted_values(visible.record.data, visible.access)
    )


def read_record(user: User, record_type: str, record_id: str | uuid.UUID) -> RecordView:
    """One record of a type; NOT_FOUND when the user may not see it. Logged as a read."""
    view = view_of(get_record(user, record_type, record_id))
    log_access(user, [view.record], AccessLog.Action.READ)
    return view


def read_records(
    user: User,
    record_type: str,
    records: Sequence[Record],
    *,
    action: str = AccessLog.Action.LIST,
    detail: dict[str, Any] | None = None,
) -> list[RecordView]:
    """Records the caller fetched through `visible_records` (a page, a sync batch): each
    with the access the plan gives it now; those it gives none are left out."""
    plan = access_plan(user, record_type)
    views = []
    for record in records:
        access = plan.access(record)
        if access.kind is not AccessKind.NONE:
            views.append(RecordView(record, access, permitted_values(record.data, access)))
    log_access(user, [v.record for v in views], action, detail)
    return views


def read_rows(
    user: User, record_type: str, rows: Sequence[RecordRow], *, action: str = AccessLog.Action.LIST
) -> list[RowView]:
    """`read_records` for rows loaded as tuples (a sync page): the same plan, the same
    permitted values, the same access log."""
    plan = access_plan(user, record_type)
    views = []
    for row in rows:
        access = plan.access(row)
        if access.kind is not AccessKind.NONE:
            views.append(RowView(row, access, permitted_values(row.data, access)))
    log_access(user, [v.row for v in views], action)
    return views


def read_by_ids(user: User, record_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, RecordView]:
    """Records of any types by id, those the user may see (`node`, `nodes`): a query per
    record type however many ids, each logged as a read. Ids out of sight are left out."""
    wanted = list(record_ids)
    types = Record.objects.filter(tenant_id=user.tenant_id, pk__in=wanted).values_list(
        "pk", "record_type"
    )
    by_type: dict[str, list[uuid.UUID]] = {}
    for pk, record_type in types:
        by_type.setdefault(record_type, []).append(pk)
    views: dict[uuid.UUID, RecordView] = {}
    for record_type, pks in by_type.items():
        try:
            found = visible_records(user, record_type).select_related("owner").filter(pk__in=pks)
        except NotFound:  # a type no longer in use here
            continue
        for view in read_records(user, record_type, list(found), action=AccessLog.Action.READ):
            views[view.record.pk] = view
    return views


def present(user: User, record: Record) -> RecordView:
    """A record a write or workflow step just returned, as its caller may read it now."""
    plan = access_plan(user, record.record_type)
    access = plan.access(record)
    return RecordView(record, access, permitted_values(record.data, access))


def _changes(
    entry: RecordHistory, access: RecordAccess, schema_fields: Iterable[str]
) -> dict[str, tuple[Any, Any]]:
    known = set(schema_fields)
    changes: dict[str, tuple[Any, Any]] = {}
    for name, pair in entry.diff.items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, None)
        if entry.action in DATA_ACTIONS or name in known:
            if name not in access.readable:
                continue
            old = permitted_value(old, access, (name,))
            new = permitted_value(new, access, (name,))
        changes[name] = (old, new)
    return changes


def read_history(user: User, record_id: str | uuid.UUID) -> list[HistoryView]:
    """Every write to a record the user may see, oldest first, each change cut to what the
    user may read now (subform entries and calculated fields included)."""
    visible = get_any_record(user, record_id)
    log_access(user, [visible.record], AccessLog.Action.HISTORY)
    _, schema = record_schema(user, visible.record.record_type)
    entries = visible.record.history.select_related("actor").order_by("revision")
    return [HistoryView(e, _changes(e, visible.access, schema.fields)) for e in entries]
