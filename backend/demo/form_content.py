"""Publish the demo form sets (backend/demo/content/) into a tenant through the form services.

The content folder is a template: `manifest.json` lists each record type's forms in display
order and the modules (programmes) that group them, `lookups.json` holds the option lists,
and `<record type>/<form key>.json` the forms.
Publishing goes through the same services an administrator uses, so every form is validated
and checked for compatibility; a form whose published version already matches is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from backend.accounts.models import User
from backend.forms import services
from backend.forms.models import FormVersion, Lookup
from backend.modules import services as modules
from backend.modules.models import Module

CONTENT_DIR = Path(__file__).resolve().parent / "content"


def load_manifest(content_dir: Path = CONTENT_DIR) -> dict[str, list[str]]:
    manifest: dict[str, list[str]] = json.loads((content_dir / "manifest.json").read_text())[
        "record_types"
    ]
    return manifest


def form_documents(record_type: str, content_dir: Path = CONTENT_DIR) -> list[dict[str, Any]]:
    keys = load_manifest(content_dir)[record_type]
    return [json.loads((content_dir / record_type / f"{key}.json").read_text()) for key in keys]


def lookup_documents(content_dir: Path = CONTENT_DIR) -> dict[str, list[dict[str, Any]]]:
    lookups: dict[str, list[dict[str, Any]]] = json.loads(
        (content_dir / "lookups.json").read_text()
    )
    return lookups


def publish_content(
    admin: User, content_dir: Path = CONTENT_DIR, record_types: Sequence[str] | None = None
) -> list[str]:
    """Publish what differs from the tenant's current configuration; return what changed."""
    changed: list[str] = []
    existing = {lookup.key: lookup.options for lookup in Lookup.objects.filter(tenant=admin.tenant)}
    for key, options in lookup_documents(content_dir).items():
        if existing.get(key) != options:
            services.save_lookup(admin, key, options)
            changed.append(f"lookup {key}")
    for record_type in record_types or list(load_manifest(content_dir)):
        for document in form_documents(record_type, content_dir):
            current = FormVersion.objects.filter(
                tenant=admin.tenant,
                form__key=document["key"],
                status=FormVersion.Status.PUBLISHED,
            ).first()
            if current is not None and current.document == document:
                continue
            services.save_form_draft(admin, document)
            services.publish_form_version(admin, record_type, document["key"])
            changed.append(f"form {document['key']}")
    return changed


def module_documents(content_dir: Path = CONTENT_DIR) -> list[dict[str, Any]]:
    """The manifest's modules, as `saveModule` and a configuration bundle take them."""
    manifest = json.loads((content_dir / "manifest.json").read_text(encoding="utf-8"))
    return list(manifest.get("modules", []))


def publish_modules(admin: User, content_dir: Path = CONTENT_DIR) -> list[str]:
    """Save the manifest's modules that the tenant does not have as declared."""
    declared = module_documents(content_dir)
    current = {m.key: m.document() for m in Module.objects.filter(tenant=admin.tenant)}
    changed = []
    for document in declared:
        if current.get(document["key"]) != document:
            modules.save_module(admin, document)
            changed.append(f"module {document['key']}")
    return changed
