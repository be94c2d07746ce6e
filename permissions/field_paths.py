"""Which fields of a record type a user may read and write, at every depth, as paths.

A path is a tuple of stored names: `("services",)`, `("services", "service_type")`, and for a
subform inside a subform `("family_details", "documents", "document_number")`. A child is
readable only when its subform is; a calculated field only when every field it reads is, so
that `age` never reveals a date of birth the user may not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from formengine import FieldDefinition, FieldPath, RecordSchema, calculation_inputs

Predicate = Callable[[FieldDefinition], bool]


@dataclass(frozen=True)
class FieldPaths:
    readable: frozenset[FieldPath]
    writable: frozenset[FieldPath]
    # calculated field -> the fields it reads
    inputs: Mapping[FieldPath, Sequence[FieldPath]] = field(default_factory=dict)
    # every field of the record type, readable or not
    all_paths: frozenset[FieldPath] = frozenset()
    _limited: dict[frozenset[str], FieldPaths] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @cached_property
    def hiding(self) -> frozenset[FieldPath]:
        """The subforms with an unreadable field somewhere inside their entries: only
        their entries need filtering (and their redactions listing)."""
        return frozenset(
            hidden[:depth]
            for hidden in self.all_paths - self.readable
            for depth in range(1, len(hidden))
        )

    def limited_to(self, top_level: frozenset[str]) -> FieldPaths:
        """The same rules for a caller who may see only the top-level fields `top_level`
        (a referral's forms): a calculated field whose inputs fall outside goes too."""
        found = self._limited.get(top_level)
        if found is None:
            found = self._limited[top_level] = self._limit(top_level)
        return found

    def _limit(self, top_level: frozenset[str]) -> FieldPaths:
        readable = {p for p in self.readable if p[0] in top_level}
        changed = True
        while changed:
            dropped = {
                path
                for path in readable
                if not all(source in readable for source in self.inputs.get(path, ()))
                or (len(path) > 1 and path[:-1] not in readable)
            }
            readable -= dropped
            changed = bool(dropped)
        return FieldPaths(
            frozenset(readable),
            frozenset(p for p in self.writable if p in readable),
            self.inputs,
            self.all_paths,
        )


def _walk(
    fields: Iterable[FieldDefinition], parent: FieldPath = ()
) -> Iterable[tuple[FieldPath, FieldDefinition]]:
    for definition in fields:
        path = (*parent, definition.name)
        yield path, definition
        yield from _walk(definition.fields, path)


def field_paths(
    schema: RecordSchema,
    top_level_readable: Callable[[str], bool],
    top_level_writable: Callable[[str], bool],
    visible: Predicate,
    editable: Predicate,
) -> FieldPaths:
    """`top_level_*` decide by form access; `visible` / `editable` by the field's own rules."""
    shown: set[FieldPath] = set()
    definitions: dict[FieldPath, FieldDefinition] = {}
    for path, definition in _walk(schema.fields.values()):
        definitions[path] = definition
        parent_shown = len(path) == 1 or path[:-1] in shown
        top_ok = top_level_readable(path[0])
        if parent_shown and top_ok and visible(definition):
            shown.add(path)

    inputs = calculation_inputs(list(schema.fields.values()))
    readable: dict[FieldPath, bool] = {}

    def is_readable(path: FieldPath, seen: frozenset[FieldPath] = frozenset()) -> bool:
        if path in readable:
            return readable[path]
        ok = path in shown and path not in seen
        if ok and len(path) > 1:
            ok = is_readable(path[:-1], seen | {path})
        if ok and path in inputs:
            ok = all(is_readable(source, seen | {path}) for source in inputs[path])
        readable[path] = ok
        return ok

    readable_paths = frozenset(p for p in definitions if is_readable(p))
    writable_paths = frozenset(
        path
        for path in readable_paths
        if top_level_writable(path[0])
        and all(editable(definitions[path[:i]]) for i in range(1, len(path) + 1))
    )
    return FieldPaths(readable_paths, writable_paths, inputs, frozenset(definitions))
