"""Merging two registrations of one person: the kept record takes, field by field, the
value the caller chose, the entries of both records' subforms (united by uid), and the
other record's workflows; the other record is tombstoned and points to the kept one.

The kept record changes through validation and the write guard like any update, so a merge
writes nothing the caller may not write; a value is taken from the other record only where
the caller may read it there. Both histories say what happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.attachments.models import Attachment
from backend.error_codes import ErrorCode
from backend.errors import BadUserInput, DomainError, Forbidden
from backend.matching.decisions import InvalidMatchPair, visible_pair
from backend.matching.models import MatchDecision
from backend.records.access import VisibleRecord, record_schema
from backend.records.models import Record
from backend.records.references import record_location_field, record_location_path
from backend.records.revisions import append_revision
from backend.records.services import check_update
from backend.records.signals import record_changed
from backend.workflows.models import Approval, FamilyMember, Flag, Transition
from formengine import FieldError, RecordSchema
from formengine.model import graphql_name
from permissions.actions import require_action
from permissions.plan import AccessKind

CHOICES = ("keep", "other")


class MergeRefused(DomainError):
    """The merged values break validation or the write guard (each problem listed)."""

    code = ErrorCode.BAD_USER_INPUT


def _choice_problem(name: str, code: str, message: str) -> dict[str, Any]:
    return {"path": ["choices", graphql_name(name)], "code": code, "message": message}


def merged_patch(
    schema: RecordSchema, keep: Record, other: VisibleRecord, choices: Mapping[str, Any]
) -> dict[str, Any]:
    """The patch that makes the kept record the merge: each value chosen from the other
    record, and every subform entry of the other record the kept one lacks."""
    fields = {f.name: f for f in schema.current_fields if f.stores_value}
    client_names = {graphql_name(name): name for name in fields}
    problems = []
    patch: dict[str, Any] = {}
    for key, choice in choices.items():
        name = client_names.get(str(key), str(key))
        definition = fields.get(name)
        if definition is None:
            problems.append(
                _choice_problem(name, ErrorCode.BAD_USER_INPUT, f"No field {name!r} to choose.")
            )
        elif definition.type == "subform":
            problems.append(
                _choice_problem(
                    name, ErrorCode.BAD_USER_INPUT, "Subform entries are united, not chosen."
                )
            )
        elif choice not in CHOICES:
            problems.append(_choice_problem(name, ErrorCode.BAD_USER_INPUT, '"keep" or "other".'))
        elif choice == "other" and not other.access.may_read((name,)):
            problems.append(
                _choice_problem(
                    name, ErrorCode.FORBIDDEN_FIELD, "You may not read this field there."
                )
            )
        elif choice == "other" and other.record.data.get(name) != keep.data.get(name):
            patch[name] = other.record.data.get(name)
    if problems:
        raise MergeRefused(f"The choices have {len(problems)} problem(s).", errors=problems)
    for name, definition in fields.items():
        if definition.type != "subform":
            continue
        kept = [e for e in keep.data.get(name) or () if isinstance(e, Mapping)]
        uids = {e.get("uid") for e in kept}
        added = [
            dict(e)
            for e in other.record.data.get(name) or ()
            if isinstance(e, Mapping) and e.get("uid") not in uids
        ]
        if added:
            patch[name] = [*kept, *added]
    return patch


def _refused(errors: list[FieldError]) -> MergeRefused:
    return MergeRefused(
        f"The merged record has {len(errors)} problem(s).",
        errors=[
            {
                "path": ["choices", e.path],
                "code": e.code,
                "message": e.message,
            }
            for e in errors
        ],
    )


def move_workflows(other: Record, keep: Record) -> None:
    """Transitions, approvals, flags, notes, attachments and family memberships of the
    other record become the kept record's."""
    for model in (Transition, Approval, Flag, Attachment):
        model.objects.filter(record=other).update(record=keep)
    # Notes are append-only (the runtime role may not update them): copied, dates kept.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflows_note"
            " (public_id, tenant_id, record_id, author_id, subject, body, created_at)"
            " SELECT gen_random_uuid(), tenant_id, %s, author_id, subject, body, created_at"
            " FROM workflows_note WHERE record_id = %s ORDER BY created_at, id",
            [keep.pk, other.pk],
        )
    families = FamilyMember.objects.filter(record=keep).values_list("family_id", flat=True)
    FamilyMember.objects.filter(record=other, family_id__in=list(families)).delete()
    FamilyMember.objects.filter(record=other).update(record=keep)


def merge_duplicates(
    user: User, keep_id: str | uuid.UUID, other_id: str | uuid.UUID, choices: Any
) -> Record:
    """Merge `other` into `keep` (two records of one type, both in the caller's full
    access); `choices` maps field names (stored or GraphQL) to "keep" (the default) or
    "other"."""
    if not isinstance(choices, Mapping):
        raise BadUserInput('choices maps field names to "keep" or "other".', field="choices")
    with transaction.atomic():
        kept, other = visible_pair(user, keep_id, other_id)
        record_type = kept.record.record_type
        if other.record.record_type != record_type:
            raise InvalidMatchPair("Only two records of one type can be merged.", field="other")
        require_action(user, "write", record_type)
        if kept.access.kind is not AccessKind.FULL or other.access.kind is not AccessKind.FULL:
            raise Forbidden("Only those responsible for both records may merge them.")
        configuration, schema = record_schema(user, record_type)
        keep = kept.record
        patch = merged_patch(schema, keep, other, choices)
        checked = check_update(user, configuration, schema, kept, patch)
        if checked.errors:
            raise _refused(checked.errors)
        result = checked.result
        keep.data = result.data
        if record_location_field(user.tenant, checked.schema) in result.changes:
            keep.location_path = record_location_path(user.tenant, checked.schema, result.data)
        move_workflows(other.record, keep)
        append_revision(
            keep,
            {**result.changes, "merged_from": [None, str(other.record.pk)]},
            actor=user,
            source="web",
            action="merge",
            data_fields=result.changes,
        )
        gone = other.record
        gone.deleted_at = timezone.now()
        gone.merged_into = keep
        append_revision(
            gone,
            {"merged_into": [None, str(keep.pk)]},
            actor=user,
            source="web",
            action="merged_into",
        )
        store_decision_row(user, keep, gone)
        if result.changes:
            record_changed.send(sender=Record, record=keep, actor=user)
    return keep


def store_decision_row(user: User, keep: Record, gone: Record) -> None:
    """The pair is merged: the decision row says so (histories are written above)."""
    first, second = sorted((keep, gone), key=lambda r: str(r.pk))
    MatchDecision.objects.update_or_create(
        tenant_id=user.tenant_id,
        first=first,
        second=second,
        defaults={"decision": MatchDecision.Decision.MERGED, "actor": user},
    )
