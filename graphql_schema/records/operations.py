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

from backend.audit.models import AccessLog
from backend.audit.services import log_access
from backend.errors import BadUserInput
from backend.records import services
from backend.records.models import Record
from graphql_schema.context import RequestContext
from graphql_schema.naming import field_name, plural_field_name, type_name
from graphql_schema.payloads import UserError, client_path, mutation_payload
from graphql_schema.records.redaction import Redactor, response_key, selections
from graphql_schema.records.types import PageInfo, RecordTypes
from graphql_schema.records.values import input_to_patch, record_values
from permissions.plan import RecordAccess

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
    edges: list[dict[str, Any]]
    page_info: PageInfo

    @cached_property
    def total_count(self) -> int:
        return self.queryset.count()


class RecordResolvers:
    """The resolvers of one record type, sharing its redactor."""

    def __init__(self, types: RecordTypes) -> None:
        self.types = types
        self.record_type = types.record_type
        fields = types.schema.fields
        self.redactor = Redactor(
            list(fields),
            {n: [c.name for c in d.fields] for n, d in fields.items() if d.fields},
        )

    def _present(
        self,
        info: Info[RequestContext, None],
        record: Record,
        access: RecordAccess,
        placements: list[tuple[list[str | int], list[Any]]],
    ) -> dict[str, Any]:
        """The record's readable values; what the caller selected but may not read is listed
        under each response path where the record appears."""
        plan = services.access_plan(info.context.user, self.record_type)
        values = record_values(record, access, plan.hidden_children)
        for base, nodes in placements:
            info.context.redacted += self.redactor.redacted_paths(
                nodes, info._raw_info, base, access.readable, plan.hidden_children, values
            )
        return values

    def list(self, info: Info[RequestContext, None], first: int, after: str | None) -> Connection:
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise BadUserInput(f"first must be between 1 and {MAX_PAGE_SIZE}.", field="first")
        user = info.context.user
        plan = services.access_plan(user, self.record_type)
        queryset = services.list_records(user, self.record_type)
        page_query = queryset.select_related("owner").order_by("-created_at", "-pk")
        if after:
            page_query = page_query.filter(_after(after))
        rows = list(page_query[: first + 1])
        page = rows[:first]
        base = info.path.as_list()
        raw = info._raw_info
        edge_nodes = selections(raw.field_nodes, raw, "edges")
        node_sets = [
            (response_key(e), response_key(n), [n])
            for e in edge_nodes
            for n in selections([e], raw, "node")
        ]
        edges = []
        for index, record in enumerate(page):
            placements = [([*base, e, index, n], nodes) for e, n, nodes in node_sets]
            values = self._present(info, record, plan.access(record), placements)
            edges.append({"cursor": _cursor(record), "node": values})
        log_access(user, page, AccessLog.Action.LIST)
        page_info = PageInfo(
            has_next_page=len(rows) > first, end_cursor=_cursor(page[-1]) if page else None
        )
        return Connection(queryset, edges, page_info)

    def get(self, info: Info[RequestContext, None], record_id: str) -> dict[str, Any]:
        visible = services.get_record(info.context.user, self.record_type, record_id)
        log_access(info.context.user, [visible.record], AccessLog.Action.READ)
        placements = [(info.path.as_list(), list(info._raw_info.field_nodes))]
        return self._present(info, visible.record, visible.access, placements)

    def payload(
        self, info: Info[RequestContext, None], result: services.WriteResult
    ) -> dict[str, Any]:
        record = None
        if result.record is not None and result.access is not None:
            record_nodes = selections(
                info._raw_info.field_nodes, info._raw_info, field_name(self.record_type)
            )
            placements = [([*info.path.as_list(), response_key(n)], [n]) for n in record_nodes]
            record = self._present(info, result.record, result.access, placements)
        errors = [
            UserError.of(e.code, e.message, client_path(e.path, ["input"])) for e in result.errors
        ]
        return {"record": record, "errors": errors}


def record_operations(types: RecordTypes) -> tuple[list[Any], list[Any]]:
    """The query fields and mutation fields for one record type."""
    record_type = types.record_type
    label = record_type.replace("_", " ")
    resolvers = RecordResolvers(types)

    def list_records(
        info: Info[RequestContext, None], first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Any:
        return resolvers.list(info, first, after)

    def get_record(info: Info[RequestContext, None], id: strawberry.ID) -> Any:
        return resolvers.get(info, id)

    def create_record(
        info: Info[RequestContext, None], input: Any, client_mutation_id: str | None = None
    ) -> Any:
        result = services.create_record(info.context.user, record_type, input_to_patch(input))
        return resolvers.payload(info, result)

    def update_record(
        info: Info[RequestContext, None],
        id: strawberry.ID,
        base_revision: int,
        input: Any,
        client_mutation_id: str | None = None,
    ) -> Any:
        patch = input_to_patch(input)
        result = services.update_record(info.context.user, record_type, id, base_revision, patch)
        return resolvers.payload(info, result)

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
            mutation_payload(create_record),
            name=f"create{name}",
            description=f"Register a {label}.",
        ),
        strawberry.mutation(
            mutation_payload(update_record),
            name=f"update{name}",
            description=f"Change a {label}: only the fields given change.",
        ),
    ]
    return queries, mutations
