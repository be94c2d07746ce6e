"""Dashboard indicators: definitions kept as data on each role (`Role.dashboard`), each one
aggregate (aggregation.py):

    {"key": "my_open_cases_by_risk", "title": {"en": "My open cases by risk level"},
     "record_type": "case", "group_by": ["risk_level"],
     "filter": {"owner": {"eq": "$me"}, "status": {"in": ["open", "reopened"]}},
     "measures": [{"fn": "COUNT"}]}

Names are the stored ones (as in the workflow settings). Filter values may name the moment
the dashboard is asked for: `$me` (the caller's username), `$today`, `$today-30d`,
`$today+7d`, `$week_start` (Monday), `$month_start`, `$year_start`; on a date-and-time field
a date means its midnight UTC. The filter key `"$overdue_services": true` stands for "a
service entry due before today and not implemented", from the tenant's services settings
(backend/workflows/config.py), as overdue-service alerts read them.

`check_dashboard` checks the shape when a role is saved or imported; field names are
checked when the indicator runs (forms change): an indicator that no longer fits answers
its error, the others still answer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.accounts.models import User
from backend.administration.validation import CODE
from backend.errors import BadUserInput
from backend.records.filtering.catalogue import Catalogue, FilterField, Operand
from backend.reports.measures import MAX_MEASURES, MeasureFunction
from backend.tenancy.models import Tenant
from backend.workflows.config import workflow_of

MAX_INDICATORS = 30
OVERDUE_SERVICES = "$overdue_services"
KEYS = frozenset({"key", "title", "record_type", "group_by", "filter", "measures"})
_RELATIVE = re.compile(r"^\$today(?:([+-])(\d{1,4})d)?$")


@dataclass(frozen=True)
class Indicator:
    key: str
    title: Mapping[str, str]
    record_type: str
    group_by: tuple[str, ...] = ()
    filter: Mapping[str, Any] = field(default_factory=dict)
    measures: tuple[Mapping[str, Any], ...] = ()

    def title_in(self, locale: str, fallback: str) -> str:
        return self.title.get(locale) or self.title.get(fallback) or self.key


def _indicator_problems(tenant: Tenant, index: int, spec: Any) -> list[str]:
    at = f"dashboard[{index}]"
    if not isinstance(spec, Mapping):
        return [f"{at}: an object"]
    problems = [f"{at}.{k}: not an indicator key" for k in sorted(set(spec) - KEYS)]
    if not isinstance(spec.get("key"), str) or not CODE.match(spec["key"]):
        problems.append(f"{at}.key: lower-case letters, digits, '_' or '-'")
    title = spec.get("title")
    if (
        not isinstance(title, Mapping)
        or not title
        or not all(isinstance(v, str) and v for v in title.values())
    ):
        problems.append(f'{at}.title: labels by locale, {{"en": "..."}}')
    if spec.get("record_type") not in tenant.record_types:
        problems.append(f"{at}.record_type: one of {', '.join(tenant.record_types)}")
    group_by = spec.get("group_by", [])
    if not isinstance(group_by, list) or len(group_by) > 2:
        problems.append(f"{at}.group_by: a list of at most two field names")
    elif not all(isinstance(g, str) for g in group_by):
        problems.append(f"{at}.group_by: field names")
    if not isinstance(spec.get("filter", {}), Mapping):
        problems.append(f"{at}.filter: a filter object")
    measures = spec.get("measures", [])
    if not isinstance(measures, list) or len(measures) > MAX_MEASURES:
        problems.append(f"{at}.measures: a list of at most {MAX_MEASURES}")
    else:
        for j, m in enumerate(measures):
            if not isinstance(m, Mapping) or m.get("fn") not in set(MeasureFunction):
                problems.append(f"{at}.measures[{j}].fn: one of {', '.join(MeasureFunction)}")
    return problems


def check_dashboard(tenant: Tenant, dashboard: Any) -> list[dict[str, Any]]:
    """The indicator definitions as stored; BAD_USER_INPUT naming every problem."""
    if not isinstance(dashboard, list) or len(dashboard) > MAX_INDICATORS:
        raise BadUserInput(
            f"dashboard is a list of at most {MAX_INDICATORS} indicators.", field="dashboard"
        )
    problems = [p for i, spec in enumerate(dashboard) for p in _indicator_problems(tenant, i, spec)]
    keys = [spec.get("key") for spec in dashboard if isinstance(spec, Mapping)]
    problems += [
        f"dashboard: key {k!r} is given twice"
        for k in sorted({k for k in keys if isinstance(k, str) and keys.count(k) > 1})
    ]
    if problems:
        raise BadUserInput(
            "The dashboard is not valid: " + "; ".join(problems) + ".",
            field="dashboard",
            problems=problems,
        )
    return [dict(spec) for spec in dashboard]


def role_indicators(user: User) -> list[Indicator]:
    """The indicators of the user's role (definitions that do not fit their shape skipped:
    the checks refuse them when a role is saved)."""
    raw = (user.role.dashboard if user.role else None) or []
    found = []
    for spec in raw if isinstance(raw, list) else []:
        if isinstance(spec, Mapping) and not _indicator_problems(user.tenant, 0, spec):
            found.append(
                Indicator(
                    key=spec["key"],
                    title=dict(spec["title"]),
                    record_type=spec["record_type"],
                    group_by=tuple(spec.get("group_by", [])),
                    filter=dict(spec.get("filter", {})),
                    measures=tuple(spec.get("measures", [])),
                )
            )
    return found


# -- the moment an indicator is asked for -------------------------------------------------


@dataclass(frozen=True)
class Moment:
    username: str
    today: dt.date

    def value(self, name: str, operand: Operand | None) -> Any:
        """The value a `$name` in a filter stands for."""
        if name == "$me":
            return self.username
        day = self._day(name)
        if day is None:
            raise BadUserInput(f"{name}: not a value an indicator knows.", field="filter")
        if operand is Operand.DATETIME:
            return f"{day.isoformat()}T00:00:00Z"
        return day.isoformat()

    def _day(self, name: str) -> dt.date | None:
        starts = {
            "$week_start": self.today - dt.timedelta(days=self.today.weekday()),
            "$month_start": self.today.replace(day=1),
            "$year_start": self.today.replace(month=1, day=1),
        }
        if name in starts:
            return starts[name]
        relative = _RELATIVE.match(name)
        if relative is None:
            return None
        sign, days = relative.groups()
        shift = int(days or 0) * (-1 if sign == "-" else 1)
        return self.today + dt.timedelta(days=shift)


def _with_values(
    spec: Any, fields: Mapping[str, FilterField], system: Mapping[str, Operand], moment: Moment
) -> Any:
    if not isinstance(spec, Mapping):
        return spec
    resolved: dict[str, Any] = {}
    for name, value in spec.items():
        if name in ("and", "or") and isinstance(value, list):
            resolved[name] = [_with_values(v, fields, system, moment) for v in value]
        elif name == "not":
            resolved[name] = _with_values(value, fields, system, moment)
        elif name in fields and fields[name].operand is Operand.SUBFORM:
            children = fields[name].children
            resolved[name] = {
                op: _with_values(v, children, {}, moment) if op == "any" else v
                for op, v in (value.items() if isinstance(value, Mapping) else ())
            }
        elif isinstance(value, Mapping):
            operand = system.get(name) or (fields[name].operand if name in fields else None)
            resolved[name] = {op: _token(v, operand, moment) for op, v in value.items()}
        else:
            resolved[name] = value
    return resolved


def _token(value: Any, operand: Operand | None, moment: Moment) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return moment.value(value, operand)
    if isinstance(value, list):
        return [_token(v, operand, moment) for v in value]
    return value


def _overdue_services(tenant: Tenant, record_type: str, catalogue: Catalogue) -> dict[str, Any]:
    services = workflow_of(tenant).services
    if services is None or services.record_type != record_type:
        raise BadUserInput(
            f"{OVERDUE_SERVICES}: the tenant has no services settings for {record_type}.",
            field="filter",
        )
    subform = catalogue.fields.get(services.field)
    implemented = subform.children.get(services.implemented_field) if subform else None
    not_implemented: dict[str, Any] = (
        {"not": {services.implemented_field: {"eq": True}}}
        if implemented is not None and implemented.operand is Operand.BOOLEAN
        else {services.implemented_field: {"is_null": True}}
    )
    entry = {services.due_date_field: {"lt": "$today"}, **not_implemented}
    return {services.field: {"any": entry}}


def resolved_filter(
    indicator: Indicator, user: User, catalogue: Catalogue, today: dt.date
) -> dict[str, Any]:
    """The indicator's filter for `user` today: tokens replaced, `$overdue_services` spelt out."""
    spec = dict(indicator.filter)
    if spec.pop(OVERDUE_SERVICES, None) is True:
        overdue = _overdue_services(user.tenant, indicator.record_type, catalogue)
        spec["and"] = [*spec.get("and", []), overdue]
    moment = Moment(user.username, today)
    resolved: dict[str, Any] = _with_values(spec, catalogue.fields, catalogue.system, moment)
    return resolved
