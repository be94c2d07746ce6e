"""`AnyRecord`: the union of a tenant's compiled record types, for payloads of mutations that
are not tied to one record type."""

from __future__ import annotations

from typing import Annotated, Any, Union

import strawberry
from graphql import GraphQLResolveInfo

from graphql_schema.records.operations import RecordResolvers
from graphql_schema.records.types import RecordTypes


def mark_record_type(types: RecordTypes) -> None:
    """Let a union tell the compiled types apart: records reach GraphQL as plain dicts."""
    record_type = types.record_type

    def is_type_of(obj: Any, _info: GraphQLResolveInfo) -> bool:
        record = obj.get("_record") if type(obj) is dict else None
        return record is not None and record.record_type == record_type

    types.output.__strawberry_definition__.is_type_of = is_type_of  # type: ignore[attr-defined]


def any_record(resolvers: dict[str, RecordResolvers]) -> Any:
    outputs = tuple(r.types.output for r in resolvers.values())
    if len(outputs) == 1:
        return outputs[0]
    return Annotated[
        Union[outputs],  # noqa: UP007 (built from a tuple)
        strawberry.union("AnyRecord", description="A record of any type of this tenant."),
    ]
