"""Validation of lookups (named option lists shared by fields), one rule for every door:
the server's `save_lookup` and `python -m formengine check --lookups FILE`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from formengine.errors import DefinitionCode as Code
from formengine.errors import DefinitionError
from formengine.model import LOOKUP_KEY_PATTERN
from formengine.property_checks import check_options

_KEY_RE = re.compile(LOOKUP_KEY_PATTERN)


def is_valid_lookup_key(key: object) -> bool:
    return isinstance(key, str) and _KEY_RE.fullmatch(key) is not None


def validate_lookup(options: Any, path: str = "$") -> list[DefinitionError]:
    """Errors in one lookup's options: a non-empty list of `{id, label[, disabled]}` with
    unique, well-formed ids. Paths start at the list: `$[2].id`."""
    if not isinstance(options, list):
        return [
            DefinitionError(
                path, Code.INVALID_PROPERTY_VALUE, "a lookup's options are a list of {id, label}"
            )
        ]
    return check_options(options, path, None, in_lookup=True)


def validate_lookups(raw: Mapping[str, Any]) -> list[DefinitionError]:
    """Errors in a JSON object of lookup key -> options (or -> `{"options": [...]}`), each
    checked as `validate_lookup` checks it. Paths: `$.sex[2].id`."""
    errors: list[DefinitionError] = []
    for key, value in raw.items():
        path = f"$.{key}"
        if not is_valid_lookup_key(key):
            errors.append(
                DefinitionError(
                    path,
                    Code.INVALID_LOOKUP_KEY,
                    f"lookup key {key!r}: snake_case, at most 100 characters",
                )
            )
        if isinstance(value, Mapping) and set(value) == {"options"}:
            errors += validate_lookup(value["options"], f"{path}.options")
        else:
            errors += validate_lookup(value, path)
    return errors
