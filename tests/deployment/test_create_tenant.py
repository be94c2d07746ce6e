"""`manage.py create_tenant`: a tenant and its administrator, plain or from a template."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from backend.accounts.models import User
from backend.tenancy.models import Tenant
from tests.deployment.helpers import command, exported, new_tenant
from tests.graphql_client import gql, login, use_tenant

pytestmark = pytest.mark.django_db

SAVE_DRAFT = """
mutation($definition: JSON!) {
  saveFormDraft(definition: $definition) { formVersion { number } errors { code } }
}
"""


def test_a_plain_tenant_has_an_administrator_who_may_configure_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slug = new_tenant(monkeypatch, "--locales", "fr,en")
    tenant = Tenant.objects.get(slug=slug)
    token = login("admin", tenant=slug)["accessToken"]

    body = gql(
        SAVE_DRAFT,
        {
            "definition": {
                "key": "intake",
                "record_type": "case",
                "label": {"fr": "Accueil"},
                "fields": [{"name": "name_first", "type": "text"}],
            }
        },
        token,
    )

    assert (tenant.name, tenant.locales, tenant.default_locale) == (
        "New programme",
        ["fr", "en"],
        "fr",
    )
    assert tenant.record_types == ["case"]
    assert body["data"]["saveFormDraft"] == {"formVersion": {"number": 1}, "errors": []}
    bundle = exported(slug)
    assert bundle["forms"] == []
    assert bundle["lookups"] == []
    assert [(r["code"], r["actions"]["*"]) for r in bundle["roles"]] == [
        ("admin", ["manage_forms", "manage_users", "read_audit"])
    ]


def test_a_tenant_from_the_demo_template_has_the_demo_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slug = new_tenant(monkeypatch, "--from-template", "demo", "--locales", "en,fr")

    bundle, demo = exported(slug), exported("demo")

    assert bundle["forms"] == demo["forms"]
    assert bundle["lookups"] == demo["lookups"]
    assert bundle["roles"] == demo["roles"]
    assert bundle["settings"] == {**demo["settings"], "locales": ["en", "fr"]}
    assert Tenant.objects.get(slug=slug).config_version == 1


def test_without_a_password_variable_one_is_generated_and_printed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    output = command(
        "create_tenant", "field-office", "--name", "Field office", "--admin-username", "chief"
    )

    password = output.split("Generated administrator password (shown once): ")[1].strip()
    use_tenant("field-office")
    assert User.objects.get(username="chief").check_password(password)


@pytest.mark.parametrize(
    ("slug", "extra", "message"),
    [
        ("demo", [], "A tenant 'demo' exists already."),
        ("Bad_Slug", [], "is not a tenant slug"),
        ("ok-slug", ["--from-template", "nonsense"], "No template 'nonsense'"),
        ("ok-slug", ["--locales", "en,Klingon"], "Not locale codes"),
        ("ok-slug", ["--admin-username", "a b"], "A username is"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, slug: str, extra: list[str], message: str
) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", "Demo-test-password-42")
    tenants = Tenant.objects.count()

    with pytest.raises(CommandError, match=message):
        command(
            "create_tenant",
            slug,
            "--name",
            "X",
            "--admin-username",
            "admin",
            "--admin-password-env",
            "ADMIN_PASSWORD",
            *extra,
        )

    assert Tenant.objects.count() == tenants


def test_a_weak_or_missing_password_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEAK", "admin")
    base = ["create_tenant", "ok-slug", "--name", "X", "--admin-username", "admin"]

    with pytest.raises(CommandError, match="WEAK_PASSWORD"):
        command(*base, "--admin-password-env", "WEAK")
    with pytest.raises(CommandError, match="UNSET_VARIABLE is unset"):
        command(*base, "--admin-password-env", "UNSET_VARIABLE")

    assert not Tenant.objects.filter(slug="ok-slug").exists()


def test_a_template_that_does_not_import_leaves_no_tenant(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    from backend.deployment.templates import demo_bundle
    from tests.deployment.helpers import write

    bundle = demo_bundle()
    bundle["roles"][0]["scope"] = "everyone"
    path = write(Path(str(tmp_path)) / "bad.json", bundle)

    with pytest.raises(CommandError, match=r"roles\[0\].scope: INVALID_PROPERTY_VALUE"):
        new_tenant(monkeypatch, "--from-template", str(path), slug="broken-one")

    assert not Tenant.objects.filter(slug="broken-one").exists()
