"""Query cost, in the style of Saleor: what a document asks the server to produce.

Each field costs 1. A field with a `first` (or `last`) argument multiplies the cost of what
it selects by that page size (its default when absent); any other list of objects (a
record's transitions, approvals, flags, notes and alerts, subform entries, form metadata)
multiplies by LIST_ESTIMATE. A connection's `edges` (and a sync page's `items` and
`tombstones`) is the page itself, already counted by `first`. Introspection costs nothing,
so GraphiQL and code generators always work.

Computed before validation, on a document within the size limits: an unknown field costs 1,
a fragment that spreads itself adds nothing the second time (validation refuses both), and a
document nested deeper than MAX_NESTING is refused here rather than walked.
"""

from __future__ import annotations

import weakref
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
    value_from_ast_untyped,
)

from backend.records.paging import DEFAULT_PAGE_SIZE
from graphql_schema.limits.errors import QueryTooComplex

LIST_ESTIMATE = 10
# Fields and fragment spreads inside one another; far above what the depth limit allows.
MAX_NESTING = 100
# Costs saturate here: a document asking pages of 2**31 inside each other must still get a
# cost a JSON client can read (and be refused), not a number no encoder writes.
COST_CEILING = 2**53
INT_MAX = 2**31 - 1  # GraphQL Int: a larger literal is refused by validation anyway
PAGE_ARGUMENTS = ("first", "last")
# Lists that are the page itself, already counted by the `first` of the field above them.
PAGE_LISTS = frozenset({"edges"})
PAGE_LISTS_OF = {"SyncPage": frozenset({"items", "tombstones"})}


class QueryCost:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None
    ) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._fragment_costs: dict[str, int] = {}

    def of_operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return self._selections(operation.selection_set, root, 0) if root else 0

    def _selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None, depth: int
    ) -> int:
        if selection_set is None:
            return 0
        if depth > MAX_NESTING:
            raise QueryTooComplex(f"The document nests more than {MAX_NESTING} levels deep.")
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, depth + 1)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self._selections(selection.selection_set, inner, depth + 1)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value, depth + 1)
        return min(COST_CEILING, total)

    def _fragment(self, name: str, depth: int) -> int:
        if name not in self._fragment_costs:
            self._fragment_costs[name] = 0  # a spread inside itself adds nothing
            fragment = self.fragments.get(name)
            if fragment is not None:
                condition = self.schema.get_type(fragment.type_condition.name.value)
                self._fragment_costs[name] = self._selections(
                    fragment.selection_set, condition, depth
                )
        return self._fragment_costs[name]

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None, depth: int) -> int:
        if node.name.value.startswith("__"):
            return 0
        definition = (
            parent.fields.get(node.name.value)
            if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
            else None
        )
        if definition is None:
            return 1
        children = self._selections(node.selection_set, get_named_type(definition.type), depth)
        multiplier = self._multiplier(node, definition, parent.name if parent else "")
        return min(COST_CEILING, 1 + multiplier * children)

    def _multiplier(self, node: FieldNode, definition: GraphQLField, parent: str) -> int:
        paging = [name for name in PAGE_ARGUMENTS if name in definition.args]
        if paging:
            return self._page_size(node, paging, definition)
        name = node.name.value
        if name in PAGE_LISTS or name in PAGE_LISTS_OF.get(parent, ()):
            return 1
        field_type = definition.type
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        if isinstance(field_type, GraphQLList) and is_composite_type(get_named_type(field_type)):
            return LIST_ESTIMATE
        return 1

    def _page_size(self, node: FieldNode, paging: list[str], definition: GraphQLField) -> int:
        """The largest page asked for (first or last), else the field's default."""
        given = [
            self._int_argument(argument.value)
            for argument in node.arguments or ()
            if argument.name.value in paging
        ]
        sizes = [size for size in given if size is not None]
        if not sizes:
            default = definition.args[paging[0]].default_value
            return default if isinstance(default, int) else DEFAULT_PAGE_SIZE
        return max(0, *sizes)

    def _int_argument(self, value: ValueNode) -> int | None:
        if isinstance(value, IntValueNode):
            return min(int(value.value), INT_MAX)
        if isinstance(value, VariableNode):
            given = self.variables.get(value.name.value)
            if isinstance(given, int) and not isinstance(given, bool):
                return min(given, INT_MAX)
        return None


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int | None:
    """The cost of the operation that will run, or None when there is no single one.
    Remembered per (schema, parsed document, operation, variables): parsed documents are
    cached, so a client repeating its query pays the walk over the document once."""
    try:
        given = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # not plain JSON (an upload): worked out each time
        return _query_cost(schema, document, operation_name, variables)
    known = _COSTS.setdefault(schema, {})
    key = (id(document), operation_name, given)
    found = known.get(key)
    # the entry holds its document, so the document's id is not reused meanwhile
    if found is not None and found[0] is document:
        return found[1]
    cost = _query_cost(schema, document, operation_name, variables)
    if len(known) >= _COSTS_KEPT_PER_SCHEMA:
        known.clear()
    known[key] = (document, cost)
    return cost


# Per schema, dropped with it: a schema the registry lets go is not kept alive from here.
_COSTS_KEPT_PER_SCHEMA = 512
_COSTS: weakref.WeakKeyDictionary[
    GraphQLSchema, dict[tuple[int, str | None, bytes], tuple[DocumentNode, int | None]]
] = weakref.WeakKeyDictionary()


def _query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int | None:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    values = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }
    values.update(variables or {})
    return QueryCost(schema, document, values).of_operation(operation)
