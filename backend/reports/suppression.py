"""Small-cell suppression, so that no individual can be singled out from an aggregate.

For a caller without exact counts (see `exact_counts`), a cell counting from 1 to
threshold - 1 records shows `<threshold` and neither its count nor its measures. A total is
the sum of its cells, so a total shown exactly next to hidden cells would give them away
by subtraction (one hidden cell: exactly; several: their sum, and with it often each one,
since each lies between 1 and threshold - 1; in a two-way table, through chains of row,
column and grand totals). So a total is hidden, with its measures, as soon as any cell it
sums is: a row total when a cell of its row is, a column total likewise, the grand total
when any cell is. It shows instead the lower bound anyone could work out from the shown
cells (`≥N`: the shown counts plus one per hidden cell). With every total over a hidden
cell hidden, each equation linking a hidden cell to shown figures has a second unknown,
and the hidden cell stays anywhere between 1 and threshold - 1.

Not covered (as in any cell suppression): differences between two aggregates with
different filters; zero counts are shown (they single out nobody); an empty group is
never listed.
"""

from __future__ import annotations

from collections.abc import Iterable

from backend.reports.tables import AggregateTable, Cell, Figure


def _small(figure: Figure, threshold: int) -> bool:
    return figure.count is not None and 0 < figure.count < threshold


def _hide_total(total: Figure, parts: Iterable[Figure], threshold: int) -> None:
    parts = list(parts)
    if _small(total, threshold):
        total.hide(f"<{threshold}")
        return
    hidden = [p for p in parts if p.suppressed]
    if hidden:
        shown = sum(p.count or 0 for p in parts if not p.suppressed)
        total.hide(f"≥{shown + len(hidden)}")


def _in_line(cells: list[Cell], index: int, key: str | None) -> list[Figure]:
    return [c.figure for c in cells if c.keys[index] == key]


def suppress_small_cells(table: AggregateTable, threshold: int) -> AggregateTable:
    """The table as a caller without exact counts sees it (changed in place)."""
    table.threshold = threshold
    for cell in table.cells:
        if _small(cell.figure, threshold):
            cell.figure.hide(f"<{threshold}")
    for row in table.row_totals:
        _hide_total(row.figure, _in_line(table.cells, 0, row.keys[0]), threshold)
    for column in table.column_totals:
        _hide_total(column.figure, _in_line(table.cells, 1, column.keys[0]), threshold)
    _hide_total(table.total, (c.figure for c in table.cells), threshold)
    return table
