"""Null out what the plan does not let the caller read, and say where, in `extensions.redacted`.

The paths are computed from the query's selection once per resolved record, not per leaf:
the fields the client selected that the caller may not read are listed by response path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

from graphql_schema.naming import field_name

Path = list[str | int]


def _fields(
    selection_set: SelectionSetNode | None, info: GraphQLResolveInfo
) -> Iterator[FieldNode]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, info)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, info)


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def selections(nodes: Sequence[FieldNode], info: GraphQLResolveInfo, name: str) -> list[FieldNode]:
    """The fields called `name` selected under `nodes`."""
    return [f for node in nodes for f in _fields(node.selection_set, info) if f.name.value == name]


class Redactor:
    """Knows, for one record type, which selected fields map to which stored fields."""

    def __init__(self, field_names: Sequence[str], subform_children: dict[str, Sequence[str]]):
        # Selections of one parsed document repeat for every record: flatten them once.
        self._flat: dict[tuple[int, ...], list[FieldNode]] = {}
        self.by_graphql = {field_name(n): n for n in field_names}
        self.children = {
            name: {field_name(c): c for c in kids} for name, kids in subform_children.items()
        }

    def redacted_paths(
        self,
        record_nodes: Sequence[FieldNode],
        info: GraphQLResolveInfo,
        base: Path,
        readable: frozenset[str],
        hidden_children: frozenset[str],
        values: dict[str, Any],
    ) -> list[Path]:
        paths: list[Path] = []
        key = tuple(id(n) for n in record_nodes)
        flat = self._flat.get(key)
        if flat is None:
            flat = [f for n in record_nodes for f in _fields(n.selection_set, info)]
            if len(self._flat) > 512:
                self._flat.clear()
            self._flat[key] = flat
        for node in flat:
            name = self.by_graphql.get(node.name.value)
            if name is None:
                continue
            if name not in readable:
                paths.append([*base, _key(node)])
                continue
            kids = self.children.get(name)
            entries = values.get(name)
            if not kids or not isinstance(entries, list):
                continue
            for child in _fields(node.selection_set, info):
                child_name = kids.get(child.name.value)
                if child_name and f"{name}.{child_name}" in hidden_children:
                    paths += [[*base, _key(node), i, _key(child)] for i in range(len(entries))]
        return paths


def response_key(node: FieldNode) -> str:
    return _key(node)
