"""Property-based tests: generated valid definitions pass, generated valid values pass and
round-trip, and targeted mutations fail with the expected code."""

import copy
import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formengine import build_record_schema, parse_lookups, validate_form_set, validate_record
from formengine.coercion import (
    ATTACHMENT_REFERENCE_PATTERN,
    LOCATION_CODE_PATTERN,
    USERNAME_PATTERN,
)
from formengine.json_schema import form_definition_json_schema
from tests.formengine.conftest import LOOKUPS_JSON
from tests.formengine.json_schema_subset import is_valid

TODAY = dt.date(2024, 6, 1)
NOW = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
LOOKUPS = parse_lookups(LOOKUPS_JSON)
ACTIVE_LOOKUP_IDS = {
    name: [o.id for o in options if not o.disabled] for name, options in LOOKUPS.items()
}
PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PLAIN_TYPES = [
    "text",
    "textarea",
    "integer",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "select",
    "multi_select",
    "radio",
    "tally",
    "location",
    "user",
    "phone",
    "photo",
    "audio",
    "document",
    "signature",
    "separator",
]
OPTION_TYPES = {"select", "multi_select", "radio", "tally"}
WORDS = ["name", "age", "risk", "needs", "place", "note", "score", "date", "count", "code"]

localized = st.dictionaries(
    st.sampled_from(["en", "fr", "ar", "es-419"]),
    st.text(min_size=1, max_size=20).filter(str.strip),
    min_size=1,
    max_size=3,
)


class _Names:
    def __init__(self) -> None:
        self.count = 0

    def next(self, word: str) -> str:
        self.count += 1
        return f"{word}_{self.count}"


@st.composite
def plain_fields(draw: Any, names: _Names, earlier: list[dict[str, Any]]) -> dict[str, Any]:
    field_type = draw(st.sampled_from(PLAIN_TYPES))
    field: dict[str, Any] = {"name": names.next(draw(st.sampled_from(WORDS))), "type": field_type}
    if draw(st.booleans()):
        field["label"] = draw(localized)
    if field_type != "separator":
        field["required"] = draw(st.booleans())
        field["tags"] = draw(
            st.lists(
                st.sampled_from(["pii", "sensitive", "searchable", "filterable"]),
                unique=True,
                max_size=2,
            )
        )
    if field_type in OPTION_TYPES:
        if draw(st.booleans()):
            field["options"] = {"lookup": draw(st.sampled_from(sorted(ACTIVE_LOOKUP_IDS)))}
        else:
            ids = draw(
                st.lists(
                    st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
                    min_size=1,
                    max_size=4,
                    unique=True,
                )
            )
            field["options"] = [{"id": i, "label": {"en": i}} for i in ids]
    if field_type == "integer" and draw(st.booleans()):
        low = draw(st.integers(-1000, 1000))
        field["min"], field["max"] = low, low + draw(st.integers(0, 1000))
    if field_type == "decimal" and draw(st.booleans()):
        field["min"] = draw(st.floats(-1e6, 0))
    if field_type in ("text", "textarea") and draw(st.booleans()):
        field["max_length"] = draw(st.integers(1, 30))
    if field_type == "text" and "max_length" not in field and draw(st.booleans()):
        field["pattern"] = draw(st.sampled_from(["[A-Z]{3}", "[0-9]+(-[0-9]+)?", "[a-z ]+"]))
    if field_type in ("date", "datetime"):
        field["not_future"] = draw(st.booleans())
    condition = draw(conditions(earlier))
    if condition is not None:
        field["visible_if"] = condition
    return field


def option_ids(field: dict[str, Any]) -> list[str]:
    options = field["options"]
    if isinstance(options, dict):
        return ACTIVE_LOOKUP_IDS[options["lookup"]]
    return [o["id"] for o in options]


