"""The streamed workbook: cells land in their columns, text stays text, numbers numbers."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from backend.exports import xlsx


def test_column_letters_run_past_z() -> None:
    assert [xlsx.column_letters(i) for i in (0, 25, 26, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "ZZ",
        "AAA",
    ]


def test_a_sparse_row_reads_back_in_its_columns(tmp_path: Path) -> None:
    book = xlsx.Workbook(tmp_path / "book.xlsx")
    sheet = book.add_sheet("حالات", right_to_left=True)
    other = book.add_sheet('a "quoted" & <odd> title')
    sheet.append(["ID", "Name", "Age"])
    sheet.write_cells([(0, "c1"), (2, 7), (30, "far & <away>")])
    other.append([1.5, None, "  padded  "])
    book.close()

    loaded = openpyxl.load_workbook(tmp_path / "book.xlsx")
    first, second = loaded.worksheets
    assert first.title == "حالات"
    assert first.sheet_view.rightToLeft
    assert [c.value for c in first[2]][:3] == ["c1", None, 7]
    assert first.cell(row=2, column=31).value == "far & <away>"
    assert second.title == 'a "quoted" & <odd> title'
    assert [c.value for c in second[1]] == [1.5, None, "  padded  "]
    assert not list(tmp_path.glob("*.xml"))  # the sheets' temporary files are gone
