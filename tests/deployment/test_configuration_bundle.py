"""A tenant's configuration as one bundle: exported, imported elsewhere, refused whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from backend.deployment.services import InvalidConfigurationBundle, import_bundle
from backend.deployment.templates import demo_bundle
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from tests.deployment.helpers import changed, command, demo_export, exported, new_tenant, write

pytestmark = pytest.mark.django_db


def _config_version(slug: str) -> int:
    return Tenant.objects.get(slug=slug).config_version


def test_the_demo_template_is_the_demo_tenant_configuration() -> None:
    assert exported("demo") == demo_bundle()


def test_a_demo_export_imported_into_a_fresh_tenant_exports_the_same(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = demo_export(tmp_path)
    slug = new_tenant(monkeypatch, "--record-types", "case")
    before = _config_version(slug)

    output = command("import_configuration", "--tenant", slug, str(path))

    assert exported(slug) == json.loads(path.read_text())
    assert _config_version(slug) == before + 1  # one bump for the whole import
    assert "form basic_identity published" in output


def test_importing_the_same_bundle_again_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = demo_export(tmp_path)
    slug = new_tenant(monkeypatch)
    command("import_configuration", "--tenant", slug, str(path))
    version = _config_version(slug)

    output = command("import_configuration", "--tenant", slug, str(path))

    assert "0 changes" in output
    assert _config_version(slug) == version


def _broken(bundle: dict[str, Any]) -> dict[str, Any]:
    broken = changed(bundle)
    broken["forms"][3]["fields"][2] = {"name": "colour", "type": "rainbow"}
    broken["forms"][4]["fields"].append(
        {"name": "favourite_fruit", "type": "select", "options": {"lookup": "fruit"}}
    )
    broken["roles"][0]["actions"] = {"case": ["read", "fly"]}
    broken["roles"][1]["form_access"] = {"no_such_form": "rw"}
    broken["settings"]["locales"] = ["en", "French"]
    broken["lookups"][0]["options"] = [{"id": "a b", "label": {"en": "A"}}]
    return broken


def test_an_invalid_bundle_is_refused_whole_with_every_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slug = new_tenant(monkeypatch)
    tenant = Tenant.objects.get(slug=slug)
    before, version = exported(slug), tenant.config_version
    broken = _broken(demo_bundle())

    with pytest.raises(InvalidConfigurationBundle) as refused, tenant_transaction(tenant.pk):
        import_bundle(tenant, broken)

    problems = {(p.path, p.code) for p in refused.value.problems}
    assert ("forms[3].fields[2].type", "UNKNOWN_FIELD_TYPE") in problems
    fruit = len(broken["forms"][4]["fields"]) - 1
    assert (f"forms[4].fields[{fruit}].options.lookup", "UNKNOWN_LOOKUP") in problems
    assert ("roles[0].actions", "BAD_USER_INPUT") in problems
    assert ("roles[1].form_access", "BAD_USER_INPUT") in problems
    assert ("settings.locales[1]", "INVALID_PROPERTY_VALUE") in problems
    assert ("lookups[0].options[0].id", "INVALID_OPTION_ID") in problems
    assert exported(slug) == before
    assert Tenant.objects.get(slug=slug).config_version == version


def test_the_command_lists_every_problem_and_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    slug = new_tenant(monkeypatch)
    before = exported(slug)
    path = write(tmp_path / "broken.json", _broken(demo_bundle()))

    with pytest.raises(CommandError) as failed:
        command("import_configuration", "--tenant", slug, str(path))

    message = str(failed.value)
    assert message.startswith("INVALID_CONFIGURATION_BUNDLE")
    assert "forms[3].fields[2].type: UNKNOWN_FIELD_TYPE" in message
    assert "roles[0].actions: BAD_USER_INPUT" in message
    assert exported(slug) == before


def test_an_unknown_section_format_or_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = Tenant.objects.get(slug=new_tenant(monkeypatch))
    bundle = {"format": "other", "version": 2, "modulez": []}

    with pytest.raises(InvalidConfigurationBundle) as refused, tenant_transaction(tenant.pk):
        import_bundle(tenant, bundle)

    assert {(p.path, p.code) for p in refused.value.problems} == {
        ("format", "INVALID_PROPERTY_VALUE"),
        ("version", "INVALID_PROPERTY_VALUE"),
        ("modulez", "UNKNOWN_PROPERTY"),
    }


def test_a_field_published_before_cannot_change_type() -> None:
    """The checks of a publish: the demo tenant published `age` as an integer."""
    demo = Tenant.objects.get(slug="demo")
    bundle = demo_bundle()
    form, field = next(
        (i, j)
        for i, document in enumerate(bundle["forms"])
        for j, f in enumerate(document["fields"])
        if f["name"] == "age"
    )
    bundle["forms"][form]["fields"][field] = {"name": "age", "type": "text"}
    before = exported("demo")

    with pytest.raises(InvalidConfigurationBundle) as refused, tenant_transaction(demo.pk):
        import_bundle(demo, bundle)

    assert [(p.path, p.code) for p in refused.value.problems] == [
        (f"forms[{form}].fields[{field}].type", "FIELD_TYPE_CHANGED")
    ]
    assert exported("demo") == before


def test_forms_left_out_are_retired_and_their_data_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    slug = new_tenant(monkeypatch, "--from-template", "demo")
    tenant = Tenant.objects.get(slug=slug)
    bundle = exported(slug)
    bundle["forms"] = [d for d in bundle["forms"] if d["key"] != "health"]

    with tenant_transaction(tenant.pk):
        report = import_bundle(tenant, bundle)

    assert report.changes == ["form health retired"]
    assert exported(slug)["forms"] == bundle["forms"]


def test_the_demo_template_carries_modules_locations_and_role_grants() -> None:
    bundle = demo_bundle()

    assert {m["key"] for m in bundle["modules"]} == {"cp", "gbv"}
    assert {r["code"]: r["modules"] for r in bundle["roles"]}["gbv_worker"] == ["gbv"]
    levels = {row["code"]: row["admin_level"] for row in bundle["locations"]}
    assert {0, 1} <= set(levels.values())


def test_modules_locations_and_grants_are_checked_before_anything_applies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slug = new_tenant(monkeypatch)
    tenant = Tenant.objects.get(slug=slug)
    before = exported(slug)
    bundle = demo_bundle()
    bundle["locations"].append(
        {"code": "ORPHAN", "parent_code": "NOWHERE", "admin_level": 1, "names": {"en": "O"}}
    )
    bundle["modules"].append(bundle["modules"][0])
    bundle["roles"][0]["modules"] = ["cp", "no_such_programme"]
    orphan = len(bundle["locations"]) - 1

    with pytest.raises(InvalidConfigurationBundle) as refused, tenant_transaction(tenant.pk):
        import_bundle(tenant, bundle)

    problems = {(p.path, p.code) for p in refused.value.problems}
    assert (f"locations[{orphan}].parent_code", "UNKNOWN_PARENT_LOCATION") in problems
    assert (f"modules[{len(bundle['modules']) - 1}].key", "INVALID_MODULE") in problems
    assert ("roles[0].modules", "INVALID_PROPERTY_VALUE") in problems
    assert exported(slug) == before


def test_what_the_applied_forms_disprove_rolls_the_whole_import_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A module naming a form the bundle lacks, workflow settings naming a field its forms
    lack: found once the forms apply, and then nothing of the bundle stays."""
    slug = new_tenant(monkeypatch)
    tenant = Tenant.objects.get(slug=slug)
    before = exported(slug)
    bundle = demo_bundle()
    bundle["modules"][0]["record_types"]["case"].append("no_such_form")
    services = bundle["settings"]["workflow"]["services"]
    services["due_date_field"] = "when_due"

    with pytest.raises(InvalidConfigurationBundle) as refused, tenant_transaction(tenant.pk):
        import_bundle(tenant, bundle)

    problems = {(p.path, p.code) for p in refused.value.problems}
    assert any(
        path.startswith("modules[0].record_types.case") and code == "INVALID_MODULE"
        for path, code in problems
    ), problems
    assert (
        "settings.workflow.services.due_date_field",
        "INVALID_WORKFLOW_SETTINGS",
    ) in problems
    assert exported(slug) == before
