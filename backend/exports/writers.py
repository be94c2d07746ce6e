"""Writing an export's rows to a local file as they come, one batch at a time.

No writer holds more than a batch: CSV and JSON write through, XLSX uses openpyxl's
write-only mode (each sheet streams to its own temporary file until the workbook is saved).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from backend.exports.columns import Layout, cell, system_cell
from backend.records.reading import RecordView

RTL_LOCALES = frozenset({"ar", "fa", "he", "ps", "ur", "ku", "ckb", "sd", "yi", "dv"})
SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def right_to_left(locale: str) -> bool:
    return locale.split("-")[0].lower() in RTL_LOCALES


class ExportWriter(Protocol):
    def write(self, views: Sequence[RecordView]) -> None: ...

    def close(self) -> None: ...


def _entries(view: RecordView, name: str) -> list[Mapping[str, Any]]:
    value = view.values.get(name)
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, Mapping)]


class CsvWriter:
    """UTF-8 with a BOM (spreadsheet programs then read Arabic right); each subform as
    repeated column groups, as many as the most entries a found record has."""

    def __init__(self, path: Path, layout: Layout, entry_counts: Mapping[str, int]) -> None:
        self.layout = layout
        self.counts = entry_counts
        self.file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self.csv = csv.writer(self.file)
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
            row += [cell(c, view.values.get(c.name), locale) for c in self.layout.fields]
            for subform in self.layout.subforms:
                entries = _entries(view, subform.column.name)
                for index in range(self.counts.get(subform.column.name, 0)):
                    entry = entries[index] if index < len(entries) else {}
                    row += [cell(c, entry.get(c.name), locale) for c in subform.children]
            self.csv.writerow(["" if v is None else v for v in row])

    def close(self) -> None:
        self.file.close()


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


class XlsxWriter:
    """The records on the first sheet, each subform on a sheet of its own (one row per
    entry, with the record's ID); right to left for right-to-left locales."""

    def __init__(self, path: Path, layout: Layout, record_type: str) -> None:
        self.path = path
        self.layout = layout
        self.book = Workbook(write_only=True)
        rtl = right_to_left(layout.locale)
        titles: set[str] = set()

        def sheet(label: str) -> Any:
            title = _sheet_title(label, titles)
            created = self.book.create_sheet(title)
            created.sheet_view.rightToLeft = rtl
            return created

        self.main = sheet(record_type)
        self.main.append([label for _, label in layout.system] + [c.label for c in layout.fields])
        self.subform_sheets = []
        id_label = layout.system_label("short_id")
        entry_label = layout.system_label("entry")
        for subform in layout.subforms:
            created = sheet(subform.column.label)
            created.append([id_label, entry_label] + [c.label for c in subform.children])
            self.subform_sheets.append(created)

    def write(self, views: Sequence[RecordView]) -> None:
        locale = self.layout.locale
        for view in views:
            row = [system_cell(key, view.record) for key, _ in self.layout.system]
            row += [cell(c, view.values.get(c.name), locale) for c in self.layout.fields]
            self.main.append([_clean(v) for v in row])
            short_id = system_cell("short_id", view.record)
            for subform, target in zip(self.layout.subforms, self.subform_sheets, strict=True):
                for index, entry in enumerate(_entries(view, subform.column.name), start=1):
                    cells = [cell(c, entry.get(c.name), locale) for c in subform.children]
                    target.append([short_id, index, *(_clean(v) for v in cells)])

    def close(self) -> None:
        self.book.save(self.path)


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

    def close(self) -> None:
        self.file.write(b"\n]}\n")
        self.file.close()
