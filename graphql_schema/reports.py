"""`aggregate` and `dashboard`: counts and measures of the records the caller may see, with
small cells suppressed for roles without exact counts (backend/reports). Names arrive and
leave as the client writes them (camelCase); the backend works on stored names."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.records.filtering.catalogue import Catalogue, FilterField, Operand
from backend.records.finding import record_catalogue
from backend.reports import aggregation, dashboards
from backend.reports.tables import AggregateTable, Cell, Figure
from formengine import graphql_name
from graphql_schema.context import RequestContext
from graphql_schema.payloads import UserError

FILTER_HELP = (
    "The same conditions as the record type's typed filter (`CaseFilter`), as JSON: "
    '{"riskLevel": {"eq": "high"}, "status": {"in": ["open"]}}.'
)
GROUP_BY_HELP = (
    "At most two keys (two: a pivot, rows by the first, columns by the second): filterable "
    "select, yes/no, number, date or location fields, or status, owner, agency, module, "
    "flagged, createdAt, updatedAt. Dates by period: `registrationDate:month` (day, week, "
    "month, quarter, year); locations by administrative level: `registrationLocation:admin1`."
)


@strawberry.enum(description="How a measure sums up a group.")
class MeasureFunction(enum.Enum):
    COUNT = "COUNT"
    SUM = "SUM"
    AVG = "AVG"
    MIN = "MIN"
    MAX = "MAX"


@strawberry.input(description="One measure of each group.")
class MeasureInput:
    fn: MeasureFunction
    field: str | None = strawberry.field(
        default=None,
        description="A filterable field (COUNT: records with a value; else a number field). "
        "Left out: COUNT counts records.",
    )
    since: str | None = strawberry.field(
        default=None,
        description="A date field: measure the days from it to `field` (also a date field).",
    )


@strawberry.type(description="A measure as asked.")
class AggregateMeasure:
    fn: MeasureFunction
    field: str | None
    since: str | None


@strawberry.type(description="One group (or a total) and its figures.")
class AggregateCell:
    keys: list[str | None] = strawberry.field(
        description="One value per groupBy key (null: records without a value); a row or "
        "column total has one, the grand total none."
    )
    count: int | None = strawberry.field(description="Null when suppressed.")
    suppressed: bool = strawberry.field(
        description="Hidden so that no individual can be singled out: a count under the "
        "tenant's threshold, or a total that would reveal one."
    )
    display: str = strawberry.field(description='What to show: "12", "<5", or "≥23".')
    measures: list[float | None] = strawberry.field(
        description="One per measure, in order; null when suppressed or without values."
    )

    @classmethod
    def of(cls, cell: Cell) -> AggregateCell:
        return cls.figure(cell.keys, cell.figure)

    @classmethod
    def figure(cls, keys: tuple[str | None, ...], figure: Figure) -> AggregateCell:
        return cls(
            keys=list(keys),
            count=figure.count,
            suppressed=figure.suppressed,
            display=figure.display,
            measures=list(figure.measures),
        )


@strawberry.type(description="Counts and measures of records, by group.")
class Aggregate:
    record_type: str
    group_by: list[str]
    measures: list[AggregateMeasure]
    cells: list[AggregateCell]
    row_totals: list[AggregateCell] = strawberry.field(
        description="With two groupBy keys: the total of each row (first key)."
    )
    column_totals: list[AggregateCell] = strawberry.field(
        description="With two groupBy keys: the total of each column (second key)."
    )
    total: AggregateCell
    suppression_threshold: int | None = strawberry.field(
        description="Counts under it are suppressed for you; null: you see exact counts."
    )

    @classmethod
    def of(cls, table: AggregateTable) -> Aggregate:
        return cls(
            record_type=table.record_type,
            group_by=[_client_key(k) for k in table.group_by],
            measures=[
                AggregateMeasure(
                    fn=MeasureFunction(m.function),
                    field=graphql_name(m.field) if m.field else None,
                    since=graphql_name(m.since) if m.since else None,
                )
                for m in table.measures
            ],
            cells=[AggregateCell.of(c) for c in table.cells],
            row_totals=[AggregateCell.of(c) for c in table.row_totals],
            column_totals=[AggregateCell.of(c) for c in table.column_totals],
            total=AggregateCell.figure((), table.total),
            suppression_threshold=table.threshold,
        )


@strawberry.type(description="One indicator of a dashboard.")
class DashboardIndicator:
    key: str
    title: str = strawberry.field(description="In the requested locale.")
    record_type: str
    aggregate: Aggregate | None = strawberry.field(description="Null when `error` is set.")
    error: UserError | None = strawberry.field(
        description="Why the indicator cannot answer (its definition no longer fits the "
        "forms, or names a field you may not read); the other indicators still answer."
    )


def _client_key(key: str) -> str:
    name, colon, part = key.partition(":")
    return graphql_name(name) + colon + part


def _stored_names(catalogue: Catalogue) -> dict[str, str]:
    names = {graphql_name(n): n for n in catalogue.system}
    names |= {graphql_name(n): n for n in catalogue.fields}
    return names


def _stored_key(key: str, names: Mapping[str, str]) -> str:
    name, colon, part = key.partition(":")
    return names.get(name, name) + colon + part


def _stored_op(op: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in op)


def _stored_filter(spec: Any, fields: Mapping[str, FilterField], system: Mapping[str, Any]) -> Any:
    """A client's filter (as the typed `CaseFilter` spells it) in stored names."""
    if not isinstance(spec, Mapping):
        return spec
    names = {graphql_name(n): n for n in (*system, *fields)}
    stored: dict[str, Any] = {}
    for key, value in spec.items():
        if key in ("and", "or") and isinstance(value, list):
            stored[key] = [_stored_filter(v, fields, system) for v in value]
            continue
        if key == "not":
            stored[key] = _stored_filter(value, fields, system)
            continue
        name = names.get(str(key), str(key))
        definition = fields.get(name)
        if definition is not None and definition.operand is Operand.SUBFORM:
            any_of = value.get("any") if isinstance(value, Mapping) else None
            stored[name] = (
                {"any": _stored_filter(any_of, definition.children, {})}
                if isinstance(value, Mapping) and set(value) == {"any"}
                else value
            )
        elif isinstance(value, Mapping):
            ops = {_stored_op(op): v for op, v in value.items()}
            if name == "status":  # RecordStatusFilter takes the enum names (OPEN)
                ops = {op: _lower(v) for op, v in ops.items()}
            stored[name] = ops
        else:
            stored[name] = value
    return stored


