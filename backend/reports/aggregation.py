"""`aggregate`: counts and measures of the records a caller may see, grouped, in one SQL query.

The records are those of `filtered_records` (the AccessPlan's visible filter and the same
filter compiler as record lists); group keys and measures read only what the caller may read
(dimensions.py, measures.py). One or two group keys; with two, the table is a pivot (rows
by the first key, columns by the second) with row, column and grand totals, all from one
`GROUP BY GROUPING SETS`. Callers without exact counts get small cells suppressed
(suppression.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections

from backend.accounts.models import User
from backend.errors import BadUserInput
from backend.records.access import access_plan
from backend.records.finding import filtered_records, record_catalogue
from backend.reports.dimensions import Dimension, dimension
from backend.reports.measures import Measure, MeasureFunction, measures
from backend.reports.suppression import suppress_small_cells
from backend.reports.tables import AggregateTable, Cell, Figure, MeasureInfo
from permissions.actions import role_allows

MAX_GROUPS = 2
EXACT_COUNTS = "exact_counts"


def has_exact_counts(user: User, record_type: str) -> bool:
    """Full access, for reports: the role's `exact_counts` action on the record type."""
    return role_allows(user, EXACT_COUNTS, record_type)


def _grouping_sets(columns: list[str]) -> str:
    if len(columns) == 1:
        return f"GROUP BY GROUPING SETS (({columns[0]}), ())"
    first, second = columns
    return f"GROUP BY GROUPING SETS (({first}, {second}), ({first}), ({second}), ())"


def _rows(records: Any, dims: list[Dimension], wanted: list[Measure]) -> list[tuple[Any, ...]]:
    """(key..., grouping bits, count, measure...) per group and total."""
    values = {f"g{i}": d.value for i, d in enumerate(dims)}
    values |= {f"m{j}": m.value for j, m in enumerate(wanted) if m.value is not None}
    inner = records.annotate(**values).values(*values) if values else records.values("pk")
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:
        return []
    columns = [f"r.g{i}" for i in range(len(dims))]
    select = [d.label_sql.format(c) for d, c in zip(dims, columns, strict=True)]
    select.append(f"GROUPING({', '.join(columns)})" if columns else "0")
    select.append("count(*)")
    select += [m.sql(f"r.m{j}") for j, m in enumerate(wanted)]
    group = _grouping_sets(columns) if columns else ""
    query = f"SELECT {', '.join(select)} FROM ({sql}) AS r {group}"  # noqa: S608 (built here)
    with connections[records.db].cursor() as cursor:
        # The planner's estimate of a query over JSONB crosses the JIT thresholds, and
        # compiling it took longer (1-3 s at 100,000 cases) than running it: off for this
        # statement, as it was, after (transaction-local either way).
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        (jit, _) = cursor.fetchone()
        cursor.execute(query, params)
        rows = list(cursor.fetchall())
        cursor.execute("SELECT set_config('jit', %s, true)", [jit])
        return rows


def _figure(row: tuple[Any, ...], at: int) -> Figure:
    return Figure(count=int(row[at]), measures=[_number(v) for v in row[at + 1 :]])


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _sorted(cells: list[Cell]) -> list[Cell]:
    return sorted(cells, key=lambda c: tuple((k is None, k or "") for k in c.keys))


def aggregate(
    user: User,
    record_type: str,
    group_by: Sequence[str] = (),
    filter: Mapping[str, Any] | None = None,
    measure_specs: list[Mapping[str, Any]] | None = None,
) -> AggregateTable:
    """Counts and measures by `group_by` (stored field names, see dimensions.py) over the
    records of `record_type` the user may see that match `filter`."""
    records = filtered_records(user, record_type, filter)
    plan = access_plan(user, record_type)
    catalogue = record_catalogue(user, record_type)
    if len(group_by) > MAX_GROUPS:
        raise BadUserInput(f"groupBy: at most {MAX_GROUPS} keys.", field="groupBy")
    dims = [dimension(key, i, catalogue, plan, user.tenant_id) for i, key in enumerate(group_by)]
    wanted = measures(measure_specs, catalogue, plan)
    rows = _rows(records, dims, wanted)
    n = len(dims)
    full = (1 << n) - 1
    table = AggregateTable(
        record_type=record_type,
        group_by=tuple(d.key for d in dims),
        measures=tuple(MeasureInfo(m.function.value, m.field, m.since) for m in wanted),
        cells=[],
        total=Figure(0, [0.0 if m.function is MeasureFunction.COUNT else None for m in wanted]),
    )
    rows_by_key: list[Cell] = []
    columns_by_key: list[Cell] = []
    for row in rows:
        keys, grouping = row[:n], row[n]
        figure = _figure(row, n + 1)
        if grouping == full:
            table.total = figure
        elif grouping == 0:
            table.cells.append(Cell(tuple(keys), figure))
        elif grouping == 1:  # the second key rolled up: a row total
            rows_by_key.append(Cell((keys[0],), figure))
        else:
            columns_by_key.append(Cell((keys[1],), figure))
    table.cells = _sorted(table.cells)
    if n == MAX_GROUPS:
        table.row_totals, table.column_totals = _sorted(rows_by_key), _sorted(columns_by_key)
    if not has_exact_counts(user, record_type):
        suppress_small_cells(table, user.tenant.small_cell_threshold)
    return table
