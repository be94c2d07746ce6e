"""SQL over the JSONB `data`, one expression per operand kind, shared by filters, sort keys
and the indexes the publish step creates (the planner uses an expression index only for the
very expression it was built on).

Values always travel as parameters; field names as parameters too (rendered as literals by
the client-side binding Django's psycopg backend uses, so that index expressions match)."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Expression, F, Value
from django.db.models.fields import Field

from backend.records.filtering.catalogue import Operand

# Where {d} is the JSONB object (a record's data, or a subform entry) and {k} the key.
VALUE_SQL: dict[Operand, str] = {
    Operand.TEXT: "({d} ->> {k})",
    Operand.OPTION: "({d} ->> {k})",
    Operand.LOCATION: "({d} ->> {k})",
    # ISO 8601 text sorts as the dates and times it writes (stored values are normalised)
    Operand.DATE: "({d} ->> {k})",
    Operand.DATETIME: "({d} ->> {k})",
    Operand.NUMBER: (
        "(CASE WHEN jsonb_typeof({d} -> {k}) = 'number' THEN ({d} ->> {k})::numeric END)"
    ),
    Operand.BOOLEAN: (
        "(CASE WHEN jsonb_typeof({d} -> {k}) = 'boolean' THEN ({d} ->> {k})::boolean END)"
    ),
}
# Missing, JSON null, empty text and empty list all count as "no value".
EMPTY_SQL = "(COALESCE({d} -> {k}, 'null'::jsonb) IN ('null'::jsonb, '\"\"'::jsonb, '[]'::jsonb))"


class Sql(Expression):
    """A SQL template whose `{}` are its argument expressions, compiled in order (each `{}`
    is one argument: a column, a Value (a parameter), a Q, a subquery)."""

    def __init__(self, template: str, *args: Any, output_field: Field | None = None) -> None:
        super().__init__(output_field=output_field or BooleanField())
        self.template = template
        self.args = [a if hasattr(a, "resolve_expression") else Value(a) for a in args]

    def get_source_expressions(self) -> list[Any]:
        return self.args

    def set_source_expressions(self, exprs: Any) -> None:
        self.args = list(exprs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        parts, params = [], []
        for arg in self.args:
            sql, arg_params = compiler.compile(arg)
            parts.append(sql)
            params.extend(arg_params)
        return self.template.format(*parts), params


def _positional(template: str, data: Any, key: str) -> tuple[str, list[Any]]:
    """`{d}` / `{k}` placeholders -> `{}` with the arguments in the order they appear."""
    args: list[Any] = []
    out = []
    rest = template
    while True:
        d, k = rest.find("{d}"), rest.find("{k}")
        found = [i for i in (d, k) if i >= 0]
        if not found:
            out.append(rest)
            break
        at = min(found)
        out.append(rest[:at] + "{}")
        args.append(data if at == d else Value(key))
        rest = rest[at + 3 :]
    return "".join(out), args


def json_sql(
    template: str, data: Any, key: str, *extra: Any, output_field: Field | None = None
) -> Sql:
    """`template` with {d} and {k} filled by `data` and `key`, then `{}` by `extra`."""
    text, args = _positional(template, data, key)
    return Sql(text, *args, *extra, output_field=output_field)


def value_expression(
    operand: Operand, key: str, data: Any = None, output: Field | None = None
) -> Sql:
    return json_sql(
        VALUE_SQL[operand], data if data is not None else F("data"), key, output_field=output
    )


def index_expression(operand: Operand, quoted_key: str) -> str:
    """The same expression as DDL text over the `data` column (key already quoted)."""
    return VALUE_SQL[operand].replace("{d}", "data").replace("{k}", quoted_key)
