"""XLSForm workbooks convert into form definitions; rows that cannot are named by sheet and row."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest

from formengine import validate_form_set
from formengine.xlsform import convert_xlsform
from formengine.xlsform_expressions import Target, Untranslatable, relevant_condition
from tests.formengine.xlsform_workbooks import (
    CHILD_CHOICES,
    CHILD_SETTINGS,
    CHILD_SURVEY,
    child_intake,
    child_intake_with,
    xlsx,
)

REPO = Path(__file__).resolve().parents[2]


def _field(document, name):
    return next(f for f in document["fields"] if f["name"] == name)


def test_a_multilingual_form_converts_into_a_valid_definition():
    conversion = convert_xlsform(child_intake())

    document = conversion.document
    assert conversion.errors == ()
    assert validate_form_set([document]) == []
    assert (document["key"], document["record_type"], document["label"]) == (
        "child_intake",
        "case",
        {"en": "Child intake"},
    )
    assert _field(document, "child_name") == {
        "name": "child_name",
        "type": "text",
        "label": {"en": "Child's name", "fr": "Nom de l'enfant", "ar": "اسم الطفل"},
        "help": {"en": "As known"},
        "required": True,
    }
    assert _field(document, "child_age")["min"] == 0
    assert _field(document, "child_age")["max"] == 17
    assert _field(document, "in_school")["options"][1] == {
        "id": "no",
        "label": {"en": "No", "fr": "Non", "ar": "لا"},
    }
    assert _field(document, "needs")["type"] == "multi_select"
    assert _field(document, "school_name")["visible_if"] == {"eq": ["in_school", "yes"]}
    # the group is flattened: a separator, and its condition joins its questions'
    assert _field(document, "health")["type"] == "separator"
    assert _field(document, "weight_kg")["visible_if"] == {
        "and": [{"lt": ["child_age", 5]}, {"eq": ["needs", "food"]}]
    }
    siblings = _field(document, "siblings")
    assert siblings["type"] == "subform"
    assert [f["name"] for f in siblings["fields"]] == ["sibling_name", "sibling_age"]
    assert _field(document, "interview_date")["not_future"] is True
    assert [str(w) for w in conversion.warnings] == [
        "survey row 2: metadata 'start' is skipped: records keep their own"
    ]


def test_a_row_without_equivalent_is_named_by_sheet_and_row_and_nothing_is_converted():
    conversion = convert_xlsform(
        child_intake(r15=("geotrace", "route", "Route", "", "", "", "", "", ""))
    )

    assert conversion.document is None
    assert [str(e) for e in conversion.errors] == [
        "survey row 15: type 'geotrace' has no equivalent"
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ("text", "childName", "Name", "", "", "", "", "", ""),
            "survey row 3: name 'childName' is not snake_case (a-z, 0-9 and _, at most 63), "
            "e.g. 'child_name'",
        ),
        (
            ("text", "school", "School", "", "", "", "", "count(${needs}) > 1", ""),
            "survey row 3: relevant 'count(${needs}) > 1' has no equivalent: "
            "the function count() has no equivalent",
        ),
        (
            ("integer", "score", "Score", "", "", "", "", "", ". mod 2 = 0"),
            "survey row 3: constraint '. mod 2 = 0' has no equivalent: cannot read "
            "'. mod 2 = 0' at ' mod '",
        ),
        (
            ("text", "school", "School", "", "", "", "${child_age} > 5", "", ""),
            "survey row 3: required '${child_age} > 5': a question is required always or "
            "never here (while it is visible)",
        ),
        (
            ("select_one colours", "colour", "Colour", "", "", "", "", "", ""),
            "survey row 3: type 'select_one colours': no choice list 'colours'",
        ),
    ],
)
def test_each_unconvertible_row_has_its_own_error(row, message):
    conversion = convert_xlsform(child_intake(r3=row))

    assert conversion.document is None
    assert message in [str(e) for e in conversion.errors]


def test_validation_errors_are_reported_at_the_row_they_come_from():
    choices = [*CHILD_CHOICES, ("needs", "food", "Food again", "", "")]
    survey = [*CHILD_SURVEY, ("text", "child_name", "Again", "", "", "", "", "", "")]

    conversion = convert_xlsform(
        xlsx({"survey": survey, "choices": choices, "settings": CHILD_SETTINGS})
    )

    messages = [str(e) for e in conversion.errors]
    assert any(m.startswith("survey row 16: ") and "DUPLICATE_FIELD_NAME" in m for m in messages)
    assert any(m.startswith("choices row 6: ") and "DUPLICATE_OPTION_ID" in m for m in messages)


def test_unbalanced_groups_and_repeats_too_deep_are_errors():
    header = CHILD_SURVEY[0]
    blank = ("",) * (len(header) - 2)
    survey = [
        header,
        ("begin repeat", "a", *blank),
        ("begin repeat", "b", *blank),
        ("begin repeat", "c", *blank),
        ("text", "d", *blank),
        ("end repeat", "", *blank),
        ("end repeat", "", *blank),
        ("end group", "", *blank),
    ]

    conversion = convert_xlsform(xlsx({"survey": survey, "settings": CHILD_SETTINGS}))

    assert [str(e) for e in conversion.errors] == [
        "survey row 4: a repeat inside a repeat inside a repeat has no equivalent "
        "(subforms nest two deep)",
        "survey row 8: 'end group' closes no open group",
        "survey row 2: 'begin repeat' has no 'end repeat'",
    ]


def test_a_file_that_is_no_workbook_is_one_error():
    conversion = convert_xlsform(b"not a spreadsheet")

    assert [str(e) for e in conversion.errors] == ["workbook: the file is not an .xlsx workbook"]


def test_relevant_expressions_convert_when_our_conditions_can_say_them():
    targets = {
        "a": Target("select", frozenset({"yes", "no"})),
        "n": Target("integer"),
        "d": Target("date"),
        "m": Target("multi_select", frozenset({"x"})),
    }

    assert relevant_condition(
        "${a} = 'yes' and (${n} >= 5 or not(selected(${m}, 'x')))", targets
    ) == {"and": [{"eq": ["a", "yes"]}, {"or": [{"ge": ["n", 5]}, {"not": {"eq": ["m", "x"]}}]}]}
    assert relevant_condition("18 > ${n}", targets) == {"lt": ["n", 18]}
    assert relevant_condition("${a} != ''", targets) == {"ne": ["a", None]}
    assert relevant_condition("${d} > date('2020-01-31')", targets) == {"gt": ["d", "2020-01-31"]}
    with pytest.raises(Untranslatable, match="names no question"):
        relevant_condition("${zzz} = 'a'", targets)
    with pytest.raises(Untranslatable):
        relevant_condition("${n} > ${a}", targets)


def test_the_cli_writes_the_definition_or_prints_row_errors(tmp_path):
    good = tmp_path / "intake.xlsx"
    good.write_bytes(child_intake())
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(child_intake(r15=("geotrace", "route", "Route", "", "", "", "", "", "")))
    out = tmp_path / "intake.json"

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "formengine", "import-xlsform", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )

    ok = run(str(good), "--record-type", "incident", "--key", "intake", "--output", str(out))
    failed = run(str(bad))

    assert ok.returncode == 0, ok.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    assert (written["key"], written["record_type"]) == ("intake", "incident")
    assert _field(written, "child_name")["label"]["ar"] == "اسم الطفل"
    assert (failed.returncode, failed.stdout) == (
        1,
        f"{bad}: survey row 15: type 'geotrace' has no equivalent\n",
    )


def test_read_only_and_default_columns_convert_into_the_fields_stored_form():
    conversion = convert_xlsform(
        child_intake_with(
            read_only={3: "yes", 4: "TRUE()", 5: "no", 8: "true"},
            default={
                4: 7,
                5: "no",
                7: "food shelter",
                9: 2.5,
                15: "today()",
                12: "Unknown",
            },
        )
    )

    document = conversion.document
    assert conversion.errors == ()
    assert validate_form_set([document]) == []
    assert _field(document, "child_name")["read_only"] is True
    assert (
        _field(document, "child_age")["read_only"],
        _field(document, "child_age")["default"],
    ) == (
        True,
        7,
    )
    assert "read_only" not in _field(document, "in_school")
    assert _field(document, "in_school")["default"] == "no"
    assert _field(document, "needs")["default"] == ["food", "shelter"]
    # a read-only group: its questions are read-only
    assert _field(document, "weight_kg")["read_only"] is True
    assert _field(document, "weight_kg")["default"] == 2.5
    assert _field(document, "interview_date")["default"] == "today"
    sibling_name = _field(document, "siblings")["fields"][0]
    assert sibling_name["default"] == "Unknown"


@pytest.mark.parametrize(
    ("question", "default", "stored"),
    [
        ("integer", "12", 12),
        ("decimal", "3", 3.0),
        ("date", datetime.date(2024, 1, 31), "2024-01-31"),  # a spreadsheet date cell
        ("date", "date('2024-01-31')", "2024-01-31"),
        ("date", "now()", "today"),
        ("dateTime", "now()", "now"),
        ("dateTime", "today()", "today"),
        ("dateTime", "2024-01-31T10:00:00+02:00", "2024-01-31T08:00:00Z"),
        ("select_one yes_no", "yes", "yes"),
        ("select_multiple needs", "shelter", ["shelter"]),
        ("text", "N/A", "N/A"),
    ],
)
def test_each_default_is_written_as_the_field_stores_it(question, default, stored):
    survey = [("type", "name", "label", "default"), (question, "answer", "Answer", default)]

    conversion = convert_xlsform(
        xlsx({"survey": survey, "choices": CHILD_CHOICES, "settings": CHILD_SETTINGS})
    )

    assert conversion.errors == ()
    assert conversion.document["fields"][0]["default"] == stored


@pytest.mark.parametrize(
    ("question", "cells", "message"),
    [
        (
            "text",
            {"default": "concat(${a}, 'x')"},
            "survey row 2: default \"concat(${a}, 'x')\" has no equivalent: a default is a "
            "fixed value, or today() / now() on a date or dateTime question",
        ),
        (
            "text",
            {"default": "today()"},
            "survey row 2: default 'today()' has no equivalent: a default is a fixed value, "
            "or today() / now() on a date or dateTime question",
        ),
        (
            "integer",
            {"default": "many"},
            "survey row 2: default 'many' has no equivalent: an integer question takes a "
            "whole number",
        ),
        (
            "image",
            {"default": "child.jpg"},
            "survey row 2: default 'child.jpg' has no equivalent: our photo fields have no default",
        ),
        (
            "text",
            {"read_only": "${a} = 'x'"},
            "survey row 2: read_only \"${a} = 'x'\": a question is read-only always or never here",
        ),
        (
            "select_one yes_no",
            {"default": "maybe"},
            "survey row 2: default \"maybe\" of the select field 'answer': it 'maybe' is not "
            "an option of this field; use a value of the field (INVALID_DEFAULT)",
        ),
        (
            "dateTime",
            {"default": datetime.datetime(2024, 1, 31, 10, 0)},
            "survey row 2: default \"2024-01-31T10:00:00\" of the datetime field 'answer': it "
            "needs a time zone offset, such as Z or +03:00; use a value of the field or one "
            "of: today, now (INVALID_DEFAULT)",
        ),
    ],
)
def test_a_default_or_read_only_without_equivalent_is_an_error_at_its_row(question, cells, message):
    survey = [("type", "name", "label", *cells), (question, "answer", "Answer", *cells.values())]

    conversion = convert_xlsform(
        xlsx({"survey": survey, "choices": CHILD_CHOICES, "settings": CHILD_SETTINGS})
    )

    assert conversion.document is None
    assert [str(e) for e in conversion.errors] == [message]


def test_a_limit_on_a_decimals_digits_is_left_out_and_the_field_stays_decimal():
    survey = [
        ("type", "name", "label", "constraint"),
        ("decimal", "weight_kg", "Weight", ". >= 0 and regex(., '^[0-9]+([.][0-9])?$')"),
        ("decimal", "height_cm", "Height", ". = round(., 1)"),
    ]

    conversion = convert_xlsform(xlsx({"survey": survey, "settings": CHILD_SETTINGS}))

    assert conversion.errors == ()
    weight, height = conversion.document["fields"]
    assert weight == {"name": "weight_kg", "type": "decimal", "label": {"en": "Weight"}, "min": 0}
    assert height == {"name": "height_cm", "type": "decimal", "label": {"en": "Height"}}
    assert [str(w) for w in conversion.warnings] == [
        "survey row 2: constraint \". >= 0 and regex(., '^[0-9]+([.][0-9])?$')\": the limit "
        "on digits is not imported (the question stays a decimal)",
        "survey row 3: constraint '. = round(., 1)': the limit on digits is not imported "
        "(the question stays a decimal)",
    ]
