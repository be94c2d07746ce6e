from typing import Any

from formengine import DefinitionCode, validate_form_set


def _form(*fields: dict[str, Any], key: str = "extra") -> dict[str, Any]:
    return {"key": key, "record_type": "case", "label": {"en": "Extra"}, "fields": list(fields)}


def _found(errors) -> set[tuple[str, str]]:
    return {(error.path, error.code) for error in errors}


def test_the_design_example_form_set_is_valid(basic_identity, protection_concerns, lookups):
    assert validate_form_set([basic_identity, protection_concerns], lookups) == []


def test_every_field_type_is_accepted_with_its_own_properties(lookups):
    form = _form(
        {"name": "a_text", "type": "text", "pattern": "^[A-Z]+$", "max_length": 5},
        {"name": "a_textarea", "type": "textarea", "help": {"en": "Tell us"}},
        {"name": "a_integer", "type": "integer", "min": 1, "max": 3},
        {"name": "a_decimal", "type": "decimal", "min": 0.5},
        {"name": "a_boolean", "type": "boolean"},
        {"name": "a_date", "type": "date", "not_future": True},
        {"name": "a_datetime", "type": "datetime", "not_future": True},
        {"name": "a_select", "type": "select", "options": {"lookup": "sex"}},
        {"name": "a_multi", "type": "multi_select", "options": [{"id": "x", "label": {"en": "X"}}]},
        {"name": "a_radio", "type": "radio", "options": [{"id": "y", "label": {"en": "Y"}}]},
        {"name": "a_tally", "type": "tally", "options": [{"id": "boys", "label": {"en": "Boys"}}]},
        {"name": "a_location", "type": "location"},
        {"name": "a_user", "type": "user"},
        {"name": "a_phone", "type": "phone", "tags": ["pii"]},
        {"name": "a_photo", "type": "photo"},
        {"name": "a_audio", "type": "audio"},
        {"name": "a_document", "type": "document"},
        {"name": "a_signature", "type": "signature"},
        {"name": "a_subform", "type": "subform", "fields": [{"name": "b", "type": "text"}]},
        {"name": "a_separator", "type": "separator", "label": {"en": "Family"}},
        {"name": "a_calc", "type": "calculated", "calculate": {"op": "avg", "args": ["a_integer"]}},
    )
    assert validate_form_set([form], lookups) == []


def test_all_errors_are_reported_at_once():
    form = _form(
        {"name": "a", "type": "bogus"},
        {"name": "Bad Name", "type": "text"},
        {"name": "c", "type": "select"},
    )

    assert _found(validate_form_set([form])) == {
        ("$[0].fields[0].type", DefinitionCode.UNKNOWN_FIELD_TYPE),
        ("$[0].fields[1].name", DefinitionCode.INVALID_FIELD_NAME),
        ("$[0].fields[2]", DefinitionCode.MISSING_OPTIONS),
    }


def test_an_unknown_type_is_named_in_the_message():
    (error,) = validate_form_set([_form({"name": "a", "type": "colour"})])

    assert error.code == "UNKNOWN_FIELD_TYPE"
    assert "'colour'" in error.message


def test_a_field_on_two_forms_must_be_defined_alike_on_both(basic_identity):
    other = _form({"name": "age", "type": "integer"})

    (error,) = validate_form_set([basic_identity, other])

    assert (error.path, error.code) == ("$[1].fields[0].min", "SHARED_FIELD_MISMATCH")
    assert "form 'basic_identity' ($[0].fields[3])" in error.message
    assert "min, max" in error.message


def test_a_field_name_is_unique_within_one_form():
    form = _form({"name": "age", "type": "integer"}, {"name": "age", "type": "integer"})

    (error,) = validate_form_set([form])

    assert (error.path, error.code) == ("$[0].fields[1].name", "DUPLICATE_FIELD_NAME")


def test_subform_entry_names_may_repeat_a_record_field_name():
    form = _form(
        {"name": "name", "type": "text"},
        {"name": "siblings", "type": "subform", "fields": [{"name": "name", "type": "text"}]},
    )
    assert validate_form_set([form]) == []


