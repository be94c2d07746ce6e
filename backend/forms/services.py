"""Form administration: drafts, publication, retirement, lookups. Each call checks `manage_forms`.

Publishing is the one way a tenant's configuration changes: it bumps `config_version`, which
every server process compares on its next request to decide whether to recompile the schema.
A publication or retirement that would break the tenant's workflow settings is refused
(BREAKS_WORKFLOW_SETTINGS), as is one that removes a field the matching rules compare
(BREAKS_MATCHING_RULES).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from backend.accounts.models import User
from backend.error_codes import ErrorCode
from backend.errors import BadUserInput, DomainError, NotFound
from backend.forms.configuration import lookup_documents, published_configuration
from backend.forms.models import FormDefinition, FormVersion, Lookup
from backend.forms.signals import forms_published
from backend.matching.guard import keep_matching_rules
from backend.records.tasks import schedule_index_sync
from backend.tenancy.models import Tenant
from backend.workflows.settings_guard import keep_workflow_settings
from formengine import (
    DefinitionError,
    FormDiff,
    check_compatibility,
    diff_versions,
    is_valid_lookup_key,
    parse_lookups,
    validate_form_set,
    validate_lookup,
)
from permissions.actions import require_action

_INDEX = re.compile(r"^\$\[(\d+)\]")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


class InvalidFormDefinition(DomainError):
    code = ErrorCode.INVALID_FORM_DEFINITION


class IncompatibleFormVersion(DomainError):
    code = ErrorCode.INCOMPATIBLE_FORM_VERSION


def _error_list(errors: Sequence[DefinitionError], keys: Sequence[str]) -> list[dict[str, str]]:
    """Name the form of each error instead of its index in the checked set."""
    listed = []
    for error in errors:
        match = _INDEX.match(error.path)
        form = keys[int(match.group(1))] if match and int(match.group(1)) < len(keys) else ""
        path = "$" + error.path[match.end() :] if match else error.path
        listed.append({"form": form, "path": path, "code": error.code, "message": error.message})
    return listed


def _current_documents(
    tenant: Tenant, record_type: str, *, except_key: str
) -> list[dict[str, Any]]:
    versions = FormVersion.objects.filter(
        tenant=tenant,
        form__record_type=record_type,
        form__retired_at__isnull=True,
        status=FormVersion.Status.PUBLISHED,
    ).exclude(form__key=except_key)
    return [v.document for v in versions]


def _check_definition(tenant: Tenant, document: Any) -> tuple[str, str]:
    if not isinstance(document, dict):
        raise BadUserInput("A form definition is a JSON object.")
    key, record_type = document.get("key"), document.get("record_type")
    if not isinstance(key, str) or not _KEY.match(key):
        raise BadUserInput("The form needs a snake_case 'key'.", field="key")
    if not isinstance(record_type, str) or record_type not in tenant.record_types:
        raise BadUserInput(
            f"Unknown record type {record_type!r}; this tenant has: "
            + ", ".join(tenant.record_types),
            field="record_type",
        )
    others = _current_documents(tenant, record_type, except_key=key)
    # The document last: a field it shares with a published form and defines differently
    # is reported in the document (the later of two definitions), not in the other form.
    errors = validate_form_set([*others, document], parse_lookups(lookup_documents(tenant)))
    if errors:
        raise InvalidFormDefinition(
            f"The form definition has {len(errors)} error(s).",
            errors=_error_list(errors, [*(d["key"] for d in others), key]),
        )
    return key, record_type


def save_form_draft(user: User, document: Any) -> FormVersion:
    """Create or replace the draft of a form. The draft must be a valid definition."""
    require_action(user, "manage_forms")
    tenant = user.tenant
    key, record_type = _check_definition(tenant, document)
    with transaction.atomic():
        form, created = FormDefinition.objects.select_for_update().get_or_create(
            tenant=tenant, key=key, defaults={"record_type": record_type}
        )
        if not created and form.record_type != record_type:
            raise BadUserInput(
                f"Form '{key}' belongs to record type '{form.record_type}'.", field="record_type"
            )
        draft = form.versions.filter(status=FormVersion.Status.DRAFT).first()
        if draft is None:
            last = form.versions.order_by("-number").values_list("number", flat=True).first()
            draft = FormVersion(tenant=tenant, form=form, number=(last or 0) + 1)
        draft.document = document
        draft.author = user
        draft.save()
        return draft


def publish_form_version(user: User, record_type: str, key: str) -> FormVersion:
    """Publish a form's draft after checking it against every version published before."""
    require_action(user, "manage_forms")
    tenant = user.tenant
    with transaction.atomic():
        form = (
            FormDefinition.objects.select_for_update()
            .filter(tenant=tenant, key=key, record_type=record_type)
            .first()
        )
        if form is None:
            raise NotFound(f"No form '{key}' for record type '{record_type}'.")
        draft = form.versions.filter(status=FormVersion.Status.DRAFT).first()
        if draft is None:
            raise BadUserInput(f"Form '{key}' has no draft to publish.")
        _check_definition(tenant, draft.document)
        others = _current_documents(tenant, record_type, except_key=key)
        published = published_history(tenant, record_type)
        errors = check_compatibility([draft.document, *others], published)
        if errors:
            raise IncompatibleFormVersion(
                "This version is not compatible with what was published before.",
                errors=_error_list(errors, [key, *(d["key"] for d in others)]),
            )
        before = published_configuration(tenant)
        form.versions.filter(status=FormVersion.Status.PUBLISHED).update(
            status=FormVersion.Status.RETIRED
        )
        draft.status = FormVersion.Status.PUBLISHED
        draft.published_at = timezone.now()
        draft.save(update_fields=["status", "published_at"])
        if form.retired_at is not None:
            form.retired_at = None
            form.save(update_fields=["retired_at"])
        keep_workflow_settings(tenant, before, f"version {draft.number} of form `{key}` removes")
        keep_matching_rules(tenant, before, f"version {draft.number} of form `{key}` removes")
        _bump_configuration(tenant)
        forms_published.send(sender=FormVersion, tenant=tenant)
        schedule_index_sync(tenant.pk)
        return draft