def _lower(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, list):
        return [_lower(v) for v in value]
    return value


@strawberry.type
class ReportsQuery:
    @strawberry.field(
        description="Counts and measures of the records of a type you may see, by group, "
        "computed in the database. Only fields tagged filterable that you may read; small "
        "counts suppressed unless your role has `exact_counts` (see the README, Reports)."
    )
    def aggregate(
        self,
        info: Info[RequestContext, None],
        record_type: str,
        group_by: Annotated[
            list[str] | None, strawberry.argument(description=GROUP_BY_HELP)
        ] = None,
        filter: Annotated[JSON | None, strawberry.argument(description=FILTER_HELP)] = None,
        measures: list[MeasureInput] | None = None,
    ) -> Aggregate:
        user = info.context.user
        catalogue = record_catalogue(user, record_type)
        names = _stored_names(catalogue)
        table = aggregation.aggregate(
            user,
            record_type,
            [_stored_key(k, names) for k in group_by or []],
            _stored_filter(filter, catalogue.fields, catalogue.system) if filter else None,
            [
                {
                    "fn": m.fn.value,
                    "field": names.get(m.field, m.field) if m.field else None,
                    "since": names.get(m.since, m.since) if m.since else None,
                }
                for m in measures or []
            ],
        )
        return Aggregate.of(table)

    @strawberry.field(
        description="The indicators your role is configured to show, in order (`keys`: only "
        "these). Each is an aggregate over what you may see."
    )
    def dashboard(
        self,
        info: Info[RequestContext, None],
        locale: str | None = None,
        keys: list[str] | None = None,
    ) -> list[DashboardIndicator]:
        results = dashboards.dashboard(info.context.user, locale, keys)
        return [
            DashboardIndicator(
                key=r.indicator.key,
                title=r.title,
                record_type=r.indicator.record_type,
                aggregate=Aggregate.of(r.table) if r.table is not None else None,
                error=UserError.of(r.error_code, r.error_message or "", None)
                if r.error_code
                else None,
            )
            for r in results
        ]
