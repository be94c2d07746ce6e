"""The Relay `Node` interface: every object with a global id can be refetched by `node(id:)`.

Records reach the executor as dicts (see records/values.py), so their concrete type is named
by the record's type; every other node is a Strawberry object.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLAbstractType, GraphQLResolveInfo
from strawberry.types.base import get_object_definition

from graphql_schema.naming import type_name


@strawberry.interface(description="An object with a global id; refetch it with node(id:).")
class Node:
    id: strawberry.ID

    @classmethod
    def resolve_type(
        cls, obj: Any, info: GraphQLResolveInfo, abstract_type: GraphQLAbstractType
    ) -> str:
        if type(obj) is dict:
            return type_name(obj["_record"].record_type)
        return get_object_definition(obj, strict=True).name


def is_record_values(obj: Any, info: GraphQLResolveInfo) -> bool:
    """Compiled record types read the prepared dicts of records."""
    return type(obj) is dict
