"""Writing an export's rows to a local file as they come, one batch at a time.

No writer holds more than a batch: CSV and JSON write through, XLSX streams each sheet to
its own temporary file until the workbook is closed (xlsx.py).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson

from backend.exports import xlsx
from backend.exports.columns import Column, Layout, cell, system_cell
from backend.records.reading import RecordView

RTL_LOCALES = frozenset({"ar", "fa", "he", "ps", "ur", "ku", "ckb", "sd", "yi", "dv"})
SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def right_to_left(locale: str) -> bool:
    return locale.split("-")[0].lower() in RTL_LOCALES


class ExportWriter(Protocol):
    def write(self, views: Sequence[RecordView]) -> None: ...

    def size(self) -> int | None:
        """Bytes written so far; None where the size is known only once closed."""
        ...

    def close(self) -> None: ...


def _entries(view: RecordView, name: str) -> list[Mapping[str, Any]]:
    value = view.values.get(name)
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, Mapping)]


def _positions(layout: Layout) -> dict[str, tuple[int, Column]]:
    """Field name -> its column's place in a row (after the system columns) and the column."""
    first = len(layout.system)
    return {c.name: (first + i, c) for i, c in enumerate(layout.fields)}


def _field_cells(
    positions: Mapping[str, tuple[int, Column]], values: Mapping[str, Any], locale: str
) -> list[tuple[int, Any]]:
    """(place, cell) of each field value a record holds: a record holds a few of the
    hundreds of columns, so its values are visited, not the columns."""
    found = []
    for name, value in values.items():
        place = positions.get(name)
        if place is not None:
            found.append((place[0], cell(place[1], value, locale)))
    return found


class CsvWriter:
    """UTF-8 with a BOM (spreadsheet programs then read Arabic right); each subform as
    repeated column groups, as many as the most entries a found record has."""

    def __init__(self, path: Path, layout: Layout, entry_counts: Mapping[str, int]) -> None:
        self.layout = layout
        self.counts = entry_counts
        self.file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self.csv = csv.writer(self.file)
        self.positions = _positions(layout)
        self.blank: list[Any] = [None] * len(layout.fields)
        header = [label for _, label in layout.system]
        header += [c.label for c in layout.fields]
        for subform in layout.subforms:
            for index in range(1, self.counts.get(subform.column.name, 0) + 1):
                header += [f"{subform.column.label} {index}: {c.label}" for c in subform.children]
        self.csv.writerow(header)

    def write(self, views: Sequence[RecordView]) -> None:
        locale = self.layout.locale
        for view in views:
            row = [system_cell(key, view.record) for key, _ in self.layout.system]
            row += self.blank
            for at, value in _field_cells(self.positions, view.values, locale):
                row[at] = value
            for subform in self.layout.subforms:
                entries = _entries(view, subform.column.name)
                for index in range(self.counts.get(subform.column.name, 0)):
                    entry = entries[index] if index < len(entries) else {}
                    row += [cell(c, entry.get(c.name), locale) for c in subform.children]
            self.csv.writerow(["" if v is None else v for v in row])

    def size(self) -> int | None:
        self.file.flush()
        return os.fstat(self.file.fileno()).st_size

    def close(self) -> None:
        self.file.close()


class XlsxWriter:
    """The records on the first sheet, each subform on a sheet of its own (one row per
    entry, with the record's ID); right to left for right-to-left locales. Streamed
    (xlsx.py): every cell is text or a number, never read as a formula or markup."""

    def __init__(self, path: Path, layout: Layout, record_type: str) -> None:
        self.layout = layout
        self.book = xlsx.Workbook(path)
        self.positions = _positions(layout)
        rtl = right_to_left(layout.locale)
        titles: set[str] = {"history"}  # a name Excel keeps for itself

        def sheet(label: str) -> xlsx.Sheet:
            return self.book.add_sheet(_sheet_title(label, titles), rtl)

        self.main = sheet(record_type)
        self.main.append([label for _, label in layout.system] + [c.label for c in layout.fields])
        self.subform_sheets: list[xlsx.Sheet] = []
        id_label = layout.system_label("short_id")
        entry_label = layout.system_label("entry")
        for subform in layout.subforms:
            created = sheet(subform.column.label)
            created.append([id_label, entry_label] + [c.label for c in subform.children])
            self.subform_sheets.append(created)

    def write(self, views: Sequence[RecordView]) -> None:
        locale = self.layout.locale
        system, positions = self.layout.system, self.positions
        for view in views:
            cells = [(i, system_cell(key, view.record)) for i, (key, _) in enumerate(system)]
            cells += sorted(_field_cells(positions, view.values, locale), key=itemgetter(0))
            self.main.write_cells(cells)
            if not self.subform_sheets:
                continue
            short_id = system_cell("short_id", view.record)
            for subform, target in zip(self.layout.subforms, self.subform_sheets, strict=True):
                for index, entry in enumerate(_entries(view, subform.column.name), start=1):
                    values = [cell(c, entry.get(c.name), locale) for c in subform.children]
                    target.append([short_id, index, *values])

    def size(self) -> int | None:
        return None  # compressed when the workbook closes: checked then

    def close(self) -> None:
        self.book.close()


def _sheet_title(label: str, taken: set[str]) -> str:
    base = label.translate(SHEET_TITLE_FORBIDDEN).strip().strip("'")[:28] or "Sheet"
    title, number = base, 2
    while title.lower() in taken:
        title = f"{base[:25]} {number}"
        number += 1
    taken.add(title.lower())
    return title


class JsonWriter:
    """The records as stored: field names, option ids and subform entries kept; only the
    permitted values of the chosen fields."""

    def __init__(self, path: Path, layout: Layout, record_type: str) -> None:
        self.file: BinaryIO = open(path, "wb")  # noqa: SIM115
        names = [c.name for c in layout.fields] + [s.column.name for s in layout.subforms]
        self.names = names
        self.file.write(
            b'{"recordType":'
            + orjson.dumps(record_type)
            + b',"locale":'
            + orjson.dumps(layout.locale)
            + b',"records":['
        )
        self.first = True

    def write(self, views: Sequence[RecordView]) -> None:
        for view in views:
            record = view.record
            item = {
                "id": str(record.pk),
                "shortId": record.short_id,
                "status": record.status,
                "owner": record.owner.username if record.owner is not None else None,
                "createdAt": record.created_at.isoformat(),
                "updatedAt": record.updated_at.isoformat(),
                "data": {n: view.values[n] for n in self.names if n in view.values},
            }
            self.file.write((b"" if self.first else b",") + b"\n" + orjson.dumps(item))
            self.first = False

    def size(self) -> int | None:
        return self.file.tell()

    def close(self) -> None:
        self.file.write(b"\n]}\n")
        self.file.close()