def test_entry_field_names_are_unique_within_their_subform():
    form = _form(
        {
            "name": "siblings",
            "type": "subform",
            "fields": [{"name": "n", "type": "text"}, {"name": "n", "type": "integer"}],
        }
    )
    assert _found(validate_form_set([form])) == {
        ("$[0].fields[0].fields[1].name", "DUPLICATE_FIELD_NAME")
    }


def test_names_that_collide_in_graphql_are_rejected():
    form = _form({"name": "line_1", "type": "text"}, {"name": "line1", "type": "text"})
    assert _found(validate_form_set([form])) == {("$[0].fields[1].name", "GRAPHQL_NAME_COLLISION")}


def test_platform_field_names_are_reserved():
    assert _found(validate_form_set([_form({"name": "status", "type": "text"})])) == {
        ("$[0].fields[0].name", "RESERVED_FIELD_NAME")
    }


def test_a_property_of_another_type_is_not_applicable():
    form = _form({"name": "a", "type": "text", "min": 3, "options": {"lookup": "sex"}})
    assert _found(validate_form_set([form])) == {
        ("$[0].fields[0].min", "PROPERTY_NOT_APPLICABLE"),
        ("$[0].fields[0].options", "PROPERTY_NOT_APPLICABLE"),
    }


def test_a_misspelt_property_is_unknown():
    form = _form({"name": "a", "type": "text", "visibe_if": {"eq": ["a", "x"]}})
    assert _found(validate_form_set([form])) == {("$[0].fields[0].visibe_if", "UNKNOWN_PROPERTY")}


def test_labels_are_objects_of_locale_to_text():
    form = _form(
        {"name": "a", "type": "text", "label": "Age"},
        {"name": "b", "type": "text", "label": {"EN": "B"}},
    )
    assert _found(validate_form_set([form])) == {
        ("$[0].fields[0].label", "INVALID_LOCALIZED_TEXT"),
        ("$[0].fields[1].label.EN", "INVALID_LOCALIZED_TEXT"),
    }


def test_a_form_needs_its_core_keys():
    errors = validate_form_set([{"key": "x", "fields": []}])
    assert {(e.path, e.code) for e in errors} == {("$[0]", "MISSING_PROPERTY")}
    assert len(errors) == 2  # record_type and label


def test_forms_of_one_set_share_their_record_type(basic_identity):
    other = _form({"name": "incident_date", "type": "date"})
    other["record_type"] = "incident"
    assert _found(validate_form_set([basic_identity, other])) == {
        ("$[1].record_type", "RECORD_TYPE_MISMATCH")
    }


def test_form_keys_are_unique_within_a_set():
    first, second = _form({"name": "a", "type": "text"}), _form({"name": "b", "type": "text"})
    assert _found(validate_form_set([first, second])) == {("$[1].key", "DUPLICATE_FORM_KEY")}


def test_a_lookup_outside_the_known_lookups_is_unknown(lookups):
    form = _form({"name": "nationality", "type": "select", "options": {"lookup": "country"}})
    assert _found(validate_form_set([form], lookups)) == {
        ("$[0].fields[0].options.lookup", "UNKNOWN_LOOKUP")
    }


def test_lookups_are_not_checked_when_unknown():
    form = _form({"name": "nationality", "type": "select", "options": {"lookup": "country"}})
    assert validate_form_set([form], None) == []


def test_a_select_with_an_empty_option_list_has_no_options():
    form = _form({"name": "a", "type": "select", "options": []})
    assert _found(validate_form_set([form])) == {("$[0].fields[0].options", "MISSING_OPTIONS")}


def test_option_ids_are_unique_and_well_formed():
    options = [
        {"id": "a", "label": {"en": "A"}},
        {"id": "a", "label": {"en": "A again"}},
        {"id": "with space", "label": {"en": "?"}},
    ]
    form = _form({"name": "f", "type": "radio", "options": options})
    assert _found(validate_form_set([form])) == {
        ("$[0].fields[0].options[1].id", "DUPLICATE_OPTION_ID"),
        ("$[0].fields[0].options[2].id", "INVALID_OPTION_ID"),
    }


