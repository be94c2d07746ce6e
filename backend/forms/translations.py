"""Translations for translators: every label of a tenant out to a sheet, and back in.

One row per translatable string, columns `key, <locale>...` in the tenant's locales:

    form.basic_identity.label
    form.basic_identity.help
    form.basic_identity.field.name_first.label            (.help)
    form.basic_identity.field.siblings.field.sibling_name.label
    form.basic_identity.field.sex_at_birth.option.female.label
    lookup.sex.option.female.label

Forms are their published versions (retired forms and unpublished drafts are left out).
Keys are never parsed: the import builds the same keys from the current configuration and
looks each row up, so option ids holding dots are no trouble.

Import is all or nothing: an unknown key, a locale the tenant does not have, a duplicated
key or a label left with no text refuses the whole file. An empty cell removes that
locale's text; a key the file leaves out is unchanged. Each form whose labels change gets a
new draft, published at once (a labels-only change is compatible); a draft that was pending
is kept, with the same labels applied. Lookups are updated in place.

CSV is UTF-8 with a byte-order mark, so spreadsheet tools open Arabic and other scripts
right; a value a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is written
with a leading apostrophe, which import removes again. XLSX cells are written as text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from backend.accounts.models import User
from backend.error_codes import ErrorCode
from backend.errors import BadUserInput, DomainError
from backend.forms.models import FormVersion, Lookup
from backend.forms.services import publish_form_version, save_form_draft
from backend.tenancy.models import Tenant
from permissions.actions import require_action

FORMATS = ("csv", "xlsx")
MAX_UNPACKED_BYTES = 50_000_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class InvalidTranslations(DomainError):
    code = ErrorCode.INVALID_TRANSLATIONS


@dataclass(frozen=True, slots=True)
class TranslationFile:
    format: str
    filename: str
    media_type: str
    content: bytes


@dataclass
class ImportResult:
    published_forms: list[str] = field(default_factory=list)
    updated_lookups: list[str] = field(default_factory=list)


# -- the strings of a tenant --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Slot:
    """One translatable string: where its locale -> text object lives, and what it belongs to."""

    owner: str  # "form:<key>" or "lookup:<key>"
    holder: dict[str, Any]  # the JSON object holding the text
    prop: str  # "label" | "help"
    required: bool  # a label that must keep some text


def _field_slots(
    prefix: str, owner: str, fields: list[dict[str, Any]]
) -> Iterator[tuple[str, _Slot]]:
    for definition in fields:
        base = f"{prefix}.field.{definition['name']}"
        yield f"{base}.label", _Slot(owner, definition, "label", False)
        yield f"{base}.help", _Slot(owner, definition, "help", False)
        options = definition.get("options")
        if isinstance(options, list):
            for option in options:
                yield f"{base}.option.{option['id']}.label", _Slot(owner, option, "label", True)
        yield from _field_slots(base, owner, definition.get("fields") or [])


@dataclass
class _Catalogue:
    forms: dict[str, dict[str, Any]]  # key -> published document (a copy to edit)
    record_types: dict[str, str]
    lookups: dict[str, Lookup]
    slots: dict[str, _Slot]


def _catalogue(tenant: Tenant) -> _Catalogue:
    versions = (
        FormVersion.objects.filter(
            tenant=tenant, status=FormVersion.Status.PUBLISHED, form__retired_at__isnull=True
        )
        .select_related("form")
        .order_by("form__record_type", "form__key")
    )
    catalogue = _Catalogue({}, {}, {}, {})
    for version in versions:
        key = version.form.key
        document = deepcopy(version.document)
        catalogue.forms[key] = document
        catalogue.record_types[key] = version.form.record_type
        prefix = f"form.{key}"
        catalogue.slots[f"{prefix}.label"] = _Slot(f"form:{key}", document, "label", True)
        catalogue.slots[f"{prefix}.help"] = _Slot(f"form:{key}", document, "help", False)
        catalogue.slots.update(_field_slots(prefix, f"form:{key}", document["fields"]))
    for lookup in Lookup.objects.filter(tenant=tenant).order_by("key"):
        lookup.options = deepcopy(lookup.options)
        catalogue.lookups[lookup.key] = lookup
        for option in lookup.options:
            slot = _Slot(f"lookup:{lookup.key}", option, "label", True)
            catalogue.slots[f"lookup.{lookup.key}.option.{option['id']}.label"] = slot
    return catalogue


def _locales(tenant: Tenant) -> list[str]:
    ordered = [tenant.default_locale, *tenant.locales]
    return list(dict.fromkeys(locale for locale in ordered if locale))


# -- export -------------------------------------------------------------------------------


def _rows(tenant: Tenant) -> Iterator[list[str]]:
    locales = _locales(tenant)
    yield ["key", *locales]
    for key, slot in _catalogue(tenant).slots.items():
        text = slot.holder.get(slot.prop) or {}
        if slot.prop == "help" and not text:
            continue  # no help yet: nothing to translate
        yield [key, *(text.get(locale, "") for locale in locales)]


def _csv_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_translations(user: User, file_format: str) -> TranslationFile:
    require_action(user, "manage_forms")
    if file_format not in FORMATS:
        raise BadUserInput(f"The format is one of {', '.join(FORMATS)}.", field="format")
    tenant = user.tenant
    name = f"translations-{tenant.slug}.{file_format}"
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in _rows(tenant):
            writer.writerow([_csv_safe(cell) for cell in row])
        return TranslationFile("csv", name, "text/csv", out.getvalue().encode("utf-8-sig"))
    book = Workbook()
    sheet = book.active
    sheet.title = "translations"
    for row_number, row in enumerate(_rows(tenant), start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            cell.data_type = "s"  # text, never a formula
    out_bytes = io.BytesIO()
    book.save(out_bytes)
    return TranslationFile(
        "xlsx",
        name,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        out_bytes.getvalue(),
    )


# -- import -------------------------------------------------------------------------------


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidTranslations("The CSV file is not UTF-8 text.") from None
    rows = list(csv.reader(io.StringIO(text)))
    return [
        [
            cell[1:] if cell[:1] == "'" and cell[1:].startswith(_FORMULA_START) else cell
            for cell in row
        ]
        for row in rows
    ]


def _read_xlsx(content: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise InvalidTranslations("The workbook unpacks to more than 50 MB.")
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise InvalidTranslations("The file is not an .xlsx workbook.") from None
    try:
        sheet = book.worksheets[0]
        return [
            ["" if value is None else str(value) for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        book.close()


def _problem(row: int | None, message: str) -> dict[str, str]:
    where = f"row {row}: " if row is not None else ""
    return {
        "argument": "content",
        "path": f"$[{row}]" if row is not None else "$",
        "code": ErrorCode.INVALID_TRANSLATIONS.value,
        "message": where + message,
    }


def _apply(
    rows: list[list[str]], tenant: Tenant, catalogue: _Catalogue
) -> tuple[set[str], list[dict[str, str]]]:
    """Write the rows' texts into the catalogue's copies; (changed owners, problems)."""
    problems: list[dict[str, str]] = []
    if not rows or not rows[0] or rows[0][0].strip().lower() != "key":
        return set(), [_problem(1, "the first row is the header: key, then one locale a column")]
    header = [cell.strip() for cell in rows[0]]
    known = set(_locales(tenant))
    columns: list[tuple[int, str]] = []
    for index, locale in enumerate(header[1:], start=1):
        if not locale:
            continue
        if locale not in known:
            problems.append(
                _problem(
                    1, f"locale {locale!r} is not one of this tenant's: {', '.join(sorted(known))}"
                )
            )
        elif locale in (c[1] for c in columns):
            problems.append(_problem(1, f"locale {locale!r} has two columns"))
        else:
            columns.append((index, locale))
    changed: set[str] = set()
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        key = row[0].strip() if row else ""
        if not key:
            if any(cell.strip() for cell in row):
                problems.append(_problem(number, "the row has no key"))
            continue
        if key in seen:
            problems.append(_problem(number, f"key {key!r} is also on row {seen[key]}"))
            continue
        seen[key] = number
        slot = catalogue.slots.get(key)
        if slot is None:
            problems.append(_problem(number, f"unknown key {key!r}"))
            continue
        current: dict[str, str] = dict(slot.holder.get(slot.prop) or {})
        updated = dict(current)
        for index, locale in columns:
            text = row[index].strip() if index < len(row) else ""
            if text:
                updated[locale] = text
            else:
                updated.pop(locale, None)
        if updated == current:
            continue
        if not updated and slot.required:
            problems.append(_problem(number, f"{key!r} needs text in at least one language"))
            continue
        if updated:
            slot.holder[slot.prop] = updated
        else:
            slot.holder.pop(slot.prop, None)
        changed.add(slot.owner)
    return changed, problems


def import_translations(user: User, file_format: str, content: bytes) -> ImportResult:
    """Apply a translation sheet; refused whole (INVALID_TRANSLATIONS) on any error."""
    require_action(user, "manage_forms")
    if file_format not in FORMATS:
        raise BadUserInput(f"The format is one of {', '.join(FORMATS)}.", field="format")
    rows = _read_csv(content) if file_format == "csv" else _read_xlsx(content)
    tenant = user.tenant
    result = ImportResult()
    with transaction.atomic():
        catalogue = _catalogue(tenant)
        changed, problems = _apply(rows, tenant, catalogue)
        if problems:
            raise InvalidTranslations(
                f"The translations have {len(problems)} error(s); nothing was imported.",
                errors=problems,
            )
        for owner in sorted(changed):
            kind, _, key = owner.partition(":")
            if kind == "form":
                _publish_labels(user, catalogue, key)
                result.published_forms.append(key)
            else:
                lookup = catalogue.lookups[key]
                lookup.save(update_fields=["options", "updated_at"])
                result.updated_lookups.append(key)
        if result.updated_lookups:
            Tenant.objects.filter(pk=tenant.pk).update(config_version=F("config_version") + 1)
            tenant.refresh_from_db(fields=["config_version"])
    return result


def _publish_labels(user: User, catalogue: _Catalogue, key: str) -> None:
    """Publish the published version with new labels; a pending draft is kept, relabelled."""
    document = catalogue.forms[key]
    pending = FormVersion.objects.filter(
        tenant=user.tenant, form__key=key, status=FormVersion.Status.DRAFT
    ).first()
    save_form_draft(user, document)
    publish_form_version(user, catalogue.record_types[key], key)
    if pending is not None:
        relabelled = deepcopy(pending.document)
        _copy_labels(document, relabelled)
        save_form_draft(user, relabelled)


def _copy_labels(source: Mapping[str, Any], target: dict[str, Any]) -> None:
    """The labels and help of `source` onto the same form, fields and options in `target`."""
    _copy_text(source, target)
    _copy_fields(source.get("fields") or [], target.get("fields") or [])


def _copy_text(source: Mapping[str, Any], target: dict[str, Any]) -> None:
    for prop in ("label", "help"):
        if prop in source:
            target[prop] = deepcopy(source[prop])
        else:
            target.pop(prop, None)


def _copy_fields(sources: list[dict[str, Any]], targets: list[dict[str, Any]]) -> None:
    by_name: dict[str, dict[str, Any]] = {f["name"]: f for f in sources if "name" in f}
    for target in targets:
        source = by_name.get(target.get("name", ""))
        if source is None:
            continue
        _copy_text(source, target)
        source_options = source.get("options")
        target_options = target.get("options")
        if isinstance(source_options, list) and isinstance(target_options, list):
            labels: dict[str, Any] = {o["id"]: o.get("label") for o in source_options}
            for option in target_options:
                if labels.get(option.get("id")):
                    option["label"] = deepcopy(labels[option["id"]])
        _copy_fields(source.get("fields") or [], target.get("fields") or [])
