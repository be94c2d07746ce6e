"""The Strawberry schema of a tenant, built cheaply from compiled types.

Two things make a tenant's compile cost what its own forms cost and no more:
- the static types (auth, forms, admin, payloads: everything but the root types) are
  converted to graphql-core once per process and shared by every tenant's schema;
- a compiled leaf field (`CompiledField` without a resolver) becomes a graphql-core field
  directly, with one shared resolver reading the parent's dict, instead of Strawberry's
  per-field resolver closures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLInputField, GraphQLResolveInfo, Undefined
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.schema.types.concrete_type import ConcreteType
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from graphql_schema.records.definitions import CompiledField
from graphql_schema.scalars import resolve_attribute

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
ROOT_TYPES = frozenset({"Query", "Mutation", "Subscription"})


def read_value(source: Any, info: GraphQLResolveInfo) -> Any:
    """The resolver of every compiled leaf: the parent's value under the field's stored name.
    (Most leaves never call it: execution.py reads them in one pass.)"""
    field = info.parent_type.fields[info.field_name]
    return resolve_attribute(source, field.extensions[BACKREF].python_name)


read_value._is_default = True  # type: ignore[attr-defined]  # Strawberry's "no resolver" mark


class CompiledConverter(GraphQLCoreConverter):
    def _converted_type(self, field: CompiledField) -> Any:
        """A compiled field's graphql-core type; leaves share a few resolved types, so each
        is converted once per schema."""
        converted: dict[int, Any] = self.__dict__.setdefault("_converted", {})
        key = id(field.type)  # the field keeps its type alive as long as this schema
        found = converted.get(key)
        if found is None:
            found = converted[key] = self.from_maybe_optional(field.type)
        return found

    def from_field(
        self,
        field: StrawberryField,
        *,
        type_definition: StrawberryObjectDefinition | None = None,
    ) -> GraphQLField:
        if not isinstance(field, CompiledField) or field.base_resolver is not None:
            return super().from_field(field, type_definition=type_definition)
        return GraphQLField(
            self._converted_type(field),
            resolve=read_value,
            description=field.description,
            deprecation_reason=field.deprecation_reason,
            extensions={BACKREF: field},
        )

    def from_input_field(
        self,
        field: StrawberryField,
        *,
        type_definition: StrawberryObjectDefinition | None = None,
    ) -> GraphQLInputField:
        if not isinstance(field, CompiledField) or field.default_value is not strawberry.UNSET:
            return super().from_input_field(field, type_definition=type_definition)
        return GraphQLInputField(
            self._converted_type(field),
            default_value=Undefined,
            description=field.description,
            deprecation_reason=field.deprecation_reason,
            extensions={BACKREF: field},
        )


class TenantSchema(strawberry.Schema):
    """A strawberry.Schema whose converter reuses `shared_types` (already converted, by
    name) and converts compiled fields directly. `strawberry.Schema.__init__` makes its
    converter and uses it at once: this class adapts it as it is assigned."""

    shared_types: Mapping[str, ConcreteType] = {}

    @property
    def schema_converter(self) -> GraphQLCoreConverter:
        return self._converter

    @schema_converter.setter
    def schema_converter(self, converter: GraphQLCoreConverter) -> None:
        converter.__class__ = CompiledConverter  # same state, two methods more
        converter.type_map.update(self.shared_types)
        self._converter = converter


def static_types(schema: strawberry.Schema) -> dict[str, ConcreteType]:
    """The converted types of `schema` that every tenant's schema may share."""
    return {
        name: concrete
        for name, concrete in schema.schema_converter.type_map.items()
        if name not in ROOT_TYPES
    }
