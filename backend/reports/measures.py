"""What an aggregate measures in each group: COUNT of records (or of records with a value
of a field), SUM / AVG / MIN / MAX of a filterable number field, or of the days between two
filterable date fields (`{"fn": "AVG", "field": "assessment_date", "since":
"registration_date"}`: days from registration to assessment). A field the caller may not
read at all is FORBIDDEN_FIELD; where it is hidden on a record, it has no value there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import DecimalField, F, IntegerField
from django.db.models.expressions import Expression
from django.db.models.fields import Field

from backend.errors import BadUserInput
from backend.records.filtering.catalogue import Catalogue, FilterField, Operand
from backend.records.filtering.compiler import ForbiddenField, client_path
from backend.records.filtering.readable import where_readable
from backend.records.filtering.sql import EMPTY_SQL, Sql, json_sql, value_expression
from permissions.plan import AccessPlan

MAX_MEASURES = 10
_ISO_DATE = "'^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}'"


class MeasureFunction(StrEnum):
    COUNT = "COUNT"
    SUM = "SUM"
    AVG = "AVG"
    MIN = "MIN"
    MAX = "MAX"


@dataclass(frozen=True)
class Measure:
    """`value`: the per-record value measured (None: COUNT counts records)."""

    function: MeasureFunction
    field: str | None
    since: str | None
    value: Expression | None

    def sql(self, column: str) -> str:
        """The aggregate over the records' values in `column`."""
        if self.value is None:
            return "count(*)"
        if self.function is MeasureFunction.COUNT:
            return f"count({column})"
        return f"{self.function.value.lower()}({column})::float8"

    def partials(self, column: str, alias: str) -> list[str]:
        """Partial aggregates over the records of one fine group (named `alias`_...), that
        `combined` folds into the rolled-up groups: an average needs its sum and count."""
        if self.value is None:
            return []
        if self.function is MeasureFunction.COUNT:
            return [f"count({column}) AS {alias}_n"]
        if self.function is MeasureFunction.AVG:
            return [f"sum({column}) AS {alias}_s", f"count({column}) AS {alias}_n"]
        return [f"{self.function.value.lower()}({column}) AS {alias}_v"]

    def combined(self, alias: str, records: str) -> str:
        """The measure of a (rolled-up) group from the partials of its fine groups;
        `records` is the column counting their records."""
        if self.value is None:
            return f"COALESCE(sum({records}), 0)"
        if self.function is MeasureFunction.COUNT:
            return f"COALESCE(sum({alias}_n), 0)"
        if self.function is MeasureFunction.AVG:
            return f"(sum({alias}_s)::numeric / NULLIF(sum({alias}_n), 0))::float8"
        # SUM of sums, MIN of minimums, MAX of maximums
        return f"{self.function.value.lower()}({alias}_v)::float8"


def _field(
    name: Any, catalogue: Catalogue, plan: AccessPlan, at: str, kinds: frozenset[Operand]
) -> FilterField:
    definition = catalogue.fields.get(name) if isinstance(name, str) else None
    if definition is None or definition.operand not in kinds or len(definition.path) != 1:
        wanted = " or ".join(sorted(kinds))
        raise BadUserInput(f"{at}: not a filterable {wanted} field.", field=at)
    if not plan.full_access.may_read(definition.path):
        raise ForbiddenField(f"{at}: you may not read this field.", field=at)
    return definition


def _days_between(later: str, earlier: str) -> Expression:
    dates = [json_sql("NULLIF({d} ->> {k}, '')", F("data"), name) for name in (later, earlier)]
    return Sql(
        f"(CASE WHEN {{}} ~ {_ISO_DATE} AND {{}} ~ {_ISO_DATE} "
        "THEN substr({}, 1, 10)::date - substr({}, 1, 10)::date END)",
        dates[0],
        dates[1],
        dates[0],
        dates[1],
        output_field=IntegerField(),
    )


def measure(spec: Mapping[str, Any], index: int, catalogue: Catalogue, plan: AccessPlan) -> Measure:
    at = client_path(["measures", index])
    try:
        function = MeasureFunction(str(spec.get("fn", "")).upper())
    except ValueError:
        raise BadUserInput(f"{at}.fn: one of {', '.join(MeasureFunction)}.", field=at) from None
    field, since = spec.get("field"), spec.get("since")
    if field is None:
        if function is not MeasureFunction.COUNT or since is not None:
            raise BadUserInput(f"{at}.field: {function} needs a field.", field=f"{at}.field")
        return Measure(function, None, None, None)
    output: Field
    if since is not None:
        dates = frozenset({Operand.DATE})
        later = _field(field, catalogue, plan, f"{at}.field", dates)
        earlier = _field(since, catalogue, plan, f"{at}.since", dates)
        value: Expression = _days_between(later.name, earlier.name)
        paths = [later.path, earlier.path]
        output = IntegerField()
    else:
        kinds = (
            frozenset(Operand) - {Operand.SUBFORM}
            if function is MeasureFunction.COUNT
            else frozenset({Operand.NUMBER})
        )
        definition = _field(field, catalogue, plan, f"{at}.field", kinds)
        if definition.operand is Operand.NUMBER:
            value = value_expression(Operand.NUMBER, definition.name, output=DecimalField())
        else:
            has_value = f"(CASE WHEN NOT {EMPTY_SQL} THEN 1 END)"
            value = json_sql(has_value, F("data"), definition.name, output_field=IntegerField())
        paths = [definition.path]
        output = DecimalField()
    return Measure(function, field, since, where_readable(value, paths, plan, output))


def measures(
    specs: list[Mapping[str, Any]] | None, catalogue: Catalogue, plan: AccessPlan
) -> list[Measure]:
    """The measures asked for; none: COUNT of records alone."""
    if not specs:
        return [Measure(MeasureFunction.COUNT, None, None, None)]
    if len(specs) > MAX_MEASURES:
        raise BadUserInput(f"measures: at most {MAX_MEASURES}.", field="measures")
    return [measure(spec, i, catalogue, plan) for i, spec in enumerate(specs)]
