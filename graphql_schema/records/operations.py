"""Queries and mutations of one record type: list, get, create, update.

Values come from the read service (`backend.records.reading`); this module only shapes them
for the compiled types and says where the response holds redacted nulls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import FieldNode
from strawberry.types import Info

from backend.records import finding, paging, reading, services
from backend.records.reading import RecordView
from backend.search import finding as search_finding
from backend.search.query import MAX_SEARCH_LENGTH, MAX_TERMS
from graphql_schema.context import RequestContext
from graphql_schema.naming import field_name, plural_field_name, type_name
from graphql_schema.payloads import UserError, client_path, mutation_payload
from graphql_schema.records.batch import PageBatch
from graphql_schema.records.filters import FilterTypes, order_structure
from graphql_schema.records.redaction import Redactor, response_key, selections
from graphql_schema.records.types import PageInfo, RecordTypes
from graphql_schema.records.values import (
    RedactedNames,
    file_subforms,
    record_values,
)

MAX_PAGE_SIZE = paging.MAX_PAGE_SIZE
DEFAULT_PAGE_SIZE = paging.DEFAULT_PAGE_SIZE

Placements = list[tuple[list[str | int], list[FieldNode]]]


@dataclass
class Connection:
    found: finding.Found
    edges: list[dict[str, Any]]
    page_info: PageInfo

    @property
    def total_count(self) -> int:
        return self.found.total_count


class RecordResolvers:
    """The resolvers of one record type, sharing its redactor."""

    def __init__(self, types: RecordTypes) -> None:
        self.types = types
        self.record_type = types.record_type
        fields = list(types.schema.fields.values())
        self.redactor = Redactor(fields, type_name(self.record_type))
        self.redacted_names = RedactedNames(types.schema)
        self.subforms_with_files = file_subforms(types.schema)

    def present(
        self,
        info: Info[RequestContext, None],
        view: RecordView,
        batch: PageBatch,
        placements: Placements,
    ) -> dict[str, Any]:
        """The view as the compiled type reads it; what the caller selected but may not read
        is listed under each response path where the record appears."""
        values = record_values(view, batch, self.redacted_names, self.subforms_with_files)
        for base, nodes in placements:
            info.context.redacted += self.redactor.redacted_paths(
                nodes, info._raw_info, base, view.access, view.values
            )
        return values

    def list(
        self,
        info: Info[RequestContext, None],
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
        search: str | None = None,
        filter: Any = None,
        order_by: list[Any] | None = None,
    ) -> Connection:
        user = info.context.user
        found = search_finding.find(
            user,
            self.record_type,
            search=search,
            filter=filter,  # already plain: the compiled filter types build it
            order=order_structure(order_by),
            first=first,
            after=after,
            last=last,
            before=before,
            count=bool(selections(info._raw_info.field_nodes, info._raw_info, "totalCount")),
        )
        page = found.page
        views = reading.read_records(user, self.record_type, page.records)
        batch = PageBatch(user, views)
        base = info.path.as_list()
        raw = info._raw_info
        node_sets = [
            (response_key(e), response_key(n), [n])
            for e in selections(raw.field_nodes, raw, "edges")
            for n in selections([e], raw, "node")
        ]
        cursor_of = dict(zip((r.pk for r in page.records), page.cursors, strict=True))
        edges = []
        for index, view in enumerate(views):
            placements: Placements = [([*base, e, index, n], nodes) for e, n, nodes in node_sets]
            values = self.present(info, view, batch, placements)
            edges.append({"cursor": cursor_of[view.record.pk], "node": values})
        cursors = [cursor_of[view.record.pk] for view in views[:1] + views[-1:]]
        page_info = PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )
        return Connection(found, edges, page_info)

    def get(self, info: Info[RequestContext, None], record_id: str) -> dict[str, Any]:
        """One record through the read service; NOT_FOUND when it is not visible. Also used
        for records that payloads and `node` return, at their own place in the response."""
        user = info.context.user
        view = reading.read_record(user, self.record_type, record_id)
        return self.present_here(info, view, PageBatch(user, [view]))

    def present_here(
        self, info: Info[RequestContext, None], view: RecordView, batch: PageBatch
    ) -> dict[str, Any]:
        """A view read elsewhere (`nodes`) at the place of `info` in the response."""
        placements: Placements = [(info.path.as_list(), list(info._raw_info.field_nodes))]
        return self.present(info, view, batch, placements)

    def payload(
        self, info: Info[RequestContext, None], result: services.WriteResult
    ) -> dict[str, Any]:
        record = None
        if result.record is not None:
            user = info.context.user
            view = reading.present(user, result.record)
            record_nodes = selections(
                info._raw_info.field_nodes, info._raw_info, field_name(self.record_type)
            )
            placements: Placements = [
                ([*info.path.as_list(), response_key(n)], [n]) for n in record_nodes
            ]
            record = self.present(info, view, PageBatch(user, [view]), placements)
        errors = [
            UserError.of(e.code, e.message, client_path(e.path, ["input"])) for e in result.errors
        ]
        return {"record": record, "errors": errors}


def record_operations(
    resolvers: RecordResolvers, filters: FilterTypes
) -> tuple[list[Any], list[Any]]:
    """The query fields and mutation fields for one record type."""
    types = resolvers.types
    record_type = types.record_type
    label = record_type.replace("_", " ")

    def list_records(
        info: Info[RequestContext, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
        filter: Any = None,
        order_by: Any = None,
    ) -> Any:
        return resolvers.list(info, first, after, last, before, search, filter, order_by)

    def get_record(info: Info[RequestContext, None], id: strawberry.ID) -> Any:
        return resolvers.get(info, id)

    def create_record(
        info: Info[RequestContext, None],
        input: Any,
        module: str | None = None,
        client_mutation_id: str | None = None,
    ) -> Any:
        result = services.create_record(
            info.context.user,
            record_type,
            input,
            client_mutation_id=client_mutation_id or "",
            module=module,
        )
        return resolvers.payload(info, result)

    def update_record(
        info: Info[RequestContext, None],
        id: strawberry.ID,
        base_revision: int,
        input: Any,
        client_mutation_id: str | None = None,
    ) -> Any:
        result = services.update_record(
            info.context.user,
            record_type,
            id,
            base_revision,
            input,
            client_mutation_id=client_mutation_id or "",
        )
        return resolvers.payload(info, result)

    list_records.__annotations__.update(
        {
            "return": types.connection | None,
            "filter": filters.filter | None,
            "order_by": list[filters.order] | None,  # type: ignore[name-defined]
        }
    )
    get_record.__annotations__["return"] = types.output | None
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
            description=f"{label.capitalize()} records visible to you, newest first: `first` "
            f"(at most {MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE}) after a cursor, or `last` "
            "before one. `search`: records whose searchable fields, phone numbers or short ID "
            "match every word (exact, then prefix, then sound-alike, across Latin and Arabic "
            f"script), best match first; at most {MAX_SEARCH_LENGTH} characters and "
            f"{MAX_TERMS} words. Only fields you may read on a record match. "
            "`filter`: conditions on the fields tagged filterable and the system "
            "fields; `orderBy`: sort keys, then newest first (a cursor belongs to its order). "
            "A field you may not read is FORBIDDEN_FIELD.",
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
            description=f"Register a {label}. `module`: the module (programme) it belongs to; "
            "needed only where its type has modules and you are granted several.",
        ),
        strawberry.mutation(
            mutation_payload(update_record),
            name=f"update{name}",
            description=f"Change a {label}: only the fields given change.",
        ),
    ]
    return queries, mutations
