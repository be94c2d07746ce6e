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


def _two_level(sql: str, n: int, wanted: list[Measure], labels: list[str]) -> str:
    """Group the records by every key (a plain GROUP BY, which PostgreSQL runs in parallel
    workers), then roll those few groups up into the grouping sets. GROUPING SETS straight
    over the records runs in one process: 3-5x slower at 30,000 records."""
    keys = [f"r.g{i}" for i in range(n)]
    inner = [f"{k} AS g{i}" for i, k in enumerate(keys)] + ["count(*) AS records"]
    for j, m in enumerate(wanted):
        inner += m.partials(f"r.m{j}", f"m{j}")
    fine = (
        f"SELECT {', '.join(inner)} FROM ({sql}) AS r "  # noqa: S608 (built here)
        f"GROUP BY {', '.join(keys)}"
    )
    columns = [f"t.g{i}" for i in range(n)]
    select = [label.format(c) for label, c in zip(labels, columns, strict=True)]
    select.append(f"GROUPING({', '.join(columns)})")
    select.append("COALESCE(sum(t.records), 0)")  # no records: no fine group, a total of 0
    select += [m.combined(f"t.m{j}", "t.records") for j, m in enumerate(wanted)]
    return f"SELECT {', '.join(select)} FROM ({fine}) AS t {_grouping_sets(columns)}"  # noqa: S608


def _rows(records: Any, dims: list[Dimension], wanted: list[Measure]) -> list[tuple[Any, ...]]:
    """(key..., grouping bits, count, measure...) per group and total."""
    values = {f"g{i}": d.value for i, d in enumerate(dims)}
    values |= {f"m{j}": m.value for j, m in enumerate(wanted) if m.value is not None}
    inner = records.annotate(**values).values(*values) if values else records.values("pk")
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:
        return []
    if dims:
        query = _two_level(sql, len(dims), wanted, [d.label_sql for d in dims])
    else:
        select = ["0", "count(*)"] + [m.sql(f"r.m{j}") for j, m in enumerate(wanted)]
        query = f"SELECT {', '.join(select)} FROM ({sql}) AS r"  # noqa: S608 (built here)
    with connections[records.db].cursor() as cursor:
        # The planner's estimate of a query over JSONB crosses the JIT thresholds, and
        # compiling it took longer (1-3 s at 100,000 cases) than running it: off for this
        # statement, as it was, after (transaction-local either way).
        # And it takes every record for a group of its own (it has no statistics on
        # expressions over JSONB), so it sorts the records, `data` and all, spilling to
        # disk, where hashing them into the few groups there are is 2x faster: sorting
        # discouraged for this statement too.
        cursor.execute(
            "SELECT current_setting('jit'), current_setting('enable_sort'),"
            " set_config('jit', 'off', true), set_config('enable_sort', 'off', true)"
        )
        (jit, enable_sort, _, _) = cursor.fetchone()
        cursor.execute(query, params)
        rows = list(cursor.fetchall())
        cursor.execute(
            "SELECT set_config('jit', %s, true), set_config('enable_sort', %s, true)",
            [jit, enable_sort],
        )
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
