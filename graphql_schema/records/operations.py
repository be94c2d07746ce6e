"""Queries and mutations of one record type: list, get, create, update."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import strawberry
from django.db.models import Q, QuerySet
from strawberry.types import Info

from backend.errors import BadUserInput
from backend.records import services
from backend.records.models import Record
from graphql_schema.context import RequestContext
from graphql_schema.naming import field_name, plural_field_name, type_name
from graphql_schema.records.types import FieldError, PageInfo, RecordTypes
from graphql_schema.records.values import input_to_patch, record_values

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


def _cursor(record: Record) -> str:
    raw = json.dumps([record.created_at.isoformat(), str(record.pk)])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _after(cursor: str) -> Q:
    try:
        created_at, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        raise BadUserInput("The cursor is not one this server gave out.", field="after") from None
    return Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)


@dataclass
class Connection:
    queryset: QuerySet[Record]
    page: list[Record]
    has_next_page: bool

    @property
    def edges(self) -> list[dict[str, Any]]:
        return [{"cursor": _cursor(r), "node": record_values(r)} for r in self.page]

    @property
    def page_info(self) -> PageInfo:
        return PageInfo(
            has_next_page=self.has_next_page,
            end_cursor=_cursor(self.page[-1]) if self.page else None,
        )

    @cached_property
    def total_count(self) -> int:
        return self.queryset.count()


def _payload(result: services.WriteResult) -> dict[str, Any]:
    return {
        "record": record_values(result.record) if result.record else None,
        "errors": [FieldError(path=e.path, code=e.code, message=e.message) for e in result.errors],
    }


def record_operations(types: RecordTypes) -> tuple[list[Any], list[Any]]:
    """The query fields and mutation fields for one record type."""
    record_type = types.record_type
    label = record_type.replace("_", " ")

    def list_records(
        info: Info[RequestContext, None], first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Any:
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise BadUserInput(f"first must be between 1 and {MAX_PAGE_SIZE}.", field="first")
        queryset = services.visible_records(info.context.user, record_type)
        page_query = queryset.select_related("owner").order_by("-created_at", "-pk")
        if after:
            page_query = page_query.filter(_after(after))
        rows = list(page_query[: first + 1])
        return Connection(queryset, rows[:first], len(rows) > first)

    def get_record(info: Info[RequestContext, None], id: strawberry.ID) -> Any:
        return record_values(services.get_record(info.context.user, record_type, id))

    def create_record(info: Info[RequestContext, None], input: Any) -> Any:
        patch = input_to_patch(input)
        return _payload(services.create_record(info.context.user, record_type, patch))

    def update_record(
        info: Info[RequestContext, None],
        id: strawberry.ID,
        base_revision: int,
        input: Any,
    ) -> Any:
        patch = input_to_patch(input)
        result = services.update_record(info.context.user, record_type, id, base_revision, patch)
        return _payload(result)

    list_records.__annotations__["return"] = types.connection
    get_record.__annotations__["return"] = types.output
    create_record.__annotations__.update({"input": types.input, "return": types.payload})
    update_record.__annotations__.update({"input": types.input, "return": types.payload})

    for function, python_name in (
        (list_records, f"list_{record_type}"),
        (get_record, f"get_{record_type}"),
        (create_record, f"create_{record_type}"),
        (update_record, f"update_{record_type}"),
    ):
        function.__name__ = python_name  # field names in the generated Query/Mutation classes

    name = type_name(record_type)
    queries = [
        strawberry.field(
            list_records,
            name=plural_field_name(record_type),
            description=f"{label.capitalize()} records visible to you, newest first.",
        ),
        strawberry.field(
            get_record,
            name=field_name(record_type),
            description=f"One {label}; NOT_FOUND when it is not visible to you.",
        ),
    ]
    mutations = [
        strawberry.mutation(
            create_record, name=f"create{name}", description=f"Register a {label}."
        ),
        strawberry.mutation(
            update_record,
            name=f"update{name}",
            description=f"Change a {label}: only the fields given change.",
        ),
    ]
    return queries, mutations
