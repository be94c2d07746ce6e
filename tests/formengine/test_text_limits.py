"""Text values are bounded even when the form sets no `max_length`, and storable."""

from __future__ import annotations

import datetime as dt

from formengine.coercion import OptionSet, ValueContext, coerce_value
from formengine.model import FieldDefinition

CONTEXT = ValueContext(
    today=dt.date(2026, 1, 10),
    now=dt.datetime(2026, 1, 10, tzinfo=dt.UTC),
    options=lambda _: OptionSet(frozenset()),
)


def codes(field: FieldDefinition, raw: str) -> list[str]:
    return [error.code for error in coerce_value(field, raw, None, field.name, CONTEXT)[1]]


def test_a_text_field_without_max_length_takes_a_thousand_characters() -> None:
    field = FieldDefinition(name="nickname", type="text")

    assert codes(field, "x" * 1_000) == []
    assert codes(field, "x" * 1_001) == ["TEXT_TOO_LONG"]


def test_a_textarea_without_max_length_takes_twenty_thousand_characters() -> None:
    field = FieldDefinition(name="story", type="textarea")

    assert codes(field, "x" * 20_000) == []
    assert codes(field, "x" * 20_001) == ["TEXT_TOO_LONG"]


def test_max_length_of_the_form_wins_over_the_default() -> None:
    field = FieldDefinition(name="story", type="text", max_length=5_000)

    assert codes(field, "x" * 5_000) == []


def test_a_nul_or_a_lone_surrogate_in_a_text_value_is_invalid_text() -> None:
    field = FieldDefinition(name="nickname", type="text")

    assert codes(field, "Ami\x00na") == ["INVALID_TEXT"]
    assert codes(field, "Ami\ud800na") == ["INVALID_TEXT"]
