"""A streaming XLSX (Office Open XML) workbook: rows of text and numbers, written as they come.

Each sheet's rows go to a temporary file as XML (inline strings: no shared-string table
growing with the rows); closing zips the parts together, copying the sheets from disk in
chunks. Memory stays flat in the number of rows, and a cell costs one string operation,
where general-purpose libraries spend tens of Python calls on it (the export of 100,000
cases with 200+ columns is mostly cells).

Only what an export needs: text and numbers, right to left, no styles beyond the default.
"""

from __future__ import annotations

import math
import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAX_CELL_TEXT = 32767  # Excel's limit on a cell's characters
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# XML 1.0 cannot carry most control characters: Excel's own escape (_xHHHH_) keeps them.
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_ESCAPES |= {c: f"_x{c:04X}_" for c in range(32) if chr(c) not in "\t\n\r"}
_ESCAPES |= {0xFFFE: "_xFFFE_", 0xFFFF: "_xFFFF_"}
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")  # typed text Excel would read as an escape


def _text(value: str) -> str:
    if len(value) > MAX_CELL_TEXT:
        value = value[:MAX_CELL_TEXT]
    if "_x" in value:
        value = _ESCAPE_LIKE.sub(r"_x005F_\1", value)
    return value.translate(_ESCAPES)


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class Sheet:
    """One worksheet, its rows written to a temporary file in order."""

    def __init__(self, title: str, right_to_left: bool, work_dir: Path) -> None:
        self.title = title
        handle, name = tempfile.mkstemp(suffix=".xml", dir=work_dir)
        self.path = Path(name)
        self.file: TextIO = open(handle, "w", encoding="utf-8")  # noqa: SIM115 (closed in finish)
        self.rows = 0
        self.letters: list[str] = []
        view = ' rightToLeft="1"' if right_to_left else ""
        self.file.write(
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}"><sheetViews><sheetView{view}'
            ' workbookViewId="0"/></sheetViews><sheetData>'
        )

    def append(self, values: Iterable[Any]) -> None:
        """A row; None leaves a cell empty."""
        self.write_cells(enumerate(values))

    def write_cells(self, cells: Iterable[tuple[int, Any]]) -> None:
        """A row given as (column index, value) in increasing column order."""
        self.rows += 1
        number = str(self.rows)
        parts = [f'<row r="{number}">']
        for column, value in cells:
            if value is None:
                continue
            while column >= len(self.letters):
                self.letters.append(column_letters(len(self.letters)))
            at = self.letters[column] + number
            if isinstance(value, bool) or not isinstance(value, int | float):
                text = _text(str(value))
                parts.append(f'<c r="{at}" t="inlineStr"><is><t xml:space="preserve">')
                parts.append(text)
                parts.append("</t></is></c>")
            elif isinstance(value, float) and not math.isfinite(value):
                parts.append(f'<c r="{at}" t="inlineStr"><is><t>{value}</t></is></c>')
            else:
                parts.append(f'<c r="{at}"><v>{value!r}</v></c>')
        parts.append("</row>")
        self.file.write("".join(parts))

    def finish(self) -> None:
        self.file.write("</sheetData></worksheet>")
        self.file.close()


class Workbook:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheets: list[Sheet] = []

    def add_sheet(self, title: str, right_to_left: bool = False) -> Sheet:
        sheet = Sheet(title, right_to_left, self.path.parent)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.finish()
        try:
            with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as book:
                book.writestr("[Content_Types].xml", self._content_types())
                book.writestr(
                    "_rels/.rels",
                    f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
                    f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
                )
                book.writestr("xl/workbook.xml", self._workbook())
                book.writestr("xl/_rels/workbook.xml.rels", self._workbook_relations())
                book.writestr("xl/styles.xml", STYLES)
                for number, sheet in enumerate(self.sheets, start=1):
                    book.write(sheet.path, f"xl/worksheets/sheet{number}.xml")
        finally:
            for sheet in self.sheets:
                sheet.path.unlink(missing_ok=True)

    def _content_types(self) -> str:
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{kind}.worksheet+xml"/>'
            for n in range(1, len(self.sheets) + 1)
        )
        return (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/>'
            f"{sheets}</Types>"
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name={quoteattr(s.title)} sheetId="{n}" r:id="rId{n}"/>'
            for n, s in enumerate(self.sheets, start=1)
        )
        return (
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f"<sheets>{sheets}</sheets></workbook>"
        )

    def _workbook_relations(self) -> str:
        count = len(self.sheets)
        sheets = "".join(
            f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        )
        styles = f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
        return f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">{sheets}{styles}</Relationships>'


STYLES = (
    f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
