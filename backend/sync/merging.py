"""The field-by-field three-way merge of a pushed change against the record as it stands.

The base is the revision the device last held; `field_revs` says which revision last changed
each field. A field of the change that nobody changed after the base is applied. A field
changed on the server after the base is a conflict when the two values differ, and nothing
to do when they agree. A subform is one field: its entries are not merged one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldConflict:
    name: str
    server_value: Any
    client_value: Any


@dataclass(frozen=True)
class Merge:
    apply: dict[str, Any] = field(default_factory=dict)  # the patch to write now
    conflicts: list[FieldConflict] = field(default_factory=list)


def merge_change(
    patch: Mapping[str, Any],
    coerced: Mapping[str, Any],
    stored: Mapping[str, Any],
    field_revs: Mapping[str, int],
    base_revision: int,
) -> Merge:
    """`patch` as the device sent it (stored names), `coerced` the data the whole patch would
    make (validated: values compare as stored), `stored` the data now."""
    merged = Merge()
    for name, raw in patch.items():
        if field_revs.get(name, 0) <= base_revision:
            merged.apply[name] = raw
        elif coerced.get(name) != stored.get(name):
            merged.conflicts.append(FieldConflict(name, stored.get(name), coerced.get(name)))
    return merged
