import copy
import datetime as dt

from formengine import build_record_schema, check_compatibility, diff_versions, validate_record

NOW = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


def _v2(form, change):
    new = copy.deepcopy(form)
    change(new)
    return new


def test_a_compatible_candidate_has_no_errors(basic_identity, protection_concerns):
    candidate = _v2(basic_identity, lambda f: f["fields"].append({"name": "nick", "type": "text"}))
    assert check_compatibility([candidate, protection_concerns], [basic_identity]) == []


def test_a_published_field_never_changes_type(basic_identity):
    candidate = _v2(basic_identity, lambda f: f["fields"][3].update(type="text"))

    (error,) = check_compatibility([candidate], [basic_identity])

    assert (error.path, error.code) == ("$[0].fields[3].type", "FIELD_TYPE_CHANGED")
    assert "'age'" in error.message
    assert "integer" in error.message
    assert "text" in error.message


def test_a_removed_field_cannot_come_back_with_another_type(basic_identity):
    v2 = _v2(basic_identity, lambda f: f["fields"].pop(3))
    v3 = _v2(v2, lambda f: f["fields"].append({"name": "age", "type": "decimal"}))
    assert [e.code for e in check_compatibility([v3], [basic_identity, v2])] == [
        "FIELD_TYPE_CHANGED"
    ]


def test_a_field_moved_to_another_form_keeps_its_type(basic_identity, protection_concerns):
    v2 = _v2(basic_identity, lambda f: f["fields"].pop(3))
    moved = _v2(protection_concerns, lambda f: f["fields"].append({"name": "age", "type": "text"}))
    errors = check_compatibility([v2, moved], [basic_identity, protection_concerns])
    assert [(e.path, e.code) for e in errors] == [("$[1].fields[4].type", "FIELD_TYPE_CHANGED")]


def test_a_subform_entry_field_never_changes_type(basic_identity):
    candidate = _v2(basic_identity, lambda f: f["fields"][6]["fields"][1].update(type="decimal"))
    assert [(e.path, e.code) for e in check_compatibility([candidate], [basic_identity])] == [
        ("$[0].fields[6].fields[1].type", "FIELD_TYPE_CHANGED")
    ]


def test_a_calculated_result_kind_is_part_of_its_type(protection_concerns):
    candidate = _v2(protection_concerns, lambda f: f["fields"][3]["calculate"].pop("result"))
    (error,) = check_compatibility([candidate], [protection_concerns])
    assert "calculated (integer)" in error.message
    assert "calculated (decimal)" in error.message


def test_a_form_cannot_move_to_another_record_type(basic_identity):
    candidate = _v2(basic_identity, lambda f: f.update(record_type="incident"))
    assert [e.code for e in check_compatibility([candidate], [basic_identity])] == [
        "RECORD_TYPE_CHANGED"
    ]


def test_a_removed_field_is_deprecated_in_the_effective_schema(basic_identity):
    v2 = _v2(basic_identity, lambda f: f["fields"].pop(3))

    schema = build_record_schema([v2], published=[basic_identity, v2])

    (age,) = schema.deprecated_fields
    assert (age.name, age.type, age.max) == ("age", "integer", 130)
    assert "basic_identity" in (age.deprecation_reason or "")


def test_stored_values_of_a_deprecated_field_stay_readable(basic_identity):
    v2 = _v2(basic_identity, lambda f: f["fields"].pop(3))
    schema = build_record_schema([v2], published=[basic_identity, v2])

    result = validate_record(schema, {"name_first": "A", "age": 9}, {"name_first": "B"}, now=NOW)

    assert result.ok
    assert result.data == {"name_first": "B", "age": 9}


def test_writing_a_deprecated_field_is_an_error(basic_identity):
    v2 = _v2(basic_identity, lambda f: f["fields"].pop(3))
    schema = build_record_schema([v2], published=[basic_identity, v2])
    result = validate_record(schema, {"name_first": "A"}, {"age": 9}, now=NOW)
    assert [(e.path, e.code) for e in result.errors] == [("age", "DEPRECATED_FIELD_READ_ONLY")]


def test_a_removed_subform_entry_field_is_deprecated_inside_its_subform(basic_identity):
    v2 = _v2(basic_identity, lambda f: f["fields"][6]["fields"].pop(1))
    schema = build_record_schema([v2], published=[basic_identity])
    siblings = schema.field("siblings")
    assert siblings is not None
    assert [(f.name, f.deprecated) for f in siblings.fields] == [
        ("sibling_name", False),
        ("sibling_age", True),
    ]


