"""Say where, in `extensions.redacted`, the response holds null for a value the caller may
not read: the fields the client selected that the read service withheld, by response path.
Computed from the query's selection once per resolved record, not per leaf.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionSetNode,
)

from formengine import FieldDefinition, FieldPath
from formengine.model import ATTACHMENT_TYPES
from graphql_schema.naming import field_name
from permissions.plan import RecordAccess

Path = list[str | int]
# `<field>Attachments` on record types and on entries of their top-level subforms
# (graphql_schema.attachments) reads its field's value.
ATTACHMENT_LIST_SUFFIX = "Attachments"


def _applies(condition: NamedTypeNode | None, info: GraphQLResolveInfo, on: str | None) -> bool:
    """A fragment on another object type (`... on Incident` where a Case sits) selects
    nothing here; one on an interface or union (`Node`, `AnyRecord`) does."""
    if condition is None or on is None or condition.name.value == on:
        return True
    return not isinstance(info.schema.get_type(condition.name.value), GraphQLObjectType)


def _fields(
    selection_set: SelectionSetNode | None, info: GraphQLResolveInfo, on: str | None = None
) -> Iterator[FieldNode]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            if _applies(selection.type_condition, info, on):
                yield from _fields(selection.selection_set, info, on)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            if fragment is not None and _applies(fragment.type_condition, info, on):
                yield from _fields(fragment.selection_set, info, on)


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def selections(nodes: Sequence[FieldNode], info: GraphQLResolveInfo, name: str) -> list[FieldNode]:
    """The fields called `name` selected under `nodes`."""
    return [f for node in nodes for f in _fields(node.selection_set, info) if f.name.value == name]


class Redactor:
    """For one record type: which selected fields the caller may not read, by response path
    (aliases followed), at every depth. What is readable is the read service's decision
    (`RecordAccess.may_read`); this only maps it onto the query's selection."""

    def __init__(self, fields: Iterable[FieldDefinition], type_name: str | None = None) -> None:
        self.type_name = type_name
        # Selections of one parsed document repeat for every record: flatten them once.
        # Keyed by the nodes' ids; each entry keeps its nodes alive, so that no id is reused
        # by another document's node while the entry stands.
        self._flat: dict[tuple[int, ...], tuple[Sequence[FieldNode], list[FieldNode]]] = {}
        self.levels: dict[FieldPath, dict[str, FieldDefinition]] = {}
        self._levels: dict[tuple[Any, ...], tuple[Any, RecordAccess, Any]] = {}
        self._collect(fields, ())

    def _collect(self, fields: Iterable[FieldDefinition], parent: FieldPath) -> None:
        level = self.levels.setdefault(parent, {})
        for definition in fields:
            level[field_name(definition.name)] = definition
            if len(parent) <= 1 and definition.type in ATTACHMENT_TYPES:
                level[field_name(definition.name) + ATTACHMENT_LIST_SUFFIX] = definition
            if definition.fields:
                self._collect(definition.fields, (*parent, definition.name))

    def _flatten(
        self, nodes: Sequence[FieldNode], info: GraphQLResolveInfo, on: str | None
    ) -> list[FieldNode]:
        key = tuple(id(n) for n in nodes)
        cached = self._flat.get(key)
        if cached is not None:
            return cached[1]
        flat = [f for n in nodes for f in _fields(n.selection_set, info, on)]
        if len(self._flat) > 512:
            self._flat.clear()
        self._flat[key] = (tuple(nodes), flat)
        return flat

    def _level(
        self,
        nodes: Sequence[FieldNode],
        info: GraphQLResolveInfo,
        access: RecordAccess,
        parent: FieldPath,
    ) -> tuple[list[str], list[tuple[FieldNode, FieldPath]]]:
        """For one selection at one level and one access: the response keys withheld, and
        the subforms whose entries withhold something (to look into, entry by entry). A
        page's records share their selection and, mostly, their access: worked out once."""
        key = (tuple(id(n) for n in nodes), id(access), parent)
        cached = self._levels.get(key)
        if cached is not None:
            return cached[2]
        withheld: list[str] = []
        deeper: list[tuple[FieldNode, FieldPath]] = []
        level = self.levels.get(parent, {})
        for node in self._flatten(nodes, info, None if parent else self.type_name):
            definition = level.get(node.name.value)
            if definition is None:
                continue
            path = (*parent, definition.name)
            if not access.may_read(path):
                withheld.append(_key(node))
            elif definition.fields and path in access.hiding:
                deeper.append((node, path))
        if len(self._levels) > 512:
            self._levels.clear()
        # the entry keeps its nodes and access alive, so that their ids are not reused
        self._levels[key] = (tuple(nodes), access, (withheld, deeper))
        return withheld, deeper

    def redacted_paths(
        self,
        nodes: Sequence[FieldNode],
        info: GraphQLResolveInfo,
        base: Path,
        access: RecordAccess,
        values: Mapping[str, Any],
        parent: FieldPath = (),
    ) -> list[Path]:
        withheld, deeper = self._level(nodes, info, access, parent)
        paths: list[Path] = [[*base, key] for key in withheld]
        for node, path in deeper:
            entries = values.get(path[-1])
            if not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                if isinstance(entry, Mapping):
                    paths += self.redacted_paths(
                        [node], info, [*base, _key(node), index], access, entry, path
                    )
        return paths


def response_key(node: FieldNode) -> str:
    return _key(node)
