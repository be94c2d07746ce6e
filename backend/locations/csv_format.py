"""The CSV form of a location registry: `code,parent_code,admin_level,name_en,name_fr,...`.

One row per location; `parent_code` is empty for a country (level 0); a `name_<locale>`
column per locale. Rows may come in any order (children before their parents).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.error_codes import ErrorCode
from formengine.model import LOCALE_PATTERN

REQUIRED_COLUMNS = ("code", "parent_code", "admin_level")
NAME_PREFIX = "name_"
_LOCALE_RE = re.compile(LOCALE_PATTERN)


@dataclass(frozen=True)
class RowError:
    """A problem of one row (`row` is its line in the file; 1 is the header)."""

    row: int
    column: str
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class LocationRow:
    row: int
    code: str
    parent_code: str
    admin_level: str
    names: dict[str, str]


def parse_csv(text: str) -> tuple[list[LocationRow], list[RowError]]:
    """The rows of a CSV text, or the errors of its header."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [column.strip() for column in next(reader, [])]
    errors = _header_errors(header)
    if errors:
        return [], errors
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        values = dict(zip(header, (c.strip() for c in cells), strict=False))
        rows.append(
            LocationRow(
                row=reader.line_num,
                code=values.get("code", ""),
                parent_code=values.get("parent_code", ""),
                admin_level=values.get("admin_level", ""),
                # An empty cell clears that name; a locale without a column keeps its name.
                names={
                    column[len(NAME_PREFIX) :]: value
                    for column, value in values.items()
                    if column.startswith(NAME_PREFIX)
                },
            )
        )
    return rows, []


def rows_from_dicts(items: Iterable[Mapping[str, Any]]) -> list[LocationRow]:
    """Rows given as `export_locations` writes them (a configuration bundle); `row` counts
    from 1."""
    return [
        LocationRow(
            row=index,
            code=str(item.get("code") or ""),
            parent_code=str(item.get("parent_code") or ""),
            admin_level=str(item.get("admin_level", "")),
            names={
                str(k): str(v)
                for k, v in (item.get("names") or {}).items()
                if isinstance(v, str) and v.strip()
            },
        )
        for index, item in enumerate(items, start=1)
    ]


def render_csv(rows: Iterable[Mapping[str, Any]], locales: Iterable[str]) -> str:
    """Exported rows as a CSV text this module reads back."""
    columns = [*REQUIRED_COLUMNS, *(f"{NAME_PREFIX}{locale}" for locale in locales)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        names = row["names"]
        writer.writerow(
            [
                row["code"],
                row["parent_code"] or "",
                row["admin_level"],
                *(names.get(c[len(NAME_PREFIX) :], "") for c in columns[3:]),
            ]
        )
    return out.getvalue()


def _header_errors(header: list[str]) -> list[RowError]:
    def error(column: str, message: str) -> RowError:
        return RowError(1, column, ErrorCode.INVALID_LOCATION_CSV, message)

    expected = "the header is code,parent_code,admin_level,name_<locale>,..."
    errors = [
        error(c, f"missing column '{c}': {expected}") for c in REQUIRED_COLUMNS if c not in header
    ]
    for column in header:
        if column in REQUIRED_COLUMNS:
            continue
        locale = column[len(NAME_PREFIX) :] if column.startswith(NAME_PREFIX) else None
        if locale is None or not _LOCALE_RE.fullmatch(locale):
            errors.append(error(column, f"unknown column '{column}': {expected}"))
    if not any(c.startswith(NAME_PREFIX) for c in header):
        errors.append(error("name_", f"no name column: {expected}"))
    if len(set(header)) != len(header):
        errors.append(error("", "a column is repeated"))
    return errors