def _with_risk_options(form, *ids):
    options = [{"id": i, "label": {"en": i.title()}} for i in ids]
    return _v2(form, lambda f: f["fields"][0].update(options=options))


def test_a_removed_option_is_retained_for_reading(protection_concerns):
    v2 = _with_risk_options(protection_concerns, "low", "high")
    schema = build_record_schema([v2], published=[protection_concerns, v2])
    risk = schema.field("risk_level")
    assert risk is not None
    assert [o.id for o in risk.retained_options] == ["medium"]
    assert [o.id for o in schema.readable_options(risk)] == ["low", "high", "medium"]


def test_a_removed_option_stays_valid_on_old_records(protection_concerns):
    v2 = _with_risk_options(protection_concerns, "low", "high")
    schema = build_record_schema([v2], published=[protection_concerns, v2])
    result = validate_record(schema, {"risk_level": "medium"}, {"risk_level": "medium"}, now=NOW)
    assert result.ok


def test_a_removed_option_is_refused_on_new_writes(protection_concerns):
    v2 = _with_risk_options(protection_concerns, "low", "high")
    schema = build_record_schema([v2], published=[protection_concerns, v2])
    result = validate_record(schema, {"risk_level": "low"}, {"risk_level": "medium"}, now=NOW)
    assert [(e.path, e.code) for e in result.errors] == [("risk_level", "RETIRED_OPTION")]


def test_a_diff_lists_added_removed_and_changed_fields(basic_identity):
    def change(form):
        form["fields"].pop(4)  # has_disability
        form["fields"][3]["max"] = 120
        form["fields"].append({"name": "nickname", "type": "text"})
        form["label"]["fr"] = "Identité de base"

    diff = diff_versions(basic_identity, _v2(basic_identity, change))

    assert diff.to_dict() == {
        "key": "basic_identity",
        "form_changes": [
            {
                "property": "label",
                "old": basic_identity["label"],
                "new": {**basic_identity["label"], "fr": "Identité de base"},
            }
        ],
        "added_fields": [{"name": "nickname", "type": "text"}],
        "removed_fields": [{"name": "has_disability", "type": "boolean"}],
        "changed_fields": [
            {
                "name": "age",
                "type": "integer",
                "changes": [{"property": "max", "old": 130, "new": 120}],
                "options": {"added": [], "removed": [], "relabelled": []},
            }
        ],
        "reordered": False,
    }


def test_a_diff_describes_changes_for_people(basic_identity):
    def change(form):
        form["fields"][6]["fields"].append({"name": "sibling_school", "type": "text"})
        form["fields"].pop(4)
        form["fields"][3]["max"] = 120
        form["label"]["fr"] = "Identité de base"

    described = diff_versions(basic_identity, _v2(basic_identity, change)).describe()

    assert described.splitlines() == [
        '~ form: label [fr] changed from "Identité" to "Identité de base"',
        "+ field 'siblings.sibling_school' (text) added",
        "- field 'has_disability' (boolean) removed: deprecated, its stored values stay readable",
        "~ field 'age': max changed from 130 to 120",
    ]


def test_a_diff_reports_option_changes(protection_concerns):
    v2 = _with_risk_options(protection_concerns, "low", "high", "critical")
    v2["fields"][0]["options"][1]["label"] = {"en": "Severe"}

    (risk,) = diff_versions(protection_concerns, v2).changed_fields

    assert (risk.options_added, risk.options_removed, risk.options_relabelled) == (
        ("critical",),
        ("medium",),
        ("high",),
    )


def test_a_diff_flags_a_type_change_as_incompatible(basic_identity):
    diff = diff_versions(
        basic_identity, _v2(basic_identity, lambda f: f["fields"][3].update(type="decimal"))
    )
    assert "age': type changed from integer to decimal (incompatible" in diff.describe()


def test_identical_versions_have_an_empty_diff(basic_identity):
    diff = diff_versions(basic_identity, copy.deepcopy(basic_identity))
    assert diff.is_empty
    assert diff.describe() == "no changes"


def test_a_diff_notices_reordered_fields(basic_identity):
    diff = diff_versions(basic_identity, _v2(basic_identity, lambda f: f["fields"].reverse()))
    assert diff.reordered
    assert diff.describe() == "~ fields reordered"
