"""Configuration templates a new tenant may start from, as bundles.

`demo` is built from the demo's own sources (backend/demo/content/, the demo roles and
workflow), so the template and the demo tenant cannot drift apart. A path to a bundle file
(a `.json` exported by `export_configuration`) is a template as well.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from backend.demo.form_content import (
    CONTENT_DIR,
    form_documents,
    load_manifest,
    lookup_documents,
    module_documents,
)
from backend.demo.seed import DEMO_DASHBOARDS, DEMO_LOCALES, DEMO_ROLES
from backend.deployment.bundle import FORMAT, VERSION
from backend.locations.csv_format import parse_csv
from backend.matching.demo_rules import DEMO_MATCHING_RULES
from backend.tenancy.models import Tenant
from backend.workflows.config import DEMO_WORKFLOW


class UnknownTemplate(Exception):
    pass


def demo_bundle() -> dict[str, Any]:
    record_types = list(load_manifest())
    return {
        "format": FORMAT,
        "version": VERSION,
        "settings": {
            "default_locale": DEMO_LOCALES[0],
            "locales": list(DEMO_LOCALES),
            "record_types": record_types,
            "workflow": copy.deepcopy(DEMO_WORKFLOW),
            "small_cell_threshold": Tenant._meta.get_field("small_cell_threshold").default,
        },
        "lookups": [
            {"key": key, "options": options} for key, options in sorted(lookup_documents().items())
        ],
        "locations": _demo_locations(),
        "forms": [document for rt in record_types for document in form_documents(rt)],
        "modules": module_documents(),
        "roles": [
            {
                "code": code,
                "name": spec["name"],
                "scope": spec["scope"],
                "actions": {rt: sorted(set(a)) for rt, a in sorted(spec["actions"].items())},  # type: ignore[attr-defined]
                "form_access": spec.get("form_access", {"*": "rw"}),
                "field_rules": spec.get("field_rules", {}),
                "requires_two_factor": False,
                "modules": sorted(set(spec.get("modules", []))),  # type: ignore[call-overload]
                "dashboard": DEMO_DASHBOARDS.get(code, []),
            }
            for code, spec in sorted(DEMO_ROLES.items())
        ],
        "matching_rules": copy.deepcopy(DEMO_MATCHING_RULES),
    }


def _demo_locations() -> list[dict[str, Any]]:
    rows, _ = parse_csv((CONTENT_DIR / "locations.csv").read_text(encoding="utf-8"))
    return [
        {
            "code": row.code,
            "parent_code": row.parent_code,
            "admin_level": int(row.admin_level),
            "names": row.names,
        }
        for row in sorted(rows, key=lambda r: (int(r.admin_level), r.code))
    ]


TEMPLATES = {"demo": demo_bundle}


def load_template(name: str) -> dict[str, Any]:
    """A named template, or the bundle in the file at that path."""
    if name in TEMPLATES:
        return TEMPLATES[name]()
    path = Path(name)
    if not path.is_file():
        raise UnknownTemplate(
            f"No template {name!r}: use one of {', '.join(TEMPLATES)} or a bundle file."
        )
    try:
        bundle: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnknownTemplate(f"{name}: not a JSON bundle ({error}).") from error
    return bundle