def test_min_above_max_is_an_invalid_range():
    form = _form({"name": "a", "type": "integer", "min": 5, "max": 1})
    assert _found(validate_form_set([form])) == {("$[0].fields[0].min", "INVALID_RANGE")}


def test_an_integer_field_takes_integer_bounds():
    form = _form({"name": "a", "type": "integer", "max": 1.5})
    assert _found(validate_form_set([form])) == {("$[0].fields[0].max", "INVALID_PROPERTY_VALUE")}


def test_a_pattern_must_compile():
    form = _form({"name": "a", "type": "text", "pattern": "([a-z"})
    assert _found(validate_form_set([form])) == {("$[0].fields[0].pattern", "INVALID_PATTERN")}


def test_unknown_tags_are_rejected():
    form = _form({"name": "a", "type": "text", "tags": ["pii", "secret"]})
    assert _found(validate_form_set([form])) == {("$[0].fields[0].tags[1]", "UNKNOWN_TAG")}


def test_one_level_of_subform_nesting_is_allowed():
    inner = {"name": "schools", "type": "subform", "fields": [{"name": "school", "type": "text"}]}
    form = _form({"name": "siblings", "type": "subform", "fields": [inner]})
    assert validate_form_set([form]) == []


def test_a_second_level_of_subform_nesting_is_too_deep():
    deepest = {"name": "c", "type": "subform", "fields": [{"name": "d", "type": "text"}]}
    inner = {"name": "b", "type": "subform", "fields": [deepest]}
    form = _form({"name": "a", "type": "subform", "fields": [inner]})
    assert _found(validate_form_set([form])) == {
        ("$[0].fields[0].fields[0].fields[0]", "SUBFORM_TOO_DEEP")
    }


def test_a_subform_without_fields_is_empty():
    form = _form({"name": "a", "type": "subform", "fields": []})
    assert _found(validate_form_set([form])) == {("$[0].fields[0].fields", "EMPTY_SUBFORM")}


def test_a_condition_on_an_unknown_field_names_the_operand(basic_identity):
    basic_identity["fields"][3]["visible_if"] = {"and": [{"eq": ["has_disabilty", True]}]}
    (error,) = validate_form_set([basic_identity])
    assert (error.path, error.code) == (
        "$[0].fields[3].visible_if.and[0].eq[0]",
        "UNKNOWN_CONDITION_FIELD",
    )


def test_a_condition_may_name_a_field_of_another_form(basic_identity, protection_concerns):
    protection_concerns["fields"][0]["visible_if"] = {"lt": ["age", 18]}
    assert validate_form_set([basic_identity, protection_concerns]) == []


def test_a_condition_comparing_with_the_wrong_type_is_a_mismatch(basic_identity):
    basic_identity["fields"][3]["visible_if"] = {"eq": ["has_disability", "yes"]}
    assert _found(validate_form_set([basic_identity])) == {
        ("$[0].fields[3].visible_if.eq[1]", "CONDITION_TYPE_MISMATCH")
    }


def test_ordering_a_text_field_is_a_mismatch(basic_identity):
    basic_identity["fields"][3]["visible_if"] = {"gt": ["name_first", "m"]}
    assert _found(validate_form_set([basic_identity])) == {
        ("$[0].fields[3].visible_if.gt[1]", "CONDITION_TYPE_MISMATCH")
    }


def test_a_condition_on_an_option_the_field_lacks_is_reported(basic_identity, lookups):
    basic_identity["fields"][3]["visible_if"] = {"in": ["sex", ["female", "other"]]}
    assert _found(validate_form_set([basic_identity], lookups)) == {
        ("$[0].fields[3].visible_if.in[1][1]", "UNKNOWN_CONDITION_OPTION")
    }


def test_an_unknown_condition_operator_is_reported(basic_identity):
    basic_identity["fields"][3]["visible_if"] = {"not": {"contains": ["sex", "female"]}}
    assert _found(validate_form_set([basic_identity])) == {
        ("$[0].fields[3].visible_if.not.contains", "UNKNOWN_CONDITION_OPERATOR")
    }


def test_a_malformed_comparison_is_an_invalid_condition(basic_identity):
    basic_identity["fields"][3]["visible_if"] = {"eq": ["sex"]}
    assert _found(validate_form_set([basic_identity])) == {
        ("$[0].fields[3].visible_if.eq", "INVALID_CONDITION")
    }


