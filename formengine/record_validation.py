"""Server-side validation of a write to a record: patch, coerce, calculate, check.

Patch semantics: a key absent from the patch leaves the stored value unchanged; `null` (or
"") clears it. A subform value replaces the list of entries; each entry is itself a patch of
the stored entry with the same `uid` (absent keys unchanged), an entry without `uid` is new
and gets one, and a stored entry missing from the list is deleted.

What is kept, never dropped:
- values of fields hidden by `visible_if` are kept and still validated when written; only
  `required` depends on visibility (a hidden field is never required);
- stored values of deprecated fields and of keys no form knows (data from older versions)
  stay untouched; writing them is an error, echoing the stored value back is not;
- stored option ids that are no longer offered stay valid on that record.

Calculated fields are computed here and cannot be written (echoing the stored value is
accepted, so clients may send back a whole record).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from formengine.calculations import apply_calculations
from formengine.coercion import ValueContext, coerce_value, is_empty
from formengine.conditions import evaluate_condition
from formengine.errors import FieldError
from formengine.errors import ValueCode as Code
from formengine.model import FieldDefinition, FieldType
from formengine.record_schema import RecordSchema
from formengine.references import KnownReferences

SUBFORM_UID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


@dataclass(frozen=True)
class RecordValidation:
    data: dict[str, Any]  # the merged, coerced data, calculated values included
    errors: list[FieldError]
    # Field name -> (old, new) for every top-level value that changed, calculated ones included.
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def new_subform_uid() -> str:
    return uuid.uuid4().hex


def validate_record(
    schema: RecordSchema,
    current_data: Mapping[str, Any],
    patch: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    new_uid: Callable[[], str] = new_subform_uid,
    location_exists: Callable[[str], bool] | None = None,
    user_exists: Callable[[str], bool] | None = None,
    references: KnownReferences | None = None,
) -> RecordValidation:
    """Apply `patch` to `current_data` and validate the result; all errors at once.

    `today` and `now` (aware) are the reference for `not_future` and `$today`; they default
    to the current UTC time. `location_exists` and `user_exists`, when given, check that
    location codes and usernames exist. `references`, when given, is what exists among the
    locations and option-source values the patch names (see references.py); without it
    only their form is checked.
    """
    now = now or dt.datetime.now(dt.UTC)
    context = ValueContext(
        today=today or now.date(),
        now=now,
        options=schema.option_set,
        location_exists=location_exists,
        user_exists=user_exists,
        references=references,
    )
    writer = _PatchWriter(context, new_uid)
    data = copy.deepcopy(dict(current_data))
    writer.apply(schema.fields, current_data, patch, data, "")
    current_fields = schema.current_fields
    apply_calculations(current_fields, data, context.today)
    _check_required(current_fields, [data], "", writer.errors)
    changes = {
        name: (current_data.get(name), data.get(name))
        for name in dict.fromkeys([*current_data, *data])
        if current_data.get(name) != data.get(name)
    }
    return RecordValidation(data, writer.errors, changes)


@dataclass
class _PatchWriter:
    context: ValueContext
    new_uid: Callable[[], str]
    errors: list[FieldError] = field(default_factory=list)

    def apply(
        self,
        fields: Mapping[str, FieldDefinition],
        stored: Mapping[str, Any],
        patch: Mapping[str, Any],
        target: dict[str, Any],
        prefix: str,
    ) -> None:
        for name, raw in patch.items():
            path = f"{prefix}{name}"
            definition = fields.get(name)
            echo = name in stored and stored[name] == raw
            if definition is None:
                if not echo:
                    self._error(path, Code.UNKNOWN_FIELD, f"no field '{name}' in this form set")
            elif definition.type == FieldType.SEPARATOR:
                self._error(path, Code.DISPLAY_ONLY_FIELD, f"'{name}' is display only")
            elif definition.is_calculated:
                if not echo:
                    self._error(
                        path,
                        Code.CALCULATED_FIELD_READ_ONLY,
                        f"'{name}' is calculated by the server and cannot be written",
                    )
            elif definition.deprecated:
                if not echo:
                    self._error(
                        path,
                        Code.DEPRECATED_FIELD_READ_ONLY,
                        f"'{name}' is deprecated ({definition.deprecation_reason})",
                    )
            else:
                self._write(definition, stored.get(name), raw, target, path)

    def _write(
        self,
        definition: FieldDefinition,
        old: Any,
        raw: Any,
        target: dict[str, Any],
        path: str,
    ) -> None:
        value: Any
        if definition.type == FieldType.SUBFORM:
            value, ok = (
                (None, True) if raw in (None, "", []) else self._entries(definition, old, raw, path)
            )
        else:
            value, errors = coerce_value(definition, raw, old, path, self.context)
            self.errors += errors
            ok = not errors
        if not ok:
            return
        if value is None:
            target.pop(definition.name, None)
        else:
            target[definition.name] = value

    def _entries(
        self, subform: FieldDefinition, old: Any, raw: Any, path: str
    ) -> tuple[list[dict[str, Any]], bool]:
        if not isinstance(raw, list):
            self._error(path, Code.INVALID_SUBFORM_ENTRIES, "must be a list of entries")
            return [], False
        stored_entries = {
            entry.get("uid"): entry
            for entry in (old if isinstance(old, list) else [])
            if isinstance(entry, Mapping)
        }
        entries: list[dict[str, Any]] = []
        seen: set[str] = set()
        fields = {child.name: child for child in subform.fields}
        for index, raw_entry in enumerate(raw):
            if not isinstance(raw_entry, Mapping):
                self._error(
                    f"{path}[{index}]", Code.INVALID_SUBFORM_ENTRIES, "an entry is an object"
                )
                continue
            uid = raw_entry.get("uid")
            if uid is None:
                uid = self.new_uid()
            elif not _is_uid(uid):
                self._error(
                    f"{path}[{index}].uid",
                    Code.INVALID_SUBFORM_UID,
                    "a uid is 1 to 64 letters, digits, _ or -",
                )
                continue
            if uid in seen:
                self._error(
                    f"{path}[{index}].uid", Code.DUPLICATE_SUBFORM_UID, f"uid '{uid}' is repeated"
                )
                continue
            seen.add(uid)
            stored = stored_entries.get(uid, {})
            entry = copy.deepcopy(dict(stored))
            entry["uid"] = uid
            entry_patch = {k: v for k, v in raw_entry.items() if k != "uid"}
            self.apply(fields, stored, entry_patch, entry, f"{path}[uid={uid}][{index}].")
            entries.append(entry)
        # Entries apply even when some of their values were rejected (those keep their stored
        # value), so that "required" is checked on the entries as written.
        return entries, True

    def _error(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))


def _is_uid(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(SUBFORM_UID_PATTERN, value) is not None


def _check_required(
    fields: Sequence[FieldDefinition],
    scopes: list[dict[str, Any]],
    prefix: str,
    errors: list[FieldError],
) -> None:
    """`required` on the merged data, for visible fields only, into visible subforms."""
    data = scopes[0]
    for definition in fields:
        if definition.deprecated or not definition.stores_value:
            continue
        if definition.visible_if is not None and not evaluate_condition(
            definition.visible_if, scopes
        ):
            continue
        value = data.get(definition.name)
        path = f"{prefix}{definition.name}"
        if definition.required and is_empty(value) and not _has_error(errors, path):
            errors.append(FieldError(path, Code.FIELD_REQUIRED, "is required"))
        if definition.type == FieldType.SUBFORM and isinstance(value, list):
            for index, entry in enumerate(value):
                if isinstance(entry, dict):
                    entry_prefix = f"{path}[uid={entry.get('uid')}][{index}]."
                    _check_required(definition.fields, [entry, *scopes], entry_prefix, errors)


def _has_error(errors: Sequence[FieldError], path: str) -> bool:
    """Whether the written value at `path` was rejected (then "required" would be noise)."""
    return any(e.path == path or e.path.startswith((f"{path}[", f"{path}.")) for e in errors)
