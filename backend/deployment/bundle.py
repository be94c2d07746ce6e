"""The configuration bundle: a tenant's whole configuration as one JSON document.

```
{"format": "casework.configuration", "version": 1,
 "settings": {...}, "lookups": [...], "forms": [...], "roles": [...]}
```

Each top-level key but `format` and `version` is a *section*, defined by three
functions: `export` (the tenant's section), `validate` (every problem, as `Problem`s with
paths such as `forms[3].fields[2].options`; writes nothing) and `apply` (writes a section
that validated, bumping nothing), and optionally `verify` (what can only be checked once
every section applied, inside the import's transaction: a problem rolls the whole import
back). Sections apply in registration order, so a later one may
rely on an earlier one (forms on lookups and settings, roles on forms); the list is in
`registry.py`. A section absent from a bundle leaves that part of the tenant as it is; a key
no section knows is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from backend.accounts.models import User
from backend.error_codes import ErrorCode
from backend.forms.configuration import lookup_documents
from backend.forms.models import FormDefinition
from backend.forms.services import merged_lookup_options
from backend.modules.models import Module
from backend.tenancy.models import Tenant

FORMAT = "casework.configuration"
VERSION = 1
# A form or lookup key, as the form services take it (and its column holds).
KEY = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


@dataclass(frozen=True)
class Problem:
    path: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


@dataclass
class ImportContext:
    """What validation and application of one bundle into one tenant share."""

    tenant: Tenant
    bundle: dict[str, Any]
    actor: User | None = None
    changes: list[str] = field(default_factory=list)

    @cached_property
    def record_types(self) -> list[str]:
        """The tenant's record types once the bundle's settings apply."""
        given = (self.bundle.get("settings") or {}).get("record_types")
        if isinstance(given, list) and all(isinstance(rt, str) for rt in given):
            return list(given)
        return list(self.tenant.record_types)

    @cached_property
    def lookups(self) -> dict[str, list[dict[str, Any]]]:
        """The tenant's lookups once the bundle's apply (options left out kept, disabled)."""
        stored = lookup_documents(self.tenant)
        for item in self.bundle.get("lookups") or ():
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                options = item.get("options")
                if isinstance(options, list) and all(
                    isinstance(o, dict) and isinstance(o.get("id"), str) for o in options
                ):
                    stored[item["key"]] = merged_lookup_options(
                        stored.get(item["key"], []), options
                    )
        return stored

    @cached_property
    def form_keys(self) -> set[str]:
        """Keys of the tenant's forms once the bundle's apply (retired ones included)."""
        keys = set(FormDefinition.objects.filter(tenant=self.tenant).values_list("key", flat=True))
        for document in self.bundle.get("forms") or ():
            if isinstance(document, dict) and isinstance(document.get("key"), str):
                keys.add(document["key"])
        return keys

    @cached_property
    def module_keys(self) -> set[str]:
        """Keys of the tenant's modules once the bundle's apply."""
        keys = set(Module.objects.filter(tenant=self.tenant).values_list("key", flat=True))
        for module in self.bundle.get("modules") or ():
            if isinstance(module, dict) and isinstance(module.get("key"), str):
                keys.add(module["key"])
        return keys


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[Tenant], Any]
    validate: Callable[[ImportContext, Any], Iterable[Problem]]
    apply: Callable[[ImportContext, Any], None]
    # Checks that need the other sections applied (modules name forms, workflow settings
    # name fields): run inside the import's transaction, any problem rolls all of it back.
    verify: Callable[[ImportContext, Any], Iterable[Problem]] | None = None


def envelope_problems(bundle: Any, known: set[str]) -> list[Problem]:
    """The bundle's own shape: an object of a known format and version, known sections."""
    if not isinstance(bundle, dict):
        return [Problem("", ErrorCode.INVALID_DOCUMENT, "A configuration bundle is a JSON object.")]
    problems = []
    if bundle.get("format") != FORMAT:
        problems.append(
            Problem("format", ErrorCode.INVALID_PROPERTY_VALUE, f"format is {FORMAT!r}.")
        )
    if bundle.get("version") != VERSION:
        problems.append(
            Problem(
                "version",
                ErrorCode.INVALID_PROPERTY_VALUE,
                f"This server reads bundles of version {VERSION}.",
            )
        )
    problems += [
        Problem(
            str(key),
            ErrorCode.UNKNOWN_PROPERTY,
            f"No section {key!r} on this server; known: {', '.join(sorted(known))}.",
        )
        for key in bundle
        if key not in known and key not in ("format", "version")
    ]
    return problems


def list_problem(path: str, value: Any) -> list[Problem]:
    if isinstance(value, list):
        return []
    return [Problem(path, ErrorCode.INVALID_PROPERTY_VALUE, f"{path} is a list.")]


def object_problems(path: str, value: Any, required: set[str], allowed: set[str]) -> list[Problem]:
    """A JSON object with these keys; an empty list when it is one."""
    if not isinstance(value, dict):
        return [Problem(path, ErrorCode.INVALID_DOCUMENT, f"{path} is a JSON object.")]
    problems = [
        Problem(f"{path}.{key}", ErrorCode.MISSING_PROPERTY, f"{key} is required.")
        for key in sorted(required - set(value))
    ]
    problems += [
        Problem(f"{path}.{key}", ErrorCode.UNKNOWN_PROPERTY, f"Unknown property {key!r}.")
        for key in value
        if key not in allowed
    ]
    return problems
