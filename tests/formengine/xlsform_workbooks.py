"""XLSForm workbooks built in memory with openpyxl, as an administrator would write them."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

Sheet = Sequence[Sequence[object]]


def xlsx(sheets: dict[str, Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


LABELS = ("label::English (en)", "label::French (fr)", "label::Arabic (ar)")

CHILD_SURVEY: Sheet = [
    ("type", "name", *LABELS, "hint::English (en)", "required", "relevant", "constraint"),
    ("start", "start", "", "", "", "", "", "", ""),
    (
        "text",
        "child_name",
        "Child's name",
        "Nom de l'enfant",
        "اسم الطفل",
        "As known",
        "yes",
        "",
        "",
    ),
    ("integer", "child_age", "Age", "Âge", "العمر", "", "yes", "", ". >= 0 and . <= 17"),
    ("select_one yes_no", "in_school", "In school?", "Scolarisé ?", "في المدرسة؟", "", "", "", ""),
    ("text", "school_name", "School", "École", "المدرسة", "", "", "${in_school} = 'yes'", ""),
    ("select_multiple needs", "needs", "Needs", "Besoins", "الاحتياجات", "", "", "", ""),
    ("begin group", "health", "Health", "Santé", "الصحة", "", "", "${child_age} < 5", ""),
    ("decimal", "weight_kg", "Weight", "Poids", "الوزن", "", "", "selected(${needs}, 'food')", ""),
    ("end group", "", "", "", "", "", "", "", ""),
    ("begin repeat", "siblings", "Siblings", "Frères et sœurs", "الإخوة", "", "", "", ""),
    ("text", "sibling_name", "Name", "Nom", "الاسم", "", "yes", "", ""),
    ("integer", "sibling_age", "Age", "Âge", "العمر", "", "", "", ". >= 0"),
    ("end repeat", "", "", "", "", "", "", "", ""),
    ("date", "interview_date", "Date", "Date", "التاريخ", "", "", "", ". <= today()"),
]
CHILD_CHOICES: Sheet = [
    ("list_name", "name", *LABELS),
    ("yes_no", "yes", "Yes", "Oui", "نعم"),
    ("yes_no", "no", "No", "Non", "لا"),
    ("needs", "food", "Food", "Nourriture", "غذاء"),
    ("needs", "shelter", "Shelter", "Abri", "مأوى"),
]
CHILD_SETTINGS: Sheet = [
    ("form_title", "form_id", "default_language"),
    ("Child intake", "child_intake", "English (en)"),
]


def child_intake(**replace_rows: Sequence[object]) -> bytes:
    """The child intake form; `replace_rows={"3": (...)}` swaps survey row 3 for another."""
    survey = list(CHILD_SURVEY)
    for number, row in replace_rows.items():
        survey[int(number.lstrip("r")) - 1] = row
    return xlsx({"survey": survey, "choices": CHILD_CHOICES, "settings": CHILD_SETTINGS})


def with_columns(survey: Sheet, **columns: dict[int, object]) -> list[tuple[object, ...]]:
    """The survey with more columns: `read_only={5: "yes"}` fills survey row 5's cell."""
    rows = [tuple(row) for row in survey]
    rows[0] = (*rows[0], *columns)
    for number in range(2, len(rows) + 1):
        cells = tuple(values.get(number, "") for values in columns.values())
        rows[number - 1] = (*rows[number - 1], *cells)
    return rows


def child_intake_with(**columns: dict[int, object]) -> bytes:
    """The child intake form with more survey columns (see `with_columns`)."""
    survey = with_columns(CHILD_SURVEY, **columns)
    return xlsx({"survey": survey, "choices": CHILD_CHOICES, "settings": CHILD_SETTINGS})
