"""Strawberry type definitions built directly, for the types compiled from configuration.

`strawberry.type` / `create_type` turn a class into a dataclass (an `__init__` with one
parameter per field, generated and exec'd) and re-resolve each field's annotation every time
its type is read: for a 1,000-field record type that is most of a tenant's compile time and
memory. Compiled types are never instantiated by resolvers (records are dicts), so they get
a bare class, a definition built once, and fields whose type is resolved when they are
made. Input types build their value with `from_input` instead of a constructor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLResolveInfo
from strawberry.annotation import StrawberryAnnotation
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryObjectDefinition,
    StrawberryOptional,
)
from strawberry.types.field import StrawberryField
from strawberry.types.fields.resolver import StrawberryResolver

from graphql_schema.naming import field_name

FromInput = Callable[[type, Mapping[str, Any], InputContext], Any]


class CompiledField(StrawberryField):
    """A field whose GraphQL type is resolved once, when it is made."""

    def __init__(
        self,
        python_name: str,
        resolved: Any,
        *,
        graphql_name: str | None = None,
        description: str | None = None,
        deprecation_reason: str | None = None,
        default: Any = strawberry.UNSET,
        resolver: StrawberryResolver[Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            python_name=python_name,
            graphql_name=graphql_name or field_name(python_name),
            description=description,
            deprecation_reason=deprecation_reason,
            default=default,
            base_resolver=resolver,
            metadata=metadata,
        )
        self._resolved = resolved

    def resolve_type(self, *, type_definition: StrawberryObjectDefinition | None = None) -> Any:
        return self._resolved

    @property
    def type(self) -> Any:
        return self._resolved

    @type.setter
    def type(self, type_: Any) -> None:
        # dataclasses.Field.__init__ sets None; __init__ then sets the resolved type
        self._resolved = None if type_ is None else StrawberryAnnotation(type_).resolve()


@cache
def resolved(annotation: Any) -> Any:
    """Strawberry's type for a static annotation (`str | None`), resolved once per process.
    Only for annotations of module-level types: the cache keeps what it is given."""
    return StrawberryAnnotation(annotation).resolve()


def optional(of_type: Any) -> StrawberryOptional:
    return StrawberryOptional(of_type)


def optional_list(of_type: Any) -> StrawberryOptional:
    return StrawberryOptional(StrawberryList(of_type))


def list_of(of_type: Any) -> StrawberryList:
    return StrawberryList(of_type)


def shared_resolver(function: Callable[..., Any]) -> StrawberryResolver[Any]:
    """One resolver for many fields: it reads the field it serves from `info.python_name`,
    instead of a closure per field."""
    return StrawberryResolver(function)


def compiled_type(
    name: str,
    fields: Sequence[StrawberryField],
    *,
    description: str | None = None,
    is_input: bool = False,
    bases: tuple[type, ...] = (),
    interfaces: Iterable[StrawberryObjectDefinition] = (),
    is_type_of: Callable[[Any, GraphQLResolveInfo], bool] | None = None,
    from_input: FromInput | None = None,
) -> type:
    """A Strawberry object or input type named `name` with these fields, in this order."""
    cls = type(name, bases, {})
    for field in fields:
        if field.origin is None:  # a static field keeps the class it was declared on
            field.origin = cls
    definition = StrawberryObjectDefinition(
        name=name,
        is_input=is_input,
        is_interface=False,
        origin=cls,
        description=description,
        interfaces=list(interfaces),
        extend=False,
        directives=(),
        is_type_of=is_type_of,
        resolve_type=None,
        fields=list(fields),
        from_input=from_input,
    )
    cls.__strawberry_definition__ = definition  # type: ignore[attr-defined]
    return cls
