"""A tenant's settings: name, locales, workflow settings. Administered with `manage_forms`.

`validate_tenant_settings` and `apply_tenant_settings` check nothing about the caller, so a
configuration-bundle importer (which checks its own permission) applies settings through the
same checks as `update_tenant_settings`. Locales and workflow settings shape the compiled
schema, so changing them bumps `config_version`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import F

from backend.accounts.models import User
from backend.attachments.allow_list import effective_types, validate_attachment_types
from backend.error_codes import ErrorCode
from backend.errors import DomainError
from backend.forms.configuration import TenantConfiguration, published_configuration
from backend.tenancy.models import Tenant
from backend.workflows.settings_check import SettingError, validate_workflow_settings
from formengine.model import LOCALE_PATTERN
from permissions.actions import require_action

# A BCP 47 language tag as people write them: `en`, `fr`, `ar`, `pt-BR`, `zh-Hant`.
# The form language's locale tags, no longer than the tenant's locale column holds.
_LOCALE_LENGTH = Tenant._meta.get_field("default_locale").max_length
LOCALE = re.compile(rf"^(?=.{{2,{_LOCALE_LENGTH}}}$){LOCALE_PATTERN.removeprefix('^')}")
NAME_LIMIT = 200
SETTINGS = (
    "name",
    "default_locale",
    "locales",
    "workflow",
    "small_cell_threshold",
    "attachment_types",
)
MAX_SMALL_CELL_THRESHOLD = 100
# What the compiled schema depends on (the configuration digest holds them).
_IN_SCHEMA = frozenset({"default_locale", "locales", "workflow"})


class InvalidTenantSettings(DomainError):
    code = ErrorCode.BAD_USER_INPUT


@dataclass(frozen=True)
class TenantSettings:
    name: str
    default_locale: str
    locales: tuple[str, ...]
    record_types: tuple[str, ...]
    workflow: dict[str, Any]
    # Every attachment field type with the content types it accepts here.
    attachment_types: dict[str, list[str]]
    small_cell_threshold: int = 5

    @classmethod
    def of(cls, tenant: Tenant) -> TenantSettings:
        return cls(
            name=tenant.name,
            default_locale=tenant.default_locale,
            locales=tuple(tenant.locales),
            record_types=tuple(tenant.record_types),
            workflow=dict(tenant.workflow or {}),
            small_cell_threshold=tenant.small_cell_threshold,
            attachment_types=effective_types(tenant),
        )


def tenant_settings(user: User) -> TenantSettings:
    require_action(user, "manage_forms")
    return TenantSettings.of(user.tenant)


def update_tenant_settings(user: User, changes: Mapping[str, Any]) -> TenantSettings:
    """Change the given settings (a key left out, or None, stays as it is)."""
    require_action(user, "manage_forms")
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=user.tenant_id)
        apply_tenant_settings(tenant, changes)
        user.tenant = tenant
        return TenantSettings.of(tenant)


def validate_tenant_settings(
    tenant: Tenant,
    changes: Mapping[str, Any],
    configuration: TenantConfiguration | None = None,
) -> list[SettingError]:
    """Every problem of the changes at once. Workflow settings are proved against
    `configuration` (default: the tenant's published one); paths start with the setting."""
    given = {key: value for key, value in changes.items() if value is not None}
    errors = [
        _error((key,), ErrorCode.BAD_USER_INPUT, f"{key}: not a tenant setting.")
        for key in sorted(set(given) - set(SETTINGS))
    ]
    name = given.get("name", tenant.name)
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_LIMIT:
        errors.append(
            _error(("name",), ErrorCode.BAD_USER_INPUT, f"name: 1 to {NAME_LIMIT} characters.")
        )
    locales = given.get("locales", tenant.locales)
    if not isinstance(locales, list) or not locales:
        errors.append(_error(("locales",), ErrorCode.BAD_USER_INPUT, "locales: a non-empty list."))
        locales = []
    for index, locale in enumerate(locales):
        if not isinstance(locale, str) or not LOCALE.match(locale):
            message = f"locales: {locale!r} is not a language tag such as `en` or `pt-BR`."
            errors.append(_error(("locales", str(index)), ErrorCode.BAD_USER_INPUT, message))
        elif locales.index(locale) != index:
            message = f"locales: `{locale}` is listed twice."
            errors.append(_error(("locales", str(index)), ErrorCode.BAD_USER_INPUT, message))
    default = given.get("default_locale", tenant.default_locale)
    if default not in [
        locale for locale in locales if isinstance(locale, str) and LOCALE.match(locale)
    ]:
        message = f"default_locale: {default!r} is not one of the locales."
        errors.append(_error(("default_locale",), ErrorCode.BAD_USER_INPUT, message))
    if "small_cell_threshold" in given and not valid_small_cell_threshold(
        given["small_cell_threshold"]
    ):
        message = f"small_cell_threshold: a whole number from 1 to {MAX_SMALL_CELL_THRESHOLD}."
        errors.append(_error(("small_cell_threshold",), ErrorCode.BAD_USER_INPUT, message))
    if "workflow" in given:
        found = validate_workflow_settings(
            given["workflow"], configuration or published_configuration(tenant)
        )
        errors += [_nested("workflow", e) for e in found]
    if "attachment_types" in given:
        found = validate_attachment_types(given["attachment_types"])
        errors += [_nested("attachment_types", e) for e in found]
    return errors


def valid_small_cell_threshold(value: Any) -> bool:
    """Counts under it are shown as "<N" to roles without exact counts (1: none are)."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 1 <= value <= MAX_SMALL_CELL_THRESHOLD
    )


def apply_tenant_settings(
    tenant: Tenant,
    changes: Mapping[str, Any],
    configuration: TenantConfiguration | None = None,
) -> Tenant:
    """Validate and save; refused (InvalidTenantSettings, every problem in its `errors`)
    unless all of it is valid. The caller checks who may do this."""
    errors = validate_tenant_settings(tenant, changes, configuration)
    if errors:
        raise InvalidTenantSettings(
            errors[0].message if len(errors) == 1 else f"The settings have {len(errors)} errors.",
            errors=[e.as_dict() for e in errors],
        )
    given = {key: value for key, value in changes.items() if value is not None}
    changed = [key for key, value in given.items() if getattr(tenant, key) != value]
    if not changed:
        return tenant
    for key in changed:
        setattr(tenant, key, given[key])
    tenant.save(update_fields=changed)
    if _IN_SCHEMA & set(changed):
        Tenant.objects.filter(pk=tenant.pk).update(config_version=F("config_version") + 1)
        tenant.refresh_from_db(fields=["config_version"])
    return tenant


def _error(path: tuple[str, ...], code: ErrorCode, message: str) -> SettingError:
    return SettingError(path, code, message)


def _nested(key: str, error: SettingError) -> SettingError:
    message = f"{key}.{error.message}" if error.path else error.message
    return replace(error, path=(key, *error.path), message=message)
