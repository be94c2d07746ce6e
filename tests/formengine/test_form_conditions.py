import pytest

from formengine import (
    Comparison,
    Junction,
    condition_fields,
    condition_to_json,
    evaluate_condition,
    parse_condition,
)
from formengine.conditions import ConditionSyntaxError


@pytest.mark.parametrize(
    ("condition", "data", "expected"),
    [
        ({"eq": ["sex", "female"]}, {"sex": "female"}, True),
        ({"eq": ["sex", "female"]}, {}, False),
        ({"ne": ["sex", "female"]}, {}, True),
        ({"eq": ["sex", None]}, {}, True),
        ({"eq": ["sex", None]}, {"sex": ""}, True),
        ({"ne": ["sex", None]}, {"sex": "male"}, True),
        ({"gt": ["age", 17]}, {"age": 18}, True),
        ({"ge": ["age", 18]}, {"age": 18}, True),
        ({"lt": ["age", 18]}, {"age": 18}, False),
        ({"le": ["age", 18.5]}, {"age": 18}, True),
        ({"lt": ["age", 18]}, {}, False),
        ({"gt": ["age", 1]}, {"age": "not a number"}, False),
        ({"in": ["risk", ["high", "medium"]]}, {"risk": "high"}, True),
        ({"in": ["risk", ["high", "medium"]]}, {"risk": "low"}, False),
        ({"eq": ["has_disability", True]}, {"has_disability": 1}, False),
        ({"eq": ["count", 1]}, {"count": True}, False),
        ({"lt": ["date_of_birth", "2010-01-01"]}, {"date_of_birth": "2009-12-31"}, True),
        ({"gt": ["reported_at", "2024-05-01"]}, {"reported_at": "2024-05-01T23:30:00-02:00"}, True),
        ({"eq": ["needs", "food"]}, {"needs": ["shelter", "food"]}, True),
        ({"ne": ["needs", "food"]}, {"needs": ["shelter"]}, True),
        ({"in": ["needs", ["food", "water"]]}, {"needs": ["shelter", "water"]}, True),
        ({"and": [{"eq": ["a", 1]}, {"eq": ["b", 2]}]}, {"a": 1, "b": 2}, True),
        ({"and": [{"eq": ["a", 1]}, {"eq": ["b", 2]}]}, {"a": 1}, False),
        ({"or": [{"eq": ["a", 1]}, {"eq": ["b", 2]}]}, {"b": 2}, True),
        ({"not": {"eq": ["a", 1]}}, {"a": 1}, False),
    ],
)
def test_conditions_evaluate_against_record_data(condition, data, expected):
    assert evaluate_condition(condition, data) is expected


def test_a_condition_reads_the_innermost_scope_first():
    condition = {"and": [{"eq": ["name", "Omar"]}, {"eq": ["sex", "female"]}]}
    entry, record = {"name": "Omar"}, {"name": "Amina", "sex": "female"}
    assert evaluate_condition(condition, [entry, record]) is True


def test_a_condition_round_trips_through_its_typed_form():
    raw = {"or": [{"in": ["risk", ["high"]]}, {"not": {"eq": ["age", None]}}]}
    assert condition_to_json(parse_condition(raw)) == raw


def test_the_typed_form_is_an_expression_tree():
    parsed = parse_condition({"and": [{"eq": ["a", 1]}]})
    assert parsed == Junction("and", (Comparison("eq", "a", 1),))


def test_condition_fields_lists_the_fields_read():
    parsed = parse_condition({"or": [{"eq": ["a", 1]}, {"not": {"gt": ["b", 2]}}]})
    assert condition_fields(parsed) == ("a", "b")


def test_a_malformed_condition_does_not_parse():
    with pytest.raises(ConditionSyntaxError):
        parse_condition({"eq": ["a", 1], "ne": ["b", 2]})
