"""Compiled execution of record selections.

A case list is a page of records x a few hundred fields: graphql-core resolves and completes
each field through its full machinery, microseconds per field. Records and subform entries
reach the executor as prepared dicts whose values the read service already filtered for the
caller (redactions are listed by `RecordResolvers.present`), so what a selection produces
does not depend on the caller's plan, only on the document: for each (object type, selection)
of the operation, `SelectionPlan` decides once, per field, how its value is produced --

- a stored value or attribute, serialized (`LEAF`);
- `__typename` (`TYPENAME`);
- a resolver that reads only its parent (attachments, tallies, `overdue`, an entry's
  `redactedFields`), called directly (`PARENT_RESOLVER`);
- a list of nested objects (subform entries, tally counts), each produced by its own plan
  (`OBJECTS`);
- anything else through graphql-core (`EXECUTE`).

Aliases, fragments and `@include`/`@skip` with their variables are already resolved in the
grouped field set graphql-core collects (memoized per selection), so one plan serves every
record of the page. A fast step gives up whenever its value is not what it expects (a
serialization failure, a null in a non-null place, a resolver error, an unexpected type) and
hands the field to graphql-core, so errors, their paths and nulls stay exactly as before.
`settings.COMPILED_RECORD_EXECUTION = False` turns this off (the interpreted path, which the
differential test compares against).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from django.conf import settings
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
)
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.fields.resolver import PARENT_PARAMSPEC

Serializer = Callable[[Any], Any]

LEAF, TYPENAME, PARENT_RESOLVER, OBJECTS, EXECUTE = range(5)

# Scalars whose serialization returns a value of this exact type unchanged.
_IDENTITY: dict[GraphQLScalarType, type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
}


# Plans by schema (see `_shared_plan`); a schema that is dropped takes its plans along.
SHARED_PLANS_PER_SCHEMA = 512
_SHARED_PLANS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = (
    weakref.WeakKeyDictionary()
)


class Unplanned(Exception):
    """A fast step met a value it does not handle: graphql-core executes the field."""


def _leaf(graphql_type: Any) -> Serializer | None:
    """The serializer of a leaf or a list of leaves (None for anything else)."""
    nullable_items = True
    if isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    if isinstance(graphql_type, GraphQLScalarType | GraphQLEnumType):
        kind = _IDENTITY.get(graphql_type) if isinstance(graphql_type, GraphQLScalarType) else None
        serialize = graphql_type.serialize
        if kind is None:
            return serialize
        return lambda value: value if type(value) is kind else serialize(value)
    if isinstance(graphql_type, GraphQLList):
        inner = graphql_type.of_type
        if isinstance(inner, GraphQLNonNull):
            inner, nullable_items = inner.of_type, False
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            serialize_item = inner.serialize

            def serialize_list(values: Any) -> Any:
                if not isinstance(values, list | tuple):
                    raise Unplanned
                out: list[Any] = []
                for value in values:
                    if value is None:
                        if not nullable_items:
                            raise Unplanned
                        out.append(None)
                    else:
                        out.append(serialize_item(value))
                return out

            return serialize_list
    return None


def _objects_of(graphql_type: Any) -> tuple[GraphQLObjectType, bool] | None:
    """For a list of objects without `is_type_of`: the item type and whether items may be
    null."""
    if isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    if not isinstance(graphql_type, GraphQLList):
        return None
    inner, nullable = graphql_type.of_type, True
    if isinstance(inner, GraphQLNonNull):
        inner, nullable = inner.of_type, False
    if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
        return inner, nullable
    return None


def _parent_resolver(definition: Any) -> Callable[[Any], Any] | None:
    """The resolver's own function when it takes nothing but its parent."""
    resolver = definition.base_resolver
    if resolver is None or resolver.arguments or resolver.is_async:
        return None
    parameters = resolver.signature.parameters
    parent = resolver.reserved_parameters.get(PARENT_PARAMSPEC)
    if parent is None or len(parameters) != 1:
        return None
    function = resolver.wrapped_func
    name = parent.name
    return lambda source: function(**{name: source})


class SelectionPlan:
    """How each response key of one selection on one object type is produced: steps of
    (response key, kind, what to read or call, how to complete it, nullable, the field's
    nodes, its type); and, for dict sources, the same steps as one generated function."""

    __slots__ = ("dict_producer", "steps")

    def __init__(
        self,
        context: CompiledRecordExecutionContext,
        parent_type: GraphQLObjectType,
        grouped_field_set: Any,
    ) -> None:
        self.steps: list[tuple[str, int, Any, Any, bool, Any, Any]] = []
        for response_name, details in grouped_field_set.items():
            kind, read, complete, nullable = context.step_for(parent_type, details)
            field = parent_type.fields.get(details[0].node.name.value)
            self.steps.append(
                (response_name, kind, read, complete, nullable, details, field and field.type)
            )
        self.dict_producer = _generate(self.steps)