@st.composite
def conditions(draw: Any, earlier: list[dict[str, Any]]) -> dict[str, Any] | None:
    candidates = [f for f in earlier if f["type"] in ("boolean", "integer", "select", "date")]
    if not candidates or not draw(st.booleans()):
        return None
    field = draw(st.sampled_from(candidates))
    name = field["name"]
    if field["type"] == "boolean":
        comparison: dict[str, Any] = {"eq": [name, draw(st.booleans())]}
    elif field["type"] == "integer":
        comparison = {draw(st.sampled_from(["gt", "ge", "lt", "le", "ne"])): [name, 5]}
    elif field["type"] == "date":
        comparison = {"lt": [name, "2020-01-01"]}
    else:
        comparison = {"in": [name, draw(st.lists(st.sampled_from(option_ids(field)), min_size=1))]}
    return draw(st.sampled_from([comparison, {"not": comparison}, {"or": [comparison]}]))


@st.composite
def form_sets(draw: Any) -> list[dict[str, Any]]:
    names = _Names()
    all_fields: list[dict[str, Any]] = []
    forms = []
    for form_index in range(draw(st.integers(1, 2))):
        fields: list[dict[str, Any]] = []
        for _ in range(draw(st.integers(1, 6))):
            field = draw(plain_fields(names, all_fields))
            fields.append(field)
            all_fields.append(field)
        if draw(st.booleans()):
            children = [draw(plain_fields(names, [])) for _ in range(draw(st.integers(1, 3)))]
            subform = {"name": names.next("entries"), "type": "subform", "fields": children}
            fields.append(subform)
            all_fields.append(subform)
            count = {"op": "count", "args": [subform["name"]]}
            fields.append({"name": names.next("total"), "type": "calculated", "calculate": count})
        integers = [f["name"] for f in all_fields if f["type"] == "integer"]
        if integers:
            calculate = {
                "op": draw(st.sampled_from(["sum", "min", "max"])),
                "args": integers,
                "result": "integer",
            }
            fields.append({"name": names.next("sum"), "type": "calculated", "calculate": calculate})
        dates = [f["name"] for f in all_fields if f["type"] == "date"]
        if dates:
            years = {"op": "years_between", "args": [dates[0], "$today"]}
            fields.append({"name": names.next("years"), "type": "calculated", "calculate": years})
        forms.append(
            {
                "key": f"form_{form_index}",
                "record_type": "case",
                "label": draw(localized),
                "fields": fields,
            }
        )
    return forms


def value_for(draw: Any, field: dict[str, Any]) -> Any:
    t = field["type"]
    if t in ("text", "textarea"):
        if "pattern" in field:
            text = st.from_regex(field["pattern"], fullmatch=True)
            return draw(text.filter(lambda v: v.strip() and "\x00" not in v))
        storable = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
        limit = field.get("max_length", 40)
        return draw(st.text(storable, min_size=1, max_size=limit).filter(str.strip))
    if t == "integer":
        return draw(st.integers(field.get("min", -(2**31)), field.get("max", 2**31 - 1)))
    if t == "decimal":
        low = field.get("min", -1e9)
        return draw(st.floats(low, 1e9, allow_nan=False, allow_infinity=False))
    if t == "boolean":
        return draw(st.booleans())
    if t == "date":
        return draw(st.dates(max_value=TODAY)).isoformat()
    if t == "datetime":
        moment = draw(
            st.datetimes(
                dt.datetime(1900, 1, 1), dt.datetime(2024, 6, 1), timezones=st.just(dt.UTC)
            )
        )
        return moment.isoformat()
    if t in ("select", "radio"):
        return draw(st.sampled_from(option_ids(field)))
    if t == "multi_select":
        return draw(st.lists(st.sampled_from(option_ids(field)), min_size=1, unique=True))
    if t == "tally":
        return draw(
            st.dictionaries(st.sampled_from(option_ids(field)), st.integers(0, 999), min_size=1)
        )
    if t == "location":
        return draw(st.from_regex(LOCATION_CODE_PATTERN, fullmatch=True))
    if t == "user":
        return draw(st.from_regex(USERNAME_PATTERN, fullmatch=True))
    if t == "phone":
        return draw(st.from_regex(r"\+?[0-9]{7,15}", fullmatch=True))
    if t in ("photo", "audio", "document", "signature"):
        return draw(st.from_regex(ATTACHMENT_REFERENCE_PATTERN, fullmatch=True))
    if t == "subform":
        return [
            {c["name"]: value_for(draw, c) for c in field["fields"] if c["type"] != "separator"}
            for _ in range(draw(st.integers(1, 3)))
        ]
    raise AssertionError(t)


