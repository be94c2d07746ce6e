"""Values a write names that live outside the forms: location codes, usernames of `user`
fields, and the values of option fields that take their options from a source (agencies,
users, locations).

The form engine cannot know what exists; the server collects the values one write names
(`referenced_values`), looks them up (one query per source, never the whole registry) and
passes what exists back as `KnownReferences`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from formengine.model import FieldDefinition, FieldType

AGENCIES, USERS, LOCATIONS = "agencies", "users", "locations"


@dataclass(frozen=True, slots=True)
class KnownReferences:
    """Which of the referenced values exist: agency codes, usernames (of active users),
    location code -> level."""

    agencies: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()
    locations: Mapping[str, int] = field(default_factory=dict)


def reference_source(definition: FieldDefinition) -> str | None:
    """The source a field's values refer to, if any."""
    if definition.type == FieldType.LOCATION:
        return LOCATIONS
    if definition.type == FieldType.USER:
        return USERS
    return definition.source


def referenced_values(
    fields: Mapping[str, FieldDefinition], patch: Mapping[str, Any]
) -> dict[str, set[str]]:
    """Source -> the values `patch` names for it, at every depth (malformed values skipped:
    validation reports them)."""
    found: dict[str, set[str]] = {}
    _collect(fields, patch, found)
    return found


def _collect(
    fields: Mapping[str, FieldDefinition], patch: Mapping[str, Any], found: dict[str, set[str]]
) -> None:
    for name, raw in patch.items():
        definition = fields.get(name)
        if definition is None:
            continue
        if definition.type == FieldType.SUBFORM:
            children = {child.name: child for child in definition.fields}
            for entry in raw if isinstance(raw, list) else ():
                if isinstance(entry, Mapping):
                    _collect(children, entry, found)
            continue
        source = reference_source(definition)
        if source is None:
            continue
        values = raw if isinstance(raw, list | tuple) else [raw]
        found.setdefault(source, set()).update(
            v.strip() for v in values if isinstance(v, str) and v.strip()
        )