def test_an_entry_field_condition_sees_its_entry_and_the_record(basic_identity):
    siblings = basic_identity["fields"][6]
    siblings["fields"][1]["visible_if"] = {
        "and": [{"ne": ["sibling_name", None]}, {"eq": ["has_disability", False]}]
    }
    assert validate_form_set([basic_identity]) == []


def test_calculations_in_a_cycle_are_reported_at_each_member():
    form = _form(
        {"name": "a", "type": "calculated", "calculate": {"op": "sum", "args": ["b"]}},
        {"name": "b", "type": "calculated", "calculate": {"op": "sum", "args": ["a"]}},
    )
    errors = validate_form_set([form])
    assert _found(errors) == {
        ("$[0].fields[0].calculate", "CALCULATION_CYCLE"),
        ("$[0].fields[1].calculate", "CALCULATION_CYCLE"),
    }
    assert "a -> b -> a" in errors[0].message


def test_a_calculation_reading_itself_is_a_cycle():
    form = _form({"name": "a", "type": "calculated", "calculate": {"op": "max", "args": ["a"]}})
    assert _found(validate_form_set([form])) == {("$[0].fields[0].calculate", "CALCULATION_CYCLE")}


def test_summing_a_text_field_is_a_non_numeric_input(basic_identity):
    basic_identity["fields"].append(
        {"name": "total", "type": "calculated", "calculate": {"op": "sum", "args": ["age", "sex"]}}
    )
    assert _found(validate_form_set([basic_identity])) == {
        ("$[0].fields[7].calculate.args[1]", "NON_NUMERIC_CALCULATION_INPUT")
    }


def test_an_age_needs_date_inputs(basic_identity):
    calculate = {"op": "years_between", "args": ["age", "$today"]}
    basic_identity["fields"].append({"name": "years", "type": "calculated", "calculate": calculate})
    assert _found(validate_form_set([basic_identity])) == {
        ("$[0].fields[7].calculate.args[0]", "NON_DATE_CALCULATION_INPUT")
    }


def test_a_calculation_input_must_exist(basic_identity):
    calculate = {"op": "sum", "args": ["siblings.sibling_height"]}
    basic_identity["fields"].append({"name": "total", "type": "calculated", "calculate": calculate})
    assert _found(validate_form_set([basic_identity])) == {
        ("$[0].fields[7].calculate.args[0]", "UNKNOWN_CALCULATION_INPUT")
    }


def test_an_unknown_calculation_operator_is_reported():
    form = _form({"name": "a", "type": "calculated", "calculate": {"op": "median", "args": ["x"]}})
    assert _found(validate_form_set([form])) == {
        ("$[0].fields[0].calculate.op", "UNKNOWN_CALCULATION_OPERATOR")
    }


def test_years_between_takes_two_arguments(basic_identity):
    calculate = {"op": "years_between", "args": ["date_of_birth"]}
    basic_identity["fields"].append({"name": "years", "type": "calculated", "calculate": calculate})
    assert _found(validate_form_set([basic_identity])) == {
        ("$[0].fields[7].calculate.args", "INVALID_CALCULATION_ARGUMENTS")
    }


def test_an_integer_average_is_a_result_mismatch(basic_identity):
    calculate = {"op": "avg", "args": ["age"], "result": "integer"}
    basic_identity["fields"].append({"name": "mean", "type": "calculated", "calculate": calculate})
    assert _found(validate_form_set([basic_identity])) == {
        ("$[0].fields[7].calculate.result", "CALCULATION_RESULT_MISMATCH")
    }


def test_errors_are_sorted_by_path_in_document_order():
    form = _form(*({"name": f"f{i}", "type": "bogus"} for i in range(12)))
    paths = [error.path for error in validate_form_set([form])]
    assert paths == [f"$[0].fields[{i}].type" for i in range(12)]


def test_a_form_that_is_not_an_object_is_an_invalid_document():
    assert _found(validate_form_set(["basic_identity"])) == {("$[0]", "INVALID_DOCUMENT")}
