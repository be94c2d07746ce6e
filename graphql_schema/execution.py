"""Execution that reads plain leaf fields of dict-backed objects in one pass.

A case list is 50 records x a few hundred fields: executing each leaf through the full
resolver machinery costs microseconds per field. Records and subform entries reach the
executor as prepared dicts whose values the plan already filtered, so for a leaf field with
no resolver the value is just `source[python_name]`, serialized. Everything else (fields
with resolvers, objects, nulls in non-null fields, serialization errors) takes the normal
path, so errors and nulls behave exactly as before.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Serializer = Callable[[Any], Any]
# field name -> (python name, serializer, nullable)
Leaves = dict[str, tuple[str, Serializer, bool]]
_plans: weakref.WeakKeyDictionary[GraphQLObjectType, Leaves] = weakref.WeakKeyDictionary()


def _serializer(graphql_type: Any) -> Serializer | None:
    if isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    if isinstance(graphql_type, GraphQLScalarType | GraphQLEnumType):
        return graphql_type.serialize
    if isinstance(graphql_type, GraphQLList):
        inner = graphql_type.of_type
        if isinstance(inner, GraphQLNonNull):
            inner = inner.of_type
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            serialize = inner.serialize
            return lambda values: [serialize(v) for v in values]
    return None


def _plain_leaves(parent_type: GraphQLObjectType) -> Leaves:
    """Field name -> (key in the source, serializer, nullable) for leaves without resolvers."""
    plan = _plans.get(parent_type)
    if plan is None:
        plan = {}
        for name, field in parent_type.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            if definition is None or definition.base_resolver or definition.extensions:
                continue
            serialize = _serializer(field.type)
            if serialize is not None:
                nullable = not isinstance(field.type, GraphQLNonNull)
                plan[name] = (definition.python_name, serialize, nullable)
        _plans[parent_type] = plan
    return plan


def _attribute(source: Any, name: str) -> Any:
    return getattr(source, name, None)


class DictRecordExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if type(source_value) is dict:
            read: Callable[[Any, str], Any] = dict.get
        elif hasattr(type(source_value), "__strawberry_definition__"):
            read = _attribute  # workflow objects, users, alerts: plain Strawberry instances
        else:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plan = _plain_leaves(parent_type)
        results: dict[str, Any] = {}
        for response_name, field_details_list in grouped_field_set.items():
            spec = plan.get(field_details_list[0].node.name.value)
            if spec is not None:
                value = read(source_value, spec[0])
                if value is None and spec[2]:
                    results[response_name] = None
                    continue
                if value is not None:
                    try:
                        results[response_name] = spec[1](value)
                        continue
                    except Exception:  # noqa: S110 (the normal path reports it)
                        pass
            result = self.execute_field(
                parent_type,
                source_value,
                field_details_list,
                Path(path, response_name, parent_type.name),
                position_context,
            )
            if self.is_awaitable(result):
                raise RuntimeError("the record schema is synchronous")
            results[response_name] = result
        return results