_OMIT = object()  # graphql-core left the field out (Undefined)


def _generate(steps: list[tuple[str, int, Any, Any, bool, Any, Any]]) -> Callable[..., Any]:
    """The plan's steps for a dict source as straight-line Python, built once per plan: a
    stored leaf is a dict lookup and its serializer, no loop, no dispatch on the step's kind.
    Whatever a leaf does not expect (a null where none may be, a value its serializer
    refuses) and every other kind of step go through `_step`, exactly as the loop does."""
    names: dict[str, Any] = {"OMIT": _OMIT}
    lines = [
        "def produce(ctx, parent_type, source, path, steps):",
        "    get = source.get",
        "    r = {}",
    ]
    for index, (key, kind, read, complete, nullable, _details, _type) in enumerate(steps):
        names[f"K{index}"] = key

        def through_step(indent: str, index: int = index) -> list[str]:
            return [
                f"{indent}x = ctx._step(parent_type, source, path, steps[{index}], True)",
                f"{indent}if x is not OMIT:",
                f"{indent}    r[K{index}] = x",
            ]

        if kind == TYPENAME:
            names[f"V{index}"] = read
            lines.append(f"    r[K{index}] = V{index}")
        elif kind == LEAF and complete[0] == LEAF:
            names[f"R{index}"], names[f"S{index}"] = read, complete[1]
            lines += [f"    v = get(R{index})", "    if v is None:"]
            lines += [f"        r[K{index}] = None"] if nullable else through_step(" " * 8)
            lines += ["    else:", "        try:", f"            r[K{index}] = S{index}(v)"]
            lines += ["        except Exception:", *through_step(" " * 12)]
        else:
            lines += through_step(" " * 4)
    lines.append("    return r")
    exec("\n".join(lines), names)  # noqa: S102 (our own text: constants are passed by name)
    produce: Callable[..., Any] = names["produce"]
    return produce


class CompiledRecordExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def step_for(
        self, parent_type: GraphQLObjectType, field_details_list: Any
    ) -> tuple[int, Any, Any, bool]:
        """(kind, what to read or call, how to complete it, nullable)."""
        node = field_details_list[0].node
        field_name = node.name.value
        if field_name == "__typename":
            return TYPENAME, parent_type.name, None, False
        field = parent_type.fields.get(field_name)
        if field is None or node.arguments or field.args:
            return EXECUTE, None, None, False
        nullable = not isinstance(field.type, GraphQLNonNull)
        definition = (field.extensions or {}).get("strawberry-definition")
        if definition is None or definition.extensions or self._has_middleware():
            return EXECUTE, None, None, False
        if definition.base_resolver is None:
            read: Any = definition.python_name
            kind = LEAF
        else:
            read = _parent_resolver(definition)
            if read is None:
                return EXECUTE, None, None, False
            kind = PARENT_RESOLVER
        serialize = _leaf(field.type)
        if serialize is not None:
            return kind, read, (LEAF, serialize), nullable
        objects = _objects_of(field.type)
        if objects is not None:
            item_type, items_nullable = objects
            grouped, defers, _forbidden = self.collect_subfields(item_type, field_details_list)
            if defers:
                return EXECUTE, None, None, False
            wrapped = item_type if items_nullable else GraphQLNonNull(item_type)
            return kind, read, (OBJECTS, item_type, grouped, items_nullable, wrapped), nullable
        return EXECUTE, None, None, False

    def _has_middleware(self) -> bool:
        """Whether a schema extension wraps resolvers (Strawberry always passes a manager,
        usually empty)."""
        manager = self.middleware_manager
        return manager is not None and bool(manager.middlewares)

    def plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> SelectionPlan:
        plans = self.__dict__.setdefault("_plans", {})
        key = (parent_type, id(grouped_field_set))
        cached = plans.get(key)
        if cached is None:
            # The grouped field set is kept alive with its plan, so its id is not reused.
            cached = (grouped_field_set, self._shared_plan(parent_type, grouped_field_set))
            plans[key] = cached
        return cached[1]

    def _shared_plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> SelectionPlan:
        """The plan of this selection made by an earlier request, if any: parsed documents
        are cached (graphql_schema/limits/document.py), so the same query sends the same
        field nodes. What else decides a plan is in the key: the object type, the response
        keys, the values of the Boolean variables (`@include`/`@skip` further down) and
        whether an extension wraps resolvers. Kept per schema, dropped with it."""
        nodes = []
        for details in grouped_field_set.values():
            for detail in details:
                if detail.defer_usage is not None or detail.fragment_variable_values:
                    return SelectionPlan(self, parent_type, grouped_field_set)
                nodes.append(id(detail.node))
        variables = self.variable_values.coerced if self.variable_values else {}
        switches = tuple(sorted((k, v) for k, v in variables.items() if type(v) is bool))
        key = (
            parent_type.name,
            tuple(grouped_field_set),
            tuple(nodes),
            switches,
            self._has_middleware(),
        )
        shared = _SHARED_PLANS.setdefault(self.schema, {})
        found = shared.get(key)
        if found is None or found[0] is not parent_type:
            if len(shared) >= SHARED_PLANS_PER_SCHEMA:
                shared.clear()
            plan = SelectionPlan(self, parent_type, grouped_field_set)
            # the plan's field details hold the nodes: their ids are not reused meanwhile
            found = shared[key] = (parent_type, plan)
        return found[1]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self.__dict__["_compiled"] = getattr(
                settings, "COMPILED_RECORD_EXECUTION", True
            )
        if not compiled or not _plannable(source_value):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        return self._produce(
            parent_type, source_value, path, self.plan(parent_type, grouped_field_set)
        )

    def _produce(
        self, parent_type: GraphQLObjectType, source: Any, path: Path | None, plan: SelectionPlan
    ) -> dict[str, Any]:
        """One object's response data from its source, in one pass over the plan."""
        if type(source) is dict:
            return plan.dict_producer(self, parent_type, source, path, plan.steps)
        results: dict[str, Any] = {}
        for step in plan.steps:
            value = self._step(parent_type, source, path, step, False)
            if value is not _OMIT:
                results[step[0]] = value
        return results

    def _step(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
        step: tuple[str, int, Any, Any, bool, Any, Any],
        is_dict: bool,
    ) -> Any:
        """One response key's value (`_OMIT` when graphql-core leaves it out)."""
        response_name, kind, read, complete, nullable, details, return_type = step
        if kind == TYPENAME:
            return read
        if kind != EXECUTE:
            try:
                if kind == PARENT_RESOLVER:
                    value = read(source)
                elif is_dict:
                    value = source.get(read)
                else:
                    value = getattr(source, read, None)
                if value is None:
                    if not nullable:
                        raise Unplanned
                    return None
                if complete[0] == LEAF:
                    return complete[1](value)
                if _plannable_list(value, complete[3]):
                    field_path = Path(path, response_name, parent_type.name)
                    try:
                        return self._objects(value, complete, details, field_path)
                    except Exception as raw_error:
                        # As graphql-core: null here, or the error goes up a level.
                        self.handle_field_error(raw_error, return_type, details, field_path)
                        return None
            except Exception:  # noqa: S110 (graphql-core reports it, at its path)
                pass
        result = self.execute_field(
            parent_type, source, details, Path(path, response_name, parent_type.name), None
        )
        if self.is_awaitable(result):
            raise RuntimeError("the record schema is synchronous")
        return _OMIT if result is Undefined else result

    def _objects(self, values: Any, complete: Any, details: Any, path: Path) -> list[Any]:
        _, item_type, grouped, _items_nullable, wrapped = complete
        plan = self.plan(item_type, grouped)
        out: list[Any] = []
        for index, item in enumerate(values):
            if item is None:
                out.append(None)
                continue
            item_path = Path(path, index, None)
            try:
                out.append(self._produce(item_type, item, item_path, plan))
            except Exception as raw_error:
                self.handle_field_error(raw_error, wrapped, details, item_path)
                out.append(None)
        return out


def _plannable(value: Any) -> bool:
    """Dicts (records, entries) and plain Strawberry instances (tally counts, workflow
    objects, users, alerts)."""
    value_type = type(value)
    return value_type is dict or hasattr(value_type, "__strawberry_definition__")


def _plannable_list(values: Any, items_nullable: bool) -> bool:
    if not isinstance(values, list | tuple):
        return False
    for item in values:
        if item is None:
            if not items_nullable:
                return False
        elif not _plannable(item):
            return False
    return True


DictRecordExecutionContext = CompiledRecordExecutionContext  # the name the registry uses
