"""The difference between two versions of one form, for machines and for people.

Subform entry fields appear with dotted names (`siblings.sibling_age`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class PropertyChange:
    property: str
    old: Any  # None when the property was absent
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"property": self.property, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class FieldSummary:
    name: str
    type: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type}


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    type: str  # the new type
    changes: tuple[PropertyChange, ...] = ()
    options_added: tuple[str, ...] = ()
    options_removed: tuple[str, ...] = ()
    options_relabelled: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "changes": [change.to_dict() for change in self.changes],
            "options": {
                "added": list(self.options_added),
                "removed": list(self.options_removed),
                "relabelled": list(self.options_relabelled),
            },
        }


@dataclass(frozen=True, slots=True)
class FormDiff:
    key: str
    form_changes: tuple[PropertyChange, ...]
    added_fields: tuple[FieldSummary, ...]
    removed_fields: tuple[FieldSummary, ...]
    changed_fields: tuple[FieldChange, ...]
    reordered: bool

    @property
    def is_empty(self) -> bool:
        return not (
            self.form_changes
            or self.added_fields
            or self.removed_fields
            or self.changed_fields
            or self.reordered
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "form_changes": [change.to_dict() for change in self.form_changes],
            "added_fields": [field.to_dict() for field in self.added_fields],
            "removed_fields": [field.to_dict() for field in self.removed_fields],
            "changed_fields": [field.to_dict() for field in self.changed_fields],
            "reordered": self.reordered,
        }

    def describe(self) -> str:
        """One line per change, for a person reviewing a new version."""
        lines = [f"~ form: {_describe_change(change)}" for change in self.form_changes]
        lines += [f"+ field '{f.name}' ({f.type}) added" for f in self.added_fields]
        lines += [
            f"- field '{f.name}' ({f.type}) removed: deprecated, its stored values stay readable"
            for f in self.removed_fields
        ]
        for field in self.changed_fields:
            subject = f"~ field '{field.name}'"
            lines += [f"{subject}: {_describe_change(change)}" for change in field.changes]
            lines += [f"{subject}: option '{o}' added" for o in field.options_added]
            lines += [
                f"{subject}: option '{o}' removed (stays readable on old records)"
                for o in field.options_removed
            ]
            lines += [f"{subject}: option '{o}' relabelled" for o in field.options_relabelled]
        if self.reordered:
            lines.append("~ fields reordered")
        return "\n".join(lines) if lines else "no changes"


def diff_versions(old: Mapping[str, Any], new: Mapping[str, Any]) -> FormDiff:
    form_changes = tuple(
        PropertyChange(key, old.get(key), new.get(key))
        for key in ("key", "record_type", "label", "help")
        if old.get(key) != new.get(key)
    )
    added: list[FieldSummary] = []
    removed: list[FieldSummary] = []
    changed: list[FieldChange] = []
    _diff_fields(_fields(old), _fields(new), "", added, removed, changed)
    old_order = [f.get("name") for f in _fields(old)]
    new_order = [f.get("name") for f in _fields(new)]
    common = set(old_order) & set(new_order)
    reordered = [n for n in old_order if n in common] != [n for n in new_order if n in common]
    return FormDiff(
        key=str(new.get("key", old.get("key", ""))),
        form_changes=form_changes,
        added_fields=tuple(added),
        removed_fields=tuple(removed),
        changed_fields=tuple(changed),
        reordered=reordered,
    )


def _fields(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    fields = doc.get("fields")
    return [f for f in fields if isinstance(f, Mapping)] if isinstance(fields, list) else []


def _diff_fields(
    old_fields: Sequence[Mapping[str, Any]],
    new_fields: Sequence[Mapping[str, Any]],
    prefix: str,
    added: list[FieldSummary],
    removed: list[FieldSummary],
    changed: list[FieldChange],
) -> None:
    old_by_name = {str(f.get("name")): f for f in old_fields}
    new_by_name = {str(f.get("name")): f for f in new_fields}
    for name, field in new_by_name.items():
        if name not in old_by_name:
            added.append(FieldSummary(prefix + name, str(field.get("type"))))
    for name, field in old_by_name.items():
        if name not in new_by_name:
            removed.append(FieldSummary(prefix + name, str(field.get("type"))))
    for name, new_field in new_by_name.items():
        old_field = old_by_name.get(name)
        if old_field is None:
            continue
        change = _diff_field(prefix + name, old_field, new_field)
        if change is not None:
            changed.append(change)
        _diff_fields(
            _fields(old_field), _fields(new_field), f"{prefix}{name}.", added, removed, changed
        )


def _diff_field(name: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> FieldChange | None:
    keys = [k for k in dict.fromkeys([*old, *new]) if k not in ("name", "options", "fields")]
    changes = [PropertyChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]
    old_options, new_options = old.get("options"), new.get("options")
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    relabelled: tuple[str, ...] = ()
    if isinstance(old_options, list) and isinstance(new_options, list):
        old_labels = {o.get("id"): o.get("label") for o in old_options if isinstance(o, Mapping)}
        new_labels = {o.get("id"): o.get("label") for o in new_options if isinstance(o, Mapping)}
        added = tuple(str(i) for i in new_labels if i not in old_labels)
        removed = tuple(str(i) for i in old_labels if i not in new_labels)
        relabelled = tuple(
            str(i) for i in new_labels if i in old_labels and old_labels[i] != new_labels[i]
        )
        old_common = [i for i in old_labels if i in new_labels]
        if old_common != [i for i in new_labels if i in old_labels]:
            changes.append(PropertyChange("options_order", list(old_labels), list(new_labels)))
    elif old_options != new_options:
        changes.append(PropertyChange("options", old_options, new_options))
    if not (changes or added or removed or relabelled):
        return None
    return FieldChange(name, str(new.get("type")), tuple(changes), added, removed, relabelled)


def _describe_change(change: PropertyChange) -> str:
    if change.property == "type":
        return (
            f"type changed from {change.old} to {change.new} "
            "(incompatible: a published field never changes type)"
        )
    if isinstance(change.old, Mapping) and isinstance(change.new, Mapping):
        return "; ".join(
            _describe_change(PropertyChange(f"{change.property} [{k}]", change.old.get(k), v))
            for k, v in {**dict.fromkeys(change.old), **change.new}.items()
            if change.old.get(k) != v
        )
    if change.old is None:
        return f"{change.property} set to {_show(change.new)}"
    if change.new is None:
        return f"{change.property} removed (was {_show(change.old)})"
    return f"{change.property} changed from {_show(change.old)} to {_show(change.new)}"


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