def retire_form(user: User, key: str) -> FormDefinition:
    """Take a form out of use. Its fields become deprecated; their data stays readable."""
    require_action(user, "manage_forms")
    tenant = user.tenant
    with transaction.atomic():
        form = FormDefinition.objects.select_for_update().filter(tenant=tenant, key=key).first()
        if form is None:
            raise NotFound(f"No form '{key}'.")
        if form.retired_at is None:
            before = published_configuration(tenant)
            form.retired_at = timezone.now()
            form.save(update_fields=["retired_at"])
            form.versions.filter(status=FormVersion.Status.PUBLISHED).update(
                status=FormVersion.Status.RETIRED
            )
            keep_workflow_settings(tenant, before, f"retiring form `{key}` removes")
            keep_matching_rules(tenant, before, f"retiring form `{key}` removes")
            _bump_configuration(tenant)
            schedule_index_sync(tenant.pk)
        return form


def save_lookup(user: User, key: str, options: Any) -> Lookup:
    """Create or replace a lookup. Options left out are kept, disabled: old values stay readable."""
    require_action(user, "manage_forms")
    if not is_valid_lookup_key(key):
        raise BadUserInput("A lookup key is snake_case.", field="key")
    errors = validate_lookup(options)
    if errors:
        raise InvalidFormDefinition(
            "The options are not valid.",
            errors=[{"path": e.path, "code": e.code, "message": e.message} for e in errors],
        )
    tenant = user.tenant
    with transaction.atomic():
        lookup = store_lookup(tenant, key, options)
        _bump_configuration(tenant)
        return lookup


def store_lookup(tenant: Tenant, key: str, options: list[dict[str, Any]]) -> Lookup:
    """Save checked options; options left out are kept, disabled. Bumps nothing."""
    lookup, _ = Lookup.objects.select_for_update().get_or_create(tenant=tenant, key=key)
    lookup.options = merged_lookup_options(lookup.options, options)
    lookup.save()
    return lookup


def merged_lookup_options(
    stored: list[dict[str, Any]], given: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    ids = {o["id"] for o in given}
    return [*given, *({**o, "disabled": True} for o in stored if o["id"] not in ids)]


def published_history(tenant: Tenant, record_type: str) -> list[dict[str, Any]]:
    """Every version ever published for a record type, oldest first."""
    return [
        v.document
        for v in FormVersion.objects.filter(
            tenant=tenant, form__record_type=record_type, published_at__isnull=False
        ).order_by("published_at")
    ]


def form_set_errors(
    documents: Sequence[Any],
    lookups: dict[str, list[dict[str, Any]]],
    published: Sequence[dict[str, Any]],
) -> list[DefinitionError]:
    """Why publishing `documents` as a record type's whole current form set would be refused:
    the checks of a publish (validation, then compatibility with what was published)."""
    errors = validate_form_set(documents, parse_lookups(lookups))
    return errors or check_compatibility(documents, published)


def form_versions(user: User, key: str) -> list[FormVersion]:
    require_action(user, "manage_forms")
    return list(FormVersion.objects.filter(tenant=user.tenant, form__key=key).order_by("number"))


def form_diff(user: User, key: str, from_version: int, to_version: int) -> FormDiff:
    require_action(user, "manage_forms")
    versions = {
        v.number: v.document
        for v in FormVersion.objects.filter(
            tenant=user.tenant, form__key=key, number__in=[from_version, to_version]
        )
    }
    for number in (from_version, to_version):
        if number not in versions:
            raise NotFound(f"Form '{key}' has no version {number}.")
    return diff_versions(versions[from_version], versions[to_version])


def _bump_configuration(tenant: Tenant) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(config_version=F("config_version") + 1)
    tenant.refresh_from_db(fields=["config_version"])
