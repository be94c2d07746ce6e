"""Pieces of the compiled record types shared by every root field that hands out records:
a Strawberry field built from a name and an annotation, and the union of a tenant's record
types (for lists that mix them: sync items, match candidates)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Union

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.types.field import StrawberryField

from graphql_schema.naming import field_name

if TYPE_CHECKING:
    from graphql_schema.records.operations import RecordResolvers


def compiled_field(
    name: str,
    annotation: Any,
    *,
    description: str | None = None,
    deprecation_reason: str | None = None,
    default: Any = strawberry.UNSET,
    graphql: str | None = None,
) -> StrawberryField:
    return StrawberryField(
        python_name=name,
        graphql_name=graphql or field_name(name),
        type_annotation=StrawberryAnnotation(annotation),
        description=description,
        deprecation_reason=deprecation_reason,
        default=default,
    )


def record_union(name: str, description: str, resolvers: dict[str, RecordResolvers]) -> Any:
    """The tenant's record types as one union `name` (the type itself when there is one)."""
    outputs = tuple(r.types.output for r in resolvers.values())
    if len(outputs) == 1:
        return outputs[0]
    return Annotated[
        Union[outputs],  # noqa: UP007 (built from a tuple)
        strawberry.union(name, description=description),
    ]
