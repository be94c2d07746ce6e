"""Tenants made with the operator's commands, and their configuration as bundles."""

from __future__ import annotations

import copy
import io
import json
import uuid
from pathlib import Path
from typing import Any

from django.core.management import call_command

from backend.deployment.services import export_bundle
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from tests.graphql_client import DEMO_PASSWORD


def command(*args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def new_tenant(monkeypatch: Any, *extra: str, slug: str | None = None) -> str:
    """A tenant made by `create_tenant` with administrator `admin` (password DEMO_PASSWORD)."""
    slug = slug or f"t-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("ADMIN_PASSWORD", DEMO_PASSWORD)
    command(
        "create_tenant",
        slug,
        "--name",
        "New programme",
        "--admin-username",
        "admin",
        "--admin-password-env",
        "ADMIN_PASSWORD",
        *extra,
    )
    return slug


def exported(slug: str) -> dict[str, Any]:
    tenant = Tenant.objects.get(slug=slug)
    with tenant_transaction(tenant.pk):
        return export_bundle(tenant)


def demo_export(tmp_path: Path) -> Path:
    path = tmp_path / "demo.json"
    command("export_configuration", "--tenant", "demo", "--output", str(path))
    return path


def changed(bundle: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(bundle)


def write(path: Path, bundle: dict[str, Any]) -> Path:
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path
