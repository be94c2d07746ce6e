"""What an aggregate groups by: a field tagged `filterable` or a system field, as text keys.

A key names a stored field, optionally with a part after a colon:
- dates and times by `day`, `week` (ISO: `2026-W07`), `month` (`2026-02`), `quarter`
  (`2026-Q1`) or `year` (`2026`): `registration_date:month`, `created_at:week`;
- locations by an administrative level of the registry: `registration_location:admin1` is
  the level-1 area (region) holding each record's location (none when it is above it);
- selects, yes/no (`true` / `false`), numbers and the system fields `status`, `owner`
  (username), `agency` (code), `module`, `flagged` as they are.
Free text, multi-selects, subforms, and the workflow fields a record may hold several of
(`referred_to`, `pending_approval`) are not groups: BAD_USER_INPUT. A field the caller may
not read at all is FORBIDDEN_FIELD; where it is hidden on some records it is empty there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db.models import Case, F, TextField, Value, When
from django.db.models.expressions import Expression

from backend.accounts.models import User
from backend.errors import BadUserInput
from backend.locations.models import PATH_SEPARATOR, Location
from backend.records.filtering.catalogue import Catalogue, Operand
from backend.records.filtering.compiler import ForbiddenField, client_path
from backend.records.filtering.readable import where_readable
from backend.records.filtering.sql import Sql, json_sql
from backend.records.filtering.system import system_condition
from backend.tenancy.models import Agency
from permissions.plan import AccessPlan

PERIODS = {
    "day": "YYYY-MM-DD",
    "week": 'IYYY-"W"IW',
    "month": "YYYY-MM",
    "quarter": 'YYYY-"Q"Q',
    "year": "YYYY",
}
ADMIN_LEVEL_PREFIX = "admin"
_ISO_DATE = "'^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}'"
# Where {d} is the record's data and {k} the key: the value as text, empty as NULL.
_TEXT_SQL = {
    Operand.OPTION: "NULLIF({d} ->> {k}, '')",
    Operand.LOCATION: "NULLIF({d} ->> {k}, '')",
    Operand.DATE: "NULLIF({d} ->> {k}, '')",
    Operand.DATETIME: "NULLIF({d} ->> {k}, '')",
    Operand.BOOLEAN: "(CASE WHEN jsonb_typeof({d} -> {k}) = 'boolean' THEN {d} ->> {k} END)",
    Operand.NUMBER: (
        "(CASE WHEN jsonb_typeof({d} -> {k}) = 'number' THEN ({d} ->> {k})::numeric::text END)"
    ),
}
SYSTEM_GROUPS = frozenset(
    {"status", "owner", "agency", "module", "flagged", "created_at", "updated_at"}
)


@dataclass(frozen=True)
class Dimension:
    """`value`: the key of each record (text, or the owner's / agency's id); `label_sql`:
    how a grouped value is shown (`{}` is the grouped column)."""

    key: str
    value: Expression | F
    label_sql: str = "{}"


# Periods that are a prefix of the ISO text: cut, not parsed and formatted again (2-3x
# cheaper per record).
PREFIXES = {"day": 10, "month": 7, "year": 4}


def _period(value: Expression, period: str) -> Expression:
    if period in PREFIXES:
        cut = f"substr({{}}, 1, {PREFIXES[period]})"
    else:
        cut = f"to_char(substr({{}}, 1, 10)::date, '{PERIODS[period]}')"
    text = f"(CASE WHEN {{}} ~ {_ISO_DATE} THEN {cut} END)"
    return Sql(text, value, value, output_field=TextField())


def _timestamp_period(column: str, period: str) -> Expression:
    return Sql(
        f"to_char({{}} AT TIME ZONE 'UTC', '{PERIODS[period]}')",
        F(column),
        output_field=TextField(),
    )


def _areas_at(tenant_id: int, level: int) -> dict[str, str]:
    """Location code -> the code of the area at `level` that holds it (one query)."""
    rows = list(
        Location.objects.filter(tenant_id=tenant_id).values_list(
            "pk", "code", "admin_level", "path"
        )
    )
    at_level = {pk: code for pk, code, admin_level, _ in rows if admin_level == level}
    areas: dict[str, str] = {}
    for _, code, _, path in rows:
        for ancestor in path.split(PATH_SEPARATOR):
            if ancestor and int(ancestor) in at_level:
                areas[code] = at_level[int(ancestor)]
                break
    return areas


def _label_of(model: type, column: str) -> str:
    table = model._meta.db_table  # type: ignore[attr-defined]
    return f"(SELECT {column} FROM {table} WHERE id = {{}})"  # noqa: S608 (names from models)


def _system(name: str, part: str, at: str, tenant_id: int) -> Dimension:
    key = f"{name}:{part}" if part else name
    if name in ("created_at", "updated_at"):
        if part not in PERIODS:
            raise BadUserInput(f"{at}: group {name} by one of {', '.join(PERIODS)}.", field=at)
        return Dimension(key, _timestamp_period(name, part))
    if part:
        raise BadUserInput(f"{at}: {name} has no parts to group by.", field=at)
    if name == "owner":
        return Dimension(key, F("owner_id"), _label_of(User, "username"))
    if name == "agency":
        return Dimension(key, F("agency_id"), _label_of(Agency, "code"))
    if name == "flagged":
        flagged = system_condition("flagged", {"eq": True}, tenant_id)
        return Dimension(
            key,
            Case(
                When(flagged, then=Value("true")), default=Value("false"), output_field=TextField()
            ),
        )
    return Dimension(key, F(name))


def dimension(
    key: str, index: int, catalogue: Catalogue, plan: AccessPlan, tenant_id: int
) -> Dimension:
    """The group a key names, for one caller (index: its place in `groupBy`, for errors)."""
    at = client_path(["group_by", index])
    if not isinstance(key, str):
        raise BadUserInput(f"{at}: a field name.", field=at)
    name, _, part = key.partition(":")
    if name in catalogue.system:
        if name not in SYSTEM_GROUPS:
            raise BadUserInput(f"{at}: a record may have several {name}: not a group.", field=at)
        return _system(name, part, at, tenant_id)
    definition = catalogue.fields.get(name)
    if definition is None or definition.operand not in _TEXT_SQL:
        raise BadUserInput(
            f"{at}: not a field to group by (a filterable select, yes/no, number, date or "
            "location field, or status, owner, agency, module, flagged, createdAt, updatedAt).",
            field=at,
        )
    if not plan.full_access.may_read(definition.path):
        raise ForbiddenField(f"{at}: you may not read this field.", field=at)
    text: Expression = json_sql(
        _TEXT_SQL[definition.operand], F("data"), name, output_field=TextField()
    )
    if definition.operand in (Operand.DATE, Operand.DATETIME) and part:
        if part not in PERIODS:
            raise BadUserInput(f"{at}: group a date by one of {', '.join(PERIODS)}.", field=at)
        text = _period(text, part)
    elif definition.operand is Operand.LOCATION and part:
        level = part.removeprefix(ADMIN_LEVEL_PREFIX)
        if not part.startswith(ADMIN_LEVEL_PREFIX) or not level.isdigit():
            raise BadUserInput(f"{at}: group a location by `admin<level>`, e.g. admin1.", field=at)
        areas = json.dumps(_areas_at(tenant_id, int(level)))
        text = Sql("({}::jsonb ->> {})", areas, text, output_field=TextField())
    elif part:
        raise BadUserInput(f"{at}: this field has no parts to group by.", field=at)
    return Dimension(key, where_readable(text, [definition.path], plan, TextField()))
