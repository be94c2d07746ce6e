"""The location registry: import (CSV, or rows from a configuration bundle), export, pages
for pickers, and the lookups record writes need.

An import is all or nothing: any bad row refuses the whole file, with a coded error per
problem. Re-importing updates names, parents and levels of existing codes and adds new ones;
a code is never renamed nor removed (records hold codes). Rows may come in any order. A name
column with an empty cell clears that name; a locale without a column keeps its names.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from backend.accounts.models import User
from backend.error_codes import ErrorCode
from backend.errors import BadUserInput
from backend.locations.csv_format import LocationRow, RowError, parse_csv, rows_from_dicts
from backend.locations.models import PATH_SEPARATOR, Location
from backend.records.models import Record
from backend.records.paging import InvalidCursor
from backend.tenancy.models import Tenant
from formengine.coercion import LOCATION_CODE_PATTERN
from formengine.model import LOCALE_PATTERN
from permissions.actions import require_action

MAX_ADMIN_LEVEL = 12
MAX_NAME_LENGTH = 200
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
MAX_CODES = 100
_CODE_RE = re.compile(LOCATION_CODE_PATTERN)
_LOCALE_RE = re.compile(LOCALE_PATTERN)
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Known:
    id: int
    code: str
    parent_id: int | None
    admin_level: int
    names: dict[str, str]
    path: str


# Import


def import_locations_csv(user: User, text: str) -> ImportResult:
    """`importLocations`: a CSV text, for roles with `manage_forms`."""
    require_action(user, "manage_forms")
    rows, errors = parse_csv(text)
    if errors:
        return ImportResult(errors=errors)
    return import_location_rows(user.tenant, rows)


def import_locations(tenant: Tenant, rows: Iterable[Mapping[str, Any]]) -> ImportResult:
    """Rows as `export_locations` gives them (`{code, parent_code, admin_level, names}`),
    e.g. from a configuration bundle. Call inside the tenant's transaction; no permission
    check (the caller has made it)."""
    return import_location_rows(tenant, rows_from_dicts(rows))


def location_problems(tenant: Tenant, rows: Iterable[Mapping[str, Any]]) -> list[RowError]:
    """What `import_locations` would refuse in these rows, writing nothing."""
    errors, _ = _check_rows(tenant, rows_from_dicts(rows), _known(tenant))
    return sorted(errors, key=lambda e: (e.row, e.column))


def _known(tenant: Tenant) -> dict[str, _Known]:
    return {
        k.code: k
        for k in (
            _Known(*values)
            for values in Location.objects.filter(tenant=tenant).values_list(
                "id", "code", "parent_id", "admin_level", "names", "path"
            )
        )
    }


def import_location_rows(tenant: Tenant, rows: Sequence[LocationRow]) -> ImportResult:
    known = _known(tenant)
    errors, levels = _check_rows(tenant, rows, known)
    if errors:
        return ImportResult(errors=sorted(errors, key=lambda e: (e.row, e.column)))
    return _write(tenant, rows, levels, known)


def _check_rows(
    tenant: Tenant, rows: Sequence[LocationRow], known: Mapping[str, _Known]
) -> tuple[list[RowError], dict[str, int]]:
    errors: list[RowError] = []
    levels: dict[str, int] = {}
    by_id = {k.id: k.code for k in known.values()}
    first_row: dict[str, int] = {}
    for row in rows:

        def error(column: str, code: str, message: str, row: LocationRow = row) -> None:
            errors.append(RowError(row.row, column, code, message))

        if not _CODE_RE.fullmatch(row.code):
            error(
                "code",
                ErrorCode.INVALID_LOCATION_CODE,
                "a code is 1 to 64 letters, digits, _ . or -, starting with a letter or digit",
            )
        elif row.code in first_row:
            error(
                "code",
                ErrorCode.DUPLICATE_LOCATION_CODE,
                f"'{row.code}' is already on row {first_row[row.code]}",
            )
        else:
            first_row[row.code] = row.row
        level = int(row.admin_level) if row.admin_level.isdigit() else None
        if level is None or level > MAX_ADMIN_LEVEL:
            error(
                "admin_level",
                ErrorCode.INVALID_ADMIN_LEVEL,
                f"an admin level is a whole number from 0 (country) to {MAX_ADMIN_LEVEL}",
            )
        elif row.code not in levels:
            levels[row.code] = level
        default = tenant.default_locale
        if not row.names.get(default, "").strip():
            error(
                f"name_{default}",
                ErrorCode.MISSING_LOCATION_NAME,
                f"a location needs a name in the tenant's default locale ({default})",
            )
        for locale, name in row.names.items():
            if not _LOCALE_RE.fullmatch(locale):
                error(f"name_{locale}", ErrorCode.INVALID_LOCATION_CSV, f"no locale '{locale}'")
            elif _UNSTORABLE_RE.search(name):
                error(f"name_{locale}", ErrorCode.INVALID_TEXT, "holds a NUL or a lone surrogate")
            elif len(name) > MAX_NAME_LENGTH:
                error(
                    f"name_{locale}",
                    ErrorCode.TEXT_TOO_LONG,
                    f"a name is at most {MAX_NAME_LENGTH} characters",
                )
    # The registry as it would be after the import: the file over what is stored.
    merged_level = {code: k.admin_level for code, k in known.items()} | levels
    for row in rows:
        level = levels.get(row.code)
        if level is None or first_row.get(row.code) != row.row:
            continue
        parent = row.parent_code
        if level == 0 and parent:
            errors.append(
                RowError(
                    row.row,
                    "parent_code",
                    ErrorCode.ADMIN_LEVEL_MISMATCH,
                    "a level 0 location (a country) has no parent",
                )
            )
        elif level > 0 and not parent:
            errors.append(
                RowError(
                    row.row,
                    "parent_code",
                    ErrorCode.ADMIN_LEVEL_MISMATCH,
                    f"a level {level} location needs a parent at level {level - 1}",
                )
            )
        elif parent and parent not in merged_level:
            errors.append(
                RowError(
                    row.row,
                    "parent_code",
                    ErrorCode.UNKNOWN_PARENT_LOCATION,
                    f"no location '{parent}' in the file or the registry",
                )
            )
        elif parent and merged_level[parent] != level - 1:
            errors.append(
                RowError(
                    row.row,
                    "admin_level",
                    ErrorCode.ADMIN_LEVEL_MISMATCH,
                    f"level {level} under '{parent}' at level {merged_level[parent]}: a "
                    f"location is one level below its parent",
                )
            )
    # Stored children the file leaves out must still sit one level below their parent.
    for child in known.values():
        parent_code = by_id.get(child.parent_id) if child.parent_id else None
        if child.code in levels or parent_code not in levels:
            continue
        if levels[parent_code] != child.admin_level - 1:
            errors.append(
                RowError(
                    first_row[parent_code],
                    "admin_level",
                    ErrorCode.ADMIN_LEVEL_MISMATCH,
                    f"'{child.code}' (level {child.admin_level}, not in the file) is under "
                    f"'{parent_code}': list it too, at level {levels[parent_code] + 1}",
                )
            )
    return errors, levels


def _write(
    tenant: Tenant, rows: Sequence[LocationRow], levels: Mapping[str, int], known: dict[str, _Known]
) -> ImportResult:
    result = ImportResult()
    ids = {code: k.id for code, k in known.items()}
    changed: list[Location] = []
    now = timezone.now()
    # Parents first: a level's new rows are created once the level above has ids.
    for row in sorted(rows, key=lambda r: levels[r.code]):
        parent_id = ids[row.parent_code] if row.parent_code else None
        level = levels[row.code]
        stored = known.get(row.code)
        names = {k: v for k, v in {**(stored.names if stored else {}), **row.names}.items() if v}
        if stored is None:
            location = Location.objects.create(
                tenant=tenant, code=row.code, parent_id=parent_id, admin_level=level, names=names
            )
            ids[row.code] = location.pk
            result.created += 1
        elif (stored.parent_id, stored.admin_level, stored.names) != (parent_id, level, names):
            changed.append(
                Location(
                    pk=stored.id,
                    tenant=tenant,
                    code=row.code,
                    parent_id=parent_id,
                    admin_level=level,
                    names=names,
                    updated_at=now,
                )
            )
            result.updated += 1
        else:
            result.unchanged += 1
    Location.objects.bulk_update(changed, ["parent", "admin_level", "names", "updated_at"])
    if _refresh_paths(tenant) and known:
        _refresh_record_paths(tenant)
    return result


def _refresh_paths(tenant: Tenant) -> bool:
    """Recompute every materialised path of the tenant; True when a stored one changed."""
    paths: dict[int, str] = {}
    stale: list[Location] = []
    moved = False
    rows = Location.objects.filter(tenant=tenant).order_by("admin_level")
    for pk, parent_id, path in rows.values_list("id", "parent_id", "path"):
        fresh = (paths[parent_id] if parent_id else "") + f"{pk}{PATH_SEPARATOR}"
        paths[pk] = fresh
        if fresh != path:
            moved = moved or bool(path)
            stale.append(Location(pk=pk, path=fresh))
    Location.objects.bulk_update(stale, ["path"], batch_size=1000)
    return moved


def _refresh_record_paths(tenant: Tenant) -> None:
    """Records under a location that moved get its new path (a derived column: no revision;
    the last id of a record's path is its location)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Record._meta.db_table} AS r SET location_path = l.path
            FROM {Location._meta.db_table} AS l
            WHERE r.tenant_id = %(tenant)s AND l.tenant_id = %(tenant)s
              AND r.location_path <> ''
              AND l.id = substring(r.location_path from '([0-9]+)\\.$')::bigint
              AND r.location_path <> l.path
            """,  # noqa: S608 (table names from the models)
            {"tenant": tenant.pk},
        )


# Export


def export_locations(tenant: Tenant) -> list[dict[str, Any]]:
    """The registry as rows that `import_locations` takes back, parents before children."""
    rows = Location.objects.filter(tenant=tenant).order_by("admin_level", "code")
    return [
        {"code": code, "parent_code": parent or "", "admin_level": level, "names": names}
        for code, parent, level, names in rows.values_list(
            "code", "parent__code", "admin_level", "names"
        )
    ]


# Reading


@dataclass(frozen=True)
class LocationPage:
    locations: list[Location]
    has_next_page: bool


def cursor_of(location: Location) -> str:
    return base64.urlsafe_b64encode(json.dumps([location.code]).encode()).decode()


def _after(cursor: str) -> str:
    invalid = InvalidCursor("The cursor is not one this server gave out.", field="after")
    if not isinstance(cursor, str) or not cursor or len(cursor) > 200:
        raise invalid
    try:
        (code,) = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise invalid from None
    if not isinstance(code, str):
        raise invalid
    return code


def locations_page(
    user: User,
    *,
    parent: str | None = None,
    admin_level: int | None = None,
    codes: Sequence[str] | None = None,
    first: int | None = None,
    after: str | None = None,
) -> LocationPage:
    """Locations of the caller's tenant, by code: children of `parent`, at `admin_level`,
    or the given `codes` (to name the codes a record holds). Any signed-in user may read
    them (pickers)."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE_SIZE}.", field="first")
    queryset = Location.objects.filter(tenant_id=user.tenant_id).select_related("parent")
    if parent is not None:
        queryset = queryset.filter(parent__code=parent, parent__tenant_id=user.tenant_id)
    if admin_level is not None:
        queryset = queryset.filter(admin_level=admin_level)
    if codes is not None:
        if len(codes) > MAX_CODES:
            raise BadUserInput(f"At most {MAX_CODES} codes at once.", field="codes")
        queryset = queryset.filter(code__in=list(codes))
    if after is not None:
        queryset = queryset.filter(code__gt=_after(after))
    found = list(queryset.order_by("code")[: size + 1])
    return LocationPage(found[:size], len(found) > size)


def known_locations(tenant_id: int, codes: Iterable[str]) -> dict[str, int]:
    """Code -> admin level of those of `codes` in the registry: one query."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = Location.objects.filter(tenant_id=tenant_id, code__in=wanted)
    return dict(rows.values_list("code", "admin_level"))


def location_path(tenant_id: int, code: str | None) -> str:
    """The materialised path of a location ('' when there is none)."""
    if not code:
        return ""
    found = Location.objects.filter(tenant_id=tenant_id, code=code).values_list("path", flat=True)
    return found.first() or ""
