"""`forms`: the published document of every form in use, in publication order (which is the
order clients show them in). Drafts and past versions stay on their server.

The bundle's forms of a record type are checked as its whole form set, with the lookups the
bundle leaves, and against every version the tenant ever published: the checks of a publish.
Applying publishes each form whose document differs (one new version; a form equal to what is
published is left alone) and retires the forms in use that the bundle leaves out: their
fields become deprecated and their data stays readable. Drafts are left as they are.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.utils import timezone

from backend.deployment.bundle import KEY, ImportContext, Problem, Section, list_problem
from backend.error_codes import ErrorCode
from backend.forms.models import FormDefinition, FormVersion
from backend.forms.services import form_set_errors, published_history
from backend.forms.signals import forms_published
from backend.tenancy.models import Tenant

_SET_INDEX = re.compile(r"^\$\[(\d+)\]")


def _in_use(tenant: Tenant) -> list[FormVersion]:
    return list(
        FormVersion.objects.filter(
            tenant=tenant, status=FormVersion.Status.PUBLISHED, form__retired_at__isnull=True
        )
        .select_related("form")
        .order_by("published_at", "pk")
    )


def export(tenant: Tenant) -> list[dict[str, Any]]:
    return [version.document for version in _in_use(tenant)]


def validate(context: ImportContext, forms: Any) -> list[Problem]:
    problems = list_problem("forms", forms)
    if problems:
        return problems
    stored_types = dict(
        FormDefinition.objects.filter(tenant=context.tenant).values_list("key", "record_type")
    )
    by_record_type: dict[str, list[int]] = defaultdict(list)
    seen: dict[str, int] = {}
    for index, document in enumerate(forms):
        path = f"forms[{index}]"
        if not isinstance(document, dict):
            problems.append(Problem(path, ErrorCode.INVALID_DOCUMENT, "A form is a JSON object."))
            continue
        key, record_type = document.get("key"), document.get("record_type")
        if record_type not in context.record_types:
            problems.append(
                Problem(
                    f"{path}.record_type",
                    ErrorCode.INVALID_RECORD_TYPE,
                    f"Unknown record type {record_type!r}; the tenant will have: "
                    + ", ".join(context.record_types),
                )
            )
            continue
        if not isinstance(key, str) or not KEY.match(key):
            problems.append(
                Problem(f"{path}.key", ErrorCode.INVALID_FORM_KEY, "A form needs a snake_case key.")
            )
            continue
        if key in seen:
            problems.append(
                Problem(
                    f"{path}.key", ErrorCode.DUPLICATE_FORM_KEY, f"forms[{seen[key]}] has this key."
                )
            )
            continue
        seen[key] = index
        if stored_types.get(key, record_type) != record_type:
            problems.append(
                Problem(
                    f"{path}.record_type",
                    ErrorCode.RECORD_TYPE_CHANGED,
                    f"Form {key!r} belongs to record type {stored_types[key]!r}.",
                )
            )
            continue
        by_record_type[record_type].append(index)
    for record_type, indexes in by_record_type.items():
        documents = [forms[i] for i in indexes]
        history = published_history(context.tenant, record_type)
        for error in form_set_errors(documents, context.lookups, history):
            match = _SET_INDEX.match(error.path)
            if match and int(match.group(1)) < len(indexes):
                path = f"forms[{indexes[int(match.group(1))]}]" + error.path[match.end() :]
            else:
                path = "forms"
            problems.append(Problem(path, error.code, error.message))
    return problems


def apply(context: ImportContext, forms: list[dict[str, Any]]) -> None:
    tenant = context.tenant
    in_use = {version.form.key: version for version in _in_use(tenant)}
    published = False
    for document in forms:
        current = in_use.get(document["key"])
        if current is not None and current.document == document:
            continue
        form, _ = FormDefinition.objects.select_for_update().get_or_create(
            tenant=tenant, key=document["key"], defaults={"record_type": document["record_type"]}
        )
        form.versions.filter(status=FormVersion.Status.PUBLISHED).update(
            status=FormVersion.Status.RETIRED
        )
        last = form.versions.order_by("-number").values_list("number", flat=True).first()
        FormVersion.objects.create(
            tenant=tenant,
            form=form,
            number=(last or 0) + 1,
            status=FormVersion.Status.PUBLISHED,
            document=document,
            author=context.actor,
            published_at=timezone.now(),
        )
        if form.retired_at is not None:
            form.retired_at = None
            form.save(update_fields=["retired_at"])
        context.changes.append(f"form {document['key']} published")
        published = True
    if published:
        forms_published.send(sender=FormVersion, tenant=tenant)
    kept = {document["key"] for document in forms}
    for key, version in in_use.items():
        if key not in kept:
            version.form.retired_at = timezone.now()
            version.form.save(update_fields=["retired_at"])
            version.form.versions.filter(status=FormVersion.Status.PUBLISHED).update(
                status=FormVersion.Status.RETIRED
            )
            context.changes.append(f"form {key} retired")


SECTION = Section("forms", export, validate, apply)
