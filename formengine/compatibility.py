"""Compatibility of a candidate form set with what was published for its record type.

Once published, a field name never changes its type (its data and its GraphQL type depend
on it), not even after it was removed. Removing fields and options is compatible: they
become deprecated and retained (see record_schema.py), so it is not reported here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from formengine.calculations import FieldPath
from formengine.errors import DefinitionCode as Code
from formengine.errors import DefinitionError
from formengine.model import FieldDefinition, describe_type
from formengine.parse import parse_field, parse_form


def check_compatibility(
    candidate: Sequence[Mapping[str, Any]], published: Sequence[Mapping[str, Any]]
) -> list[DefinitionError]:
    """Errors for each candidate field whose type differs from a published one.

    `candidate` is the record type's form set as it would be after publishing (paths are
    `$[i]...` into it); `published` holds every version ever published for the record type.
    """
    published_types: dict[FieldPath, dict[str, str]] = {}
    record_types: dict[str, str] = {}
    for doc in published:
        if not isinstance(doc, Mapping):
            continue
        form = parse_form(doc)
        record_types[form.key] = form.record_type
        for path, definition in _walk(form.fields, ()):
            published_types.setdefault(path, {})[describe_type(definition)] = form.key
    errors: list[DefinitionError] = []
    for index, doc in enumerate(candidate):
        if not isinstance(doc, Mapping):
            continue
        form_path = f"$[{index}]"
        form = parse_form(doc)
        if form.key in record_types and record_types[form.key] != form.record_type:
            errors.append(
                DefinitionError(
                    f"{form_path}.record_type",
                    Code.RECORD_TYPE_CHANGED,
                    f"form '{form.key}' was published for record type "
                    f"'{record_types[form.key]}' and cannot move to '{form.record_type}'",
                )
            )
        for json_path, field_path, definition in _walk_raw(doc.get("fields"), form_path, ()):
            new_type = describe_type(definition)
            for old_type, form_key in published_types.get(field_path, {}).items():
                if old_type != new_type:
                    name = ".".join(field_path)
                    errors.append(
                        DefinitionError(
                            f"{json_path}.type",
                            Code.FIELD_TYPE_CHANGED,
                            f"field '{name}' was published as {old_type} (form '{form_key}') "
                            f"and cannot become {new_type}; add a field with a new name instead",
                        )
                    )
    return errors


def _walk(
    fields: Sequence[FieldDefinition], prefix: FieldPath
) -> Iterator[tuple[FieldPath, FieldDefinition]]:
    for definition in fields:
        path = (*prefix, definition.name)
        yield path, definition
        yield from _walk(definition.fields, path)


def _walk_raw(
    raw: Any, json_prefix: str, prefix: FieldPath
) -> Iterator[tuple[str, FieldPath, FieldDefinition]]:
    if not isinstance(raw, list):
        return
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            continue
        json_path = f"{json_prefix}.fields[{i}]"
        definition = parse_field(item)
        path = (*prefix, definition.name)
        yield json_path, path, definition
        yield from _walk_raw(item.get("fields"), json_path, path)
