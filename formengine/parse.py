"""JSON documents -> the typed model.

`parse_form` expects a document that `validate_form_set` accepted. It is also lenient by
design: a property it cannot read is left at its default, so definition validation can parse
a broken document and still check the references of its sound parts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from formengine.calculations import DEFAULT_RESULT, RESULT_KINDS
from formengine.conditions import Condition, ConditionSyntaxError, parse_condition
from formengine.model import Calculation, FieldDefinition, FormDefinition, Option, ValueKind

LookupOptions = Sequence[Option]


def parse_form(doc: Mapping[str, Any]) -> FormDefinition:
    return FormDefinition(
        key=_str(doc.get("key")),
        record_type=_str(doc.get("record_type")),
        label=parse_localized_text(doc.get("label")),
        help=parse_localized_text(doc.get("help")),
        fields=parse_fields(doc.get("fields")),
    )


def parse_form_set(docs: Sequence[Mapping[str, Any]]) -> tuple[FormDefinition, ...]:
    return tuple(parse_form(doc) for doc in docs)


def parse_fields(raw: Any) -> tuple[FieldDefinition, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(parse_field(item) for item in raw if isinstance(item, Mapping))


def parse_field(raw: Mapping[str, Any]) -> FieldDefinition:
    options = raw.get("options")
    lookup = options.get("lookup") if isinstance(options, Mapping) else None
    source = options.get("source") if isinstance(options, Mapping) else None
    admin_level = options.get("admin_level") if isinstance(options, Mapping) else None
    tags: list[Any] = raw["tags"] if isinstance(raw.get("tags"), list) else []
    max_length = raw.get("max_length")
    pattern = raw.get("pattern")
    return FieldDefinition(
        name=_str(raw.get("name")),
        type=_str(raw.get("type")),
        label=parse_localized_text(raw.get("label")),
        help=parse_localized_text(raw.get("help")),
        required=raw.get("required") is True,
        visible_if=parse_condition_leniently(raw.get("visible_if")),
        tags=frozenset(t for t in tags if isinstance(t, str)),
        options=parse_options(options) if isinstance(options, list) else (),
        lookup=lookup if isinstance(lookup, str) else None,
        source=source if isinstance(source, str) else None,
        admin_level=admin_level if _is_int(admin_level) else None,
        min=_number(raw.get("min")),
        max=_number(raw.get("max")),
        max_length=max_length if _is_int(max_length) else None,
        pattern=pattern if isinstance(pattern, str) else None,
        not_future=raw.get("not_future") is True,
        fields=parse_fields(raw.get("fields")),
        calculate=parse_calculation(raw.get("calculate")),
        precision=raw["precision"] if _is_int(raw.get("precision")) else None,
        read_only=raw.get("read_only") is True,
        hidden=raw.get("hidden") is True,
        default=raw.get("default"),
        multiple=raw.get("multiple") is True,
    )


def parse_options(raw: Sequence[Any]) -> tuple[Option, ...]:
    return tuple(
        Option(
            id=item["id"],
            label=parse_localized_text(item.get("label")),
            disabled=item.get("disabled") is True,
        )
        for item in raw
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    )


def parse_lookups(raw: Mapping[str, Any]) -> dict[str, tuple[Option, ...]]:
    """`{"sex": [{"id": "female", "label": {"en": "Female"}}, ...], ...}` -> lookups.

    An option may carry `"disabled": true`: readable on old records, refused on new writes.
    A lookup may also be given as `{"options": [...]}`.
    """
    lookups: dict[str, tuple[Option, ...]] = {}
    for name, value in raw.items():
        if isinstance(value, Mapping):
            value = value.get("options")
        lookups[name] = parse_options(value) if isinstance(value, list) else ()
    return lookups


def parse_localized_text(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}


def parse_condition_leniently(raw: Any) -> Condition | None:
    if raw is None:
        return None
    try:
        return parse_condition(raw)
    except ConditionSyntaxError:
        return None


def parse_calculation(raw: Any) -> Calculation | None:
    if not isinstance(raw, Mapping):
        return None
    op, args = raw.get("op"), raw.get("args")
    if op not in DEFAULT_RESULT or not isinstance(args, list):
        return None
    result = raw.get("result", DEFAULT_RESULT[op])
    return Calculation(
        op=op,
        args=tuple(a for a in args if isinstance(a, str)),
        result=ValueKind(result) if result in RESULT_KINDS else DEFAULT_RESULT[op],
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> int | float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None
