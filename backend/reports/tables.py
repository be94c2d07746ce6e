"""What an aggregate answers: cells keyed by their group values, the totals of each row and
column of a two-way table, and the grand total; every figure a count with its measures."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Figure:
    """`count` and `measures` are None when suppressed; `display` is what to show."""

    count: int | None
    measures: list[float | None]
    suppressed: bool = False
    display: str = ""

    def __post_init__(self) -> None:
        if not self.display and self.count is not None:
            self.display = str(self.count)

    def hide(self, display: str) -> None:
        self.count = None
        self.measures = [None] * len(self.measures)
        self.suppressed = True
        self.display = display


@dataclass
class Cell:
    """`keys`: one value per `groupBy` key, None for records without a value."""

    keys: tuple[str | None, ...]
    figure: Figure


@dataclass(frozen=True)
class MeasureInfo:
    function: str
    field: str | None
    since: str | None


@dataclass
class AggregateTable:
    record_type: str
    group_by: tuple[str, ...]
    measures: tuple[MeasureInfo, ...]
    cells: list[Cell]
    total: Figure
    # Two keys (rows x columns): the totals of each row (by the first key) and column.
    row_totals: list[Cell] = field(default_factory=list)
    column_totals: list[Cell] = field(default_factory=list)
    # Counts under it are suppressed for this caller; None: the caller sees exact counts.
    threshold: int | None = None
