"""A valid value for every field a client may write, for benchmarks (demo locations)."""

from __future__ import annotations

from typing import Any

from formengine import FieldDefinition, FieldType, RecordSchema, ValueKind

_DEMO_DISTRICTS = ("DL0101", "DL0102", "DL0201", "DL0202", "DL0301", "DL0302")
_ATTACHMENTS = {FieldType.PHOTO, FieldType.AUDIO, FieldType.DOCUMENT, FieldType.SIGNATURE}


def _value(schema: RecordSchema, field: FieldDefinition, n: int) -> Any:
    kind = field.value_kind
    options = [o.id for o in schema.options(field)]
    if field.type in (FieldType.SELECT, FieldType.RADIO):
        return options[n % len(options)] if options else None
    if field.type == FieldType.MULTI_SELECT:
        return options[:2] or None
    if field.type == FieldType.TALLY:
        return {o: n % 3 + 1 for o in options[:3]} or None
    if field.type == FieldType.LOCATION:
        return _DEMO_DISTRICTS[n % len(_DEMO_DISTRICTS)]  # codes of the demo's registry
    if field.type == FieldType.USER:
        return "cp_worker"
    if field.type == FieldType.PHONE:
        return f"+2547001{n:05d}"
    if field.type in _ATTACHMENTS:
        return f"att-{n:06d}"
    if field.pattern:
        return None
    numbers = {ValueKind.INTEGER: int, ValueKind.DECIMAL: float}
    if kind in numbers:
        low = field.min if field.min is not None else 0
        high = field.max if field.max is not None else low + 100
        return numbers[kind](low + (n % max(1, int(high - low) + 1)))
    return {
        ValueKind.STRING: f"Sample text {n}"[: field.max_length or 200],
        ValueKind.BOOLEAN: n % 2 == 0,
        ValueKind.DATE: f"2015-0{n % 9 + 1}-1{n % 9}",
        ValueKind.DATETIME: f"2025-0{n % 9 + 1}-1{n % 9}T10:30:00Z",
    }.get(kind)


def sample_record(schema: RecordSchema, n: int) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for field in schema.current_fields:
        if field.is_calculated or field.read_only or field.value_kind == ValueKind.NONE:
            continue
        if field.value_kind == ValueKind.SUBFORM:
            entries = []
            for i in range(2):
                entry = {
                    c.name: _value(schema, c, n + i)
                    for c in field.fields
                    if not c.is_calculated
                    and not c.read_only
                    and c.value_kind not in (ValueKind.NONE, ValueKind.SUBFORM)
                }
                entries.append({k: v for k, v in entry.items() if v is not None})
            patch[field.name] = entries
            continue
        value = _value(schema, field, n)
        if value is not None:
            patch[field.name] = value
    return patch
