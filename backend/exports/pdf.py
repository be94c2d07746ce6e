"""A case summary per record as PDF: the permitted fields, form by form, in an embedded font
that has Arabic. Arabic is shaped (arabic-reshaper) and put in visual order (python-bidi)
before it is drawn, because the PDF canvas draws glyphs in the order given.

A PDF is built whole before it is saved, so it is for one record or a selection: at most
PDF_MAX_RECORDS (services.py refuses more).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import arabic_reshaper
from bidi import get_display
from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from backend.exports.columns import Column, Layout, cell, localised, system_cell
from backend.exports.writers import right_to_left
from backend.records.reading import RecordView
from formengine.record_schema import RecordSchema

FONT = "ExportSans"
MARGIN = 40
LINE = 14
_reshaper = arabic_reshaper.ArabicReshaper()


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, settings.EXPORT_PDF_FONT))


def visual(text: str) -> str:
    """Text as the canvas must draw it: Arabic letters joined, right-to-left runs reversed."""
    if not any("\u0590" <= ch <= "\u08ff" for ch in text):
        return text
    return str(get_display(_reshaper.reshape(text)))


class PdfWriter:
    def __init__(self, path: Path, layout: Layout, schema: RecordSchema) -> None:
        _register_font()
        self.layout = layout
        self.rtl = right_to_left(layout.locale)
        self.canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
        self.width, self.height = A4
        self.y = self.height - MARGIN
        shown = {c.name: c for c in layout.fields}
        subforms = {s.column.name: s for s in layout.subforms}
        # Each form's permitted columns, in form order; a shared field under its first form.
        self.forms: list[tuple[str, list[Any]]] = []
        placed: set[str] = set()
        for form in schema.forms:
            items: list[Any] = []
            for field in form.fields:
                if field.name in placed:
                    continue
                item = shown.get(field.name) or subforms.get(field.name)
                if item is not None:
                    items.append(item)
                    placed.add(field.name)
            if items:
                self.forms.append((localised(form.label, layout.locale, form.key), items))

    def _line(self, text: str, size: int = 10, indent: int = 0) -> None:
        if self.y < MARGIN + LINE:
            self.canvas.showPage()
            self.y = self.height - MARGIN
        self.canvas.setFont(FONT, size)
        shaped = visual(text)
        if self.rtl:
            self.canvas.drawRightString(self.width - MARGIN - indent, self.y, shaped)
        else:
            self.canvas.drawString(MARGIN + indent, self.y, shaped)
        self.y -= LINE + (size - 10)

    def _value(self, column: Column, value: Any) -> str:
        shown = cell(column, value, self.layout.locale)
        if isinstance(shown, str) and shown.startswith("'"):
            shown = shown[1:]  # a PDF runs no formulas: show the text as typed
        return "" if shown is None else str(shown)

    def write(self, views: Sequence[RecordView]) -> None:
        for view in views:
            record = view.record
            self._line(f"{self.layout.system_label('short_id')} {record.short_id}", size=16)
            for key, label in self.layout.system[1:]:
                self._line(f"{label}: {system_cell(key, record) or ''}")
            for form_label, items in self.forms:
                self.y -= 4
                self._line(form_label, size=12)
                for item in items:
                    self._item(view, item)
            self.canvas.showPage()
            self.y = self.height - MARGIN

    def _item(self, view: RecordView, item: Any) -> None:
        if isinstance(item, Column):
            if item.name in view.values:
                self._line(f"{item.label}: {self._value(item, view.values[item.name])}", indent=8)
            return
        entries = view.values.get(item.column.name)
        if not isinstance(entries, list):
            return
        self._line(item.column.label, indent=8)
        for index, entry in enumerate(entries, start=1):
            self._line(f"{index}.", indent=16)
            for child in item.children:
                if child.name in entry:
                    self._line(f"{child.label}: {self._value(child, entry[child.name])}", indent=24)

    def size(self) -> int | None:
        return None  # written when saved: checked then

    def close(self) -> None:
        self.canvas.save()
