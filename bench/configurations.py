"""Configurations to measure: the demo content, and a synthetic one of a chosen size."""

from __future__ import annotations

from typing import Any

from backend.demo.form_content import form_documents, load_manifest, lookup_documents
from backend.forms.configuration import TenantConfiguration
from formengine import build_record_schema, parse_lookups

_SYNTHETIC_TYPES = ["text", "integer", "decimal", "boolean", "date", "select", "multi_select"]


def demo_configuration() -> TenantConfiguration:
    lookups = parse_lookups(lookup_documents())
    schemas = {}
    versions = {}
    for record_type in load_manifest():
        docs = form_documents(record_type)
        schemas[record_type] = build_record_schema(docs, published=docs, lookups=lookups)
        versions.update({doc["key"]: 1 for doc in docs})
    field_forms: dict[str, dict[str, tuple[str, ...]]] = {}
    for rt in schemas:
        forms = field_forms.setdefault(rt, {})
        for doc in form_documents(rt):
            for f in doc["fields"]:  # a shared field is on each of its forms
                forms[f["name"]] = (*forms.get(f["name"], ()), doc["key"])
    return TenantConfiguration(
        0, 0, "demo", "en", ("en", "fr", "ar"), schemas, versions, field_forms, lookups
    )


def synthetic_form_set(field_count: int, per_form: int = 50) -> list[dict[str, Any]]:
    forms = []
    for start in range(0, field_count, per_form):
        fields = []
        for number in range(start, min(start + per_form, field_count)):
            kind = _SYNTHETIC_TYPES[number % len(_SYNTHETIC_TYPES)]
            field: dict[str, Any] = {
                "name": f"field_{number}",
                "type": kind,
                "label": {"en": f"Field {number}"},
            }
            if kind in ("select", "multi_select"):
                field["options"] = [
                    {"id": f"o{i}", "label": {"en": f"Option {i}"}} for i in range(5)
                ]
            fields.append(field)
        forms.append(
            {
                "key": f"form_{start // per_form}",
                "record_type": "case",
                "label": {"en": f"Form {start // per_form}"},
                "fields": fields,
            }
        )
    return forms


def synthetic_configuration(field_count: int) -> TenantConfiguration:
    docs = synthetic_form_set(field_count)
    schema = build_record_schema(docs, published=docs)
    field_forms = {"case": {f["name"]: (d["key"],) for d in docs for f in d["fields"]}}
    return TenantConfiguration(
        0,
        0,
        f"synthetic-{field_count}",
        "en",
        ("en",),
        {"case": schema},
        {d["key"]: 1 for d in docs},
        field_forms,
        {},
    )