@st.composite
def forms_with_values(draw: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    forms = draw(form_sets())
    values = {
        f["name"]: value_for(draw, f)
        for form in forms
        for f in form["fields"]
        if f["type"] not in ("separator", "calculated")
    }
    return forms, values


@PROPERTIES
@given(form_sets())
def test_generated_valid_definitions_pass(forms):
    assert validate_form_set(forms, LOOKUPS) == []


@PROPERTIES
@given(form_sets())
def test_generated_valid_definitions_satisfy_the_json_schema(forms):
    schema = form_definition_json_schema()
    assert all(is_valid(form, schema, schema) for form in forms)


@PROPERTIES
@given(forms_with_values())
def test_generated_valid_values_pass_and_round_trip(forms_and_values):
    forms, values = forms_and_values
    schema = build_record_schema(forms, lookups=LOOKUPS)

    written = validate_record(schema, {}, values, today=TODAY, now=NOW)
    assert written.errors == []

    assert json.loads(json.dumps(written.data)) == written.data
    echoed = validate_record(schema, written.data, written.data, today=TODAY, now=NOW)
    assert (echoed.errors, echoed.data, echoed.changes) == ([], written.data, {})
    calculated = {f.name for f in schema.current_fields if f.is_calculated}
    stored_values = {k: v for k, v in written.data.items() if k not in calculated}
    rewritten = validate_record(schema, {}, stored_values, today=TODAY, now=NOW)
    assert rewritten.data == written.data


def _all_fields(forms):
    return [(i, j, f) for i, form in enumerate(forms) for j, f in enumerate(form["fields"])]


def _mutate_type(draw, forms):
    i, j, field = draw(st.sampled_from(_all_fields(forms)))
    field["type"] = "bogus"
    return f"$[{i}].fields[{j}].type", "UNKNOWN_FIELD_TYPE"


def _mutate_name(draw, forms):
    i, j, field = draw(st.sampled_from(_all_fields(forms)))
    field["name"] = draw(st.sampled_from(["Name", "2nd", "with space", "trailing_", "a__b"]))
    return f"$[{i}].fields[{j}].name", "INVALID_FIELD_NAME"


def _duplicate_name(draw, forms):
    # Twice in one form (on two forms, a name is one shared field: see SHARED_FIELD_MISMATCH).
    i, _, field = draw(st.sampled_from(_all_fields(forms)))
    forms[i]["fields"].append({"name": field["name"], "type": "text"})
    return f"$[{i}].fields[{len(forms[i]['fields']) - 1}].name", "DUPLICATE_FIELD_NAME"


def _unknown_condition_field(draw, forms):
    i, j, field = draw(st.sampled_from(_all_fields(forms)))
    field["visible_if"] = {"eq": ["no_such_field", 1]}
    return f"$[{i}].fields[{j}].visible_if.eq[0]", "UNKNOWN_CONDITION_FIELD"


def _calculation_cycle(draw, forms):
    i = draw(st.integers(0, len(forms) - 1))
    j = len(forms[i]["fields"])
    forms[i]["fields"] += [
        {"name": "loop_a", "type": "calculated", "calculate": {"op": "sum", "args": ["loop_b"]}},
        {"name": "loop_b", "type": "calculated", "calculate": {"op": "sum", "args": ["loop_a"]}},
    ]
    return f"$[{i}].fields[{j}].calculate", "CALCULATION_CYCLE"


def _unknown_lookup(draw, forms):
    i = draw(st.integers(0, len(forms) - 1))
    j = len(forms[i]["fields"])
    forms[i]["fields"].append(
        {"name": "nationality", "type": "select", "options": {"lookup": "country"}}
    )
    return f"$[{i}].fields[{j}].options.lookup", "UNKNOWN_LOOKUP"


def _select_without_options(draw, forms):
    i = draw(st.integers(0, len(forms) - 1))
    j = len(forms[i]["fields"])
    forms[i]["fields"].append(
        {"name": "choice_zz", "type": draw(st.sampled_from(sorted(OPTION_TYPES)))}
    )
    return f"$[{i}].fields[{j}]", "MISSING_OPTIONS"


def _sum_of_text(draw, forms):
    i = draw(st.integers(0, len(forms) - 1))
    j = len(forms[i]["fields"])
    forms[i]["fields"] += [
        {"name": "words_zz", "type": "text"},
        {"name": "sum_zz", "type": "calculated", "calculate": {"op": "sum", "args": ["words_zz"]}},
    ]
    return f"$[{i}].fields[{j + 1}].calculate.args[0]", "NON_NUMERIC_CALCULATION_INPUT"


DEFINITION_MUTATIONS = [
    _mutate_type,
    _mutate_name,
    _duplicate_name,
    _unknown_condition_field,
    _calculation_cycle,
    _unknown_lookup,
    _select_without_options,
    _sum_of_text,
]


@PROPERTIES
@given(form_sets(), st.sampled_from(DEFINITION_MUTATIONS), st.data())
def test_definition_mutations_fail_with_the_expected_code(forms, mutation, data):
    mutated = copy.deepcopy(forms)
    path, code = mutation(data.draw, mutated)
    assert (path, code) in {(e.path, e.code) for e in validate_form_set(mutated, LOOKUPS)}


INVALID_VALUES: dict[str, tuple[Any, str]] = {
    "text": (12345, "INVALID_TEXT"),
    "textarea": (["a"], "INVALID_TEXT"),
    "integer": ("twelve", "INVALID_INTEGER"),
    "decimal": ("3,5", "INVALID_DECIMAL"),
    "boolean": ("maybe", "INVALID_BOOLEAN"),
    "date": ("2024-13-01", "INVALID_DATE"),
    "datetime": ("yesterday", "INVALID_DATETIME"),
    "select": ("not_an_option_zz", "UNKNOWN_OPTION"),
    "radio": ("not_an_option_zz", "UNKNOWN_OPTION"),
    "multi_select": ("not a list", "INVALID_OPTION_LIST"),
    "tally": ([1, 2], "INVALID_TALLY"),
    "location": ("not a code!", "INVALID_LOCATION_CODE"),
    "user": ("two words", "INVALID_USERNAME"),
    "phone": ("12", "INVALID_PHONE_NUMBER"),
    "photo": ("../x", "INVALID_ATTACHMENT_REFERENCE"),
    "audio": ("../x", "INVALID_ATTACHMENT_REFERENCE"),
    "document": ("../x", "INVALID_ATTACHMENT_REFERENCE"),
    "signature": ("../x", "INVALID_ATTACHMENT_REFERENCE"),
    "subform": ("not entries", "INVALID_SUBFORM_ENTRIES"),
    "separator": ("x", "DISPLAY_ONLY_FIELD"),
    "calculated": (-1, "CALCULATED_FIELD_READ_ONLY"),
}


@PROPERTIES
@given(forms_with_values(), st.data())
def test_value_mutations_fail_with_the_expected_code(forms_and_values, data):
    forms, values = forms_and_values
    schema = build_record_schema(forms, lookups=LOOKUPS)
    _, _, field = data.draw(st.sampled_from(_all_fields(forms)))
    invalid, code = INVALID_VALUES[field["type"]]

    result = validate_record(schema, {}, {**values, field["name"]: invalid}, today=TODAY, now=NOW)

    assert (field["name"], code) in {(e.path, e.code) for e in result.errors}
