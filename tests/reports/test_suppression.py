"""Small-cell suppression of a two-way table: no hidden cell can be worked out from the
figures shown (no subtraction from a row, column or grand total)."""

from __future__ import annotations

from backend.reports.suppression import suppress_small_cells
from backend.reports.tables import AggregateTable, Cell, Figure, MeasureInfo


def _table(counts: dict[tuple[str, str], int]) -> AggregateTable:
    rows = sorted({r for r, _ in counts})
    columns = sorted({c for _, c in counts})

    def figure(n: int) -> Figure:
        return Figure(n, [float(n), float(n * 10)])

    return AggregateTable(
        record_type="case",
        group_by=("a", "b"),
        measures=(MeasureInfo("COUNT", None, None), MeasureInfo("SUM", "x", None)),
        cells=[Cell(k, figure(n)) for k, n in counts.items()],
        total=figure(sum(counts.values())),
        row_totals=[
            Cell((r,), figure(sum(n for (rr, _), n in counts.items() if rr == r))) for r in rows
        ],
        column_totals=[
            Cell((c,), figure(sum(n for (_, cc), n in counts.items() if cc == c))) for c in columns
        ],
    )


def _shown(cells: list[Cell]) -> dict[tuple[str | None, ...], int | None]:
    return {c.keys: c.figure.count for c in cells}


def test_totals_over_a_hidden_cell_are_hidden_with_their_measures() -> None:
    table = suppress_small_cells(
        _table({("r1", "c1"): 3, ("r1", "c2"): 10, ("r2", "c1"): 8, ("r2", "c2"): 12}), 5
    )

    assert _shown(table.cells) == {
        ("r1", "c1"): None,
        ("r1", "c2"): 10,
        ("r2", "c1"): 8,
        ("r2", "c2"): 12,
    }
    assert _shown(table.row_totals) == {("r1",): None, ("r2",): 20}
    assert _shown(table.column_totals) == {("c1",): None, ("c2",): 22}
    assert table.total.count is None
    hidden = [table.cells[0].figure, table.row_totals[0].figure, table.total]
    assert all(f.measures == [None, None] and f.suppressed for f in hidden)
    # what is shown instead is what anyone could add up from the shown cells
    assert [f.display for f in hidden] == ["<5", "≥11", "≥31"]


def test_no_hidden_cell_follows_from_the_figures_shown() -> None:
    counts = {("r1", "c1"): 2, ("r1", "c2"): 30, ("r2", "c1"): 4, ("r2", "c2"): 7, ("r3", "c1"): 9}
    table = suppress_small_cells(_table(counts), 5)
    known = {k: n for k, n in _shown(table.cells).items() if n is not None}
    rows = {k[0]: n for k, n in _shown(table.row_totals).items() if n is not None}
    columns = {k[0]: n for k, n in _shown(table.column_totals).items() if n is not None}
    # every line (row or column) holding a hidden cell has its total hidden too
    for (row, column), n in _shown(table.cells).items():
        if n is None:
            assert row not in rows
            assert column not in columns
    assert table.total.count is None
    assert known == {("r1", "c2"): 30, ("r2", "c2"): 7, ("r3", "c1"): 9}
    assert rows == {"r3": 9}


def test_nothing_is_hidden_when_every_cell_is_large_enough() -> None:
    table = suppress_small_cells(_table({("r1", "c1"): 5, ("r2", "c1"): 9}), 5)

    assert _shown(table.cells) == {("r1", "c1"): 5, ("r2", "c1"): 9}
    assert table.total.count == 14
    assert table.total.display == "14"


def test_an_ungrouped_count_under_the_threshold_is_hidden() -> None:
    table = AggregateTable("case", (), (MeasureInfo("COUNT", None, None),), [], Figure(2, [2.0]))

    suppress_small_cells(table, 5)

    assert (table.total.count, table.total.display) == (None, "<5")
