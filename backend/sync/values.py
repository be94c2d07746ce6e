"""A pushed change's `values` in the record's input shape, to a patch under stored names,
and stored values back to the client's words.

The input shape is that of `updateCase`'s input: camelCase field names at every depth,
subform entries with their `uid`, a tally as `[{key, count}]` (an object of counts is taken
as well). A name no field answers to is passed on unchanged, for validation to refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backend.errors import BadUserInput
from formengine import FieldDefinition, ValueKind, graphql_name


def _by_client_name(fields: Iterable[FieldDefinition]) -> dict[str, FieldDefinition]:
    return {graphql_name(d.name): d for d in fields}


def client_patch(fields: Iterable[FieldDefinition], values: object) -> dict[str, Any]:
    """The patch `values` means, under stored names; BAD_USER_INPUT if it is not an object."""
    if not isinstance(values, Mapping):
        raise BadUserInput("values must be an object of field to value.", field="values")
    return _patch(_by_client_name(fields), values)


def _patch(known: Mapping[str, FieldDefinition], values: Mapping[str, Any]) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for key, value in values.items():
        definition = known.get(key)
        if definition is None:
            patch[key] = value
        elif definition.fields and isinstance(value, list):
            inner = _by_client_name(definition.fields)
            patch[definition.name] = [
                _patch(inner, entry) if isinstance(entry, Mapping) else entry for entry in value
            ]
        elif definition.value_kind is ValueKind.TALLY and isinstance(value, list):
            patch[definition.name] = _tally(value)
        else:
            patch[definition.name] = value
    return patch


def _tally(counts: list[Any]) -> Any:
    if all(isinstance(c, Mapping) and set(c) == {"key", "count"} for c in counts):
        return {c["key"]: c["count"] for c in counts}
    return counts  # refused by validation as it stands


def client_value(definition: FieldDefinition | None, value: Any) -> Any:
    """A stored value in the input shape (what a client would push to set it)."""
    if definition is None or value is None:
        return value
    if definition.fields and isinstance(value, list):
        inner = {d.name: d for d in definition.fields}
        return [
            {
                ("uid" if key == "uid" else graphql_name(key)): client_value(inner.get(key), child)
                for key, child in entry.items()
            }
            if isinstance(entry, Mapping)
            else entry
            for entry in value
        ]
    if definition.value_kind is ValueKind.TALLY and isinstance(value, Mapping):
        return [{"key": key, "count": count} for key, count in value.items()]
    return value


def client_values(
    fields: Mapping[str, FieldDefinition], values: Mapping[str, Any]
) -> dict[str, Any]:
    """A record's (permitted) stored values, top level by stored name, in the input shape."""
    return client_shape(fields).of(values)


class ClientShape:
    """`client_values` for many records of one type: each field's client name and how its
    value is reshaped are worked out once (subform entries by a shape of their own), so a
    plain value costs one dict lookup."""

    def __init__(self, fields: Mapping[str, FieldDefinition]) -> None:
        # stored name -> (client name, entries' shape, the definition of a tally)
        self._names: dict[str, tuple[str, ClientShape | None, FieldDefinition | None]] = {}
        # stored name -> client name, for the fields whose values go as they are
        self._plain: dict[str, str] = {}
        for name, definition in fields.items():
            entries = (
                ClientShape({d.name: d for d in definition.fields}) if definition.fields else None
            )
            tally = definition if definition.value_kind is ValueKind.TALLY else None
            self._names[name] = (graphql_name(name), entries, tally)
            if entries is None and tally is None:
                self._plain[name] = graphql_name(name)

    def of(self, values: Mapping[str, Any]) -> dict[str, Any]:
        plain = self._plain
        shaped = {plain[name]: value for name, value in values.items() if name in plain}
        if len(shaped) == len(values):
            return shaped
        names = self._names
        for name, value in values.items():
            if name in plain:
                continue
            known = names.get(name)
            if known is None:
                shaped["uid" if name == "uid" else graphql_name(name)] = value
                continue
            client, entries, tally = known
            if value is None or (entries is None and tally is None):
                shaped[client] = value
            elif entries is not None and isinstance(value, list):
                shaped[client] = [
                    entries.of(entry) if isinstance(entry, Mapping) else entry for entry in value
                ]
            else:
                shaped[client] = client_value(tally, value)
        return shaped


def client_shape(fields: Mapping[str, FieldDefinition]) -> ClientShape:
    return ClientShape(fields)


def conflict_value(entry: str, child: str, value: Any) -> Any:
    """Of a top-level value, what a conflict names: the value itself, or one subform
    entry (by uid), or one field of that entry; None when the entry is gone."""
    if not entry:
        return value
    found = next((e for e in value or () if isinstance(e, Mapping) and e.get("uid") == entry), None)
    if found is None or not child:
        return found
    return found.get(child)


def entry_client_value(definition: FieldDefinition | None, child: str, value: Any) -> Any:
    """`client_value` of what a conflict names: a top-level value, a whole subform entry,
    or one field (`child`) of an entry."""
    if definition is not None and child:
        inner = {d.name: d for d in definition.fields}
        return client_value(inner.get(child), value)
    if definition is not None and definition.fields and isinstance(value, Mapping):
        return client_value(definition, [value])[0]
    return value if definition is None else client_value(definition, value)
