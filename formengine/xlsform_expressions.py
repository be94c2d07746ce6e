"""XLSForm expressions (`relevant`, `constraint`, `calculation`) in our language, or why not.

pyxform's lexer splits an expression into tokens; a small recursive-descent parser builds a
tree of the subset we can express:

    expr := and ("or" and)*        and := unary ("and" unary)*
    unary := "not(" expr ")" | "(" expr ")" | comparison | call
    comparison := operand ("=" | "!=" | ">" | ">=" | "<" | "<=") operand
    operand := ${name} | "." | 'text' | number | call       call := name "(" args ")"

`relevant` becomes a `visible_if` condition; `constraint` becomes the field properties that
say the same (`min`, `max`, `max_length`, `pattern`, `not_future`; a limit on a decimal's
digits is left out); `calculation` becomes a `sum` when it adds fields; `default` becomes a
value in the field's stored form, or the token `today` / `now`. Anything else raises
`Untranslatable` with a message for people.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyxform.parsing.expression import parse_expression
from pyxform.utils import default_is_dynamic

from formengine.model import OPTION_ID_PATTERN, FieldType


class Untranslatable(ValueError):
    """An expression our language cannot say; the message tells the administrator why."""


@dataclass(frozen=True, slots=True)
class Ref:
    name: str  # "." for the field itself


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | int | float
    quoted: bool


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # "and" | "or" | "not"
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Add:
    operands: tuple[Node, ...]


Node = Ref | Literal | Call | Compare | Logic | Add

_OPERATORS = {"=": "eq", "!=": "ne", ">": "gt", ">=": "ge", "<": "lt", "<=": "le"}
_FLIPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) without whitespace; `>` `=` lexed apart are joined back into `>=`."""
    tokens: list[tuple[str, str]] = []
    previous = ""
    for token in parse_expression(text):
        kind, value = token.type, str(token)
        if kind == "WHITESPACE":
            previous = kind
            continue
        if kind == "NAME" and value in ("and", "or"):
            kind, value = "OPS_BOOL", value
        if kind == "OPS_BOOL":
            value = value.strip()
        if kind == "OPS_COMP" and previous == "OPS_COMP" and tokens and value == "=":
            tokens[-1] = (kind, tokens[-1][1] + value)
        else:
            tokens.append((kind, value))
        previous = kind
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0

    def parse(self) -> Node:
        if not self.tokens:
            raise Untranslatable("the expression is empty")
        node = self._or()
        if self.at < len(self.tokens):
            raise self._unexpected()
        return node

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("END", "")

    def _take(self, kind: str) -> str:
        token_kind, value = self._peek()
        if token_kind != kind:
            raise self._unexpected()
        self.at += 1
        return value

    def _unexpected(self) -> Untranslatable:
        kind, value = self._peek()
        where = "the end" if kind == "END" else repr(value)
        return Untranslatable(f"cannot read {self.text!r} at {where}")

    def _junction(self, op: str, operand: Any) -> Node:
        operands = [operand()]
        while self._peek() == ("OPS_BOOL", op):
            self.at += 1
            operands.append(operand())
        return operands[0] if len(operands) == 1 else Logic(op, tuple(operands))

    def _or(self) -> Node:
        return self._junction("or", self._and)

    def _and(self) -> Node:
        return self._junction("and", self._comparison)

    def _comparison(self) -> Node:
        left = self._sum()
        kind, value = self._peek()
        if kind != "OPS_COMP":
            return left
        if value not in _OPERATORS:
            raise self._unexpected()
        self.at += 1
        return Compare(_OPERATORS[value], left, self._sum())

    def _sum(self) -> Node:
        operands = [self._operand()]
        while self._peek() == ("OPS_MATH", "+"):
            self.at += 1
            operands.append(self._operand())
        return operands[0] if len(operands) == 1 else Add(tuple(operands))

    def _operand(self) -> Node:
        kind, value = self._peek()
        self.at += 1
        if kind == "PYXFORM_REF":
            return Ref(value[2:-1])
        if kind == "SELF_REF":
            return Ref(".")
        if kind == "SYSTEM_LITERAL":
            return Literal(value[1:-1], quoted=True)
        if kind == "NUMBER":
            number = float(value)
            return Literal(
                int(number) if number.is_integer() and "." not in value else number, False
            )
        if kind == "OPEN_PAREN":
            node = self._or()
            self._take("CLOSE_PAREN")
            return node
        if kind == "FUNC_CALL":
            function = value[:-1]
            args: list[Node] = []
            if self._peek()[0] != "CLOSE_PAREN":
                args.append(self._or())
                while self._peek()[0] == "COMMA":
                    self.at += 1
                    args.append(self._or())
            self._take("CLOSE_PAREN")
            if function == "not":
                if len(args) != 1:
                    raise Untranslatable("not() takes one condition")
                return Logic("not", tuple(args))
            return Call(function, tuple(args))
        self.at -= 1
        raise self._unexpected()


def parse(text: str) -> Node:
    return _Parser(text).parse()


# -- relevant -> visible_if ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """What a referenced field is: our type and, for option fields, its option ids."""

    type: str
    options: frozenset[str] = frozenset()


_NUMERIC = {FieldType.INTEGER, FieldType.DECIMAL, FieldType.CALCULATED}
_TEMPORAL = {FieldType.DATE, FieldType.DATETIME}
_VALUED = {
    FieldType.TEXT,
    FieldType.TEXTAREA,
    FieldType.SELECT,
    FieldType.MULTI_SELECT,
    *_NUMERIC,
    *_TEMPORAL,
}


def _literal_value(node: Node) -> Literal:
    if isinstance(node, Literal):
        return node
    if isinstance(node, Call) and node.function in ("date", "date-time") and len(node.args) == 1:
        inner = node.args[0]
        if isinstance(inner, Literal) and inner.quoted:
            return inner
    raise Untranslatable("a comparison needs a field on one side and a fixed value on the other")


def _coerce(literal: Literal, name: str, target: Target) -> Any:
    if literal.value == "":
        return None
    if target.type in _NUMERIC:
        if isinstance(literal.value, str):
            try:
                number = float(literal.value)
            except ValueError:
                raise Untranslatable(
                    f"'{name}' is a number; {literal.value!r} is not one"
                ) from None
            return int(number) if number.is_integer() else number
        return literal.value
    if not literal.quoted:
        raise Untranslatable(f"'{name}' holds text; compare it with a quoted value")
    return literal.value


def relevant_condition(text: str, targets: Mapping[str, Target]) -> dict[str, Any]:
    """A `relevant` expression as a `visible_if` condition (JSON)."""
    return _condition(parse(text), targets)


def _target(node: Node, targets: Mapping[str, Target]) -> tuple[str, Target]:
    if not isinstance(node, Ref) or node.name == ".":
        raise Untranslatable("a comparison needs a field, written ${name}, on one side")
    target = targets.get(node.name)
    if target is None:
        raise Untranslatable(f"${{{node.name}}} names no question of this form")
    if target.type not in _VALUED:
        raise Untranslatable(f"${{{node.name}}} is a {target.type}; conditions need a value")
    return node.name, target


def _condition(node: Node, targets: Mapping[str, Target]) -> dict[str, Any]:
    if isinstance(node, Logic):
        operands = [_condition(operand, targets) for operand in node.operands]
        return {"not": operands[0]} if node.op == "not" else {node.op: operands}
    if isinstance(node, Compare):
        op, left, right = node.op, node.left, node.right
        for side in (left, right):
            if isinstance(side, Call) and side.function not in ("date", "date-time"):
                raise Untranslatable(f"the function {side.function}() has no equivalent")
        if not isinstance(left, Ref):
            op, left, right = _FLIPPED[op], right, left
        name, target = _target(left, targets)
        value = _coerce(_literal_value(right), name, target)
        if value is None and op not in ("eq", "ne"):
            raise Untranslatable(f"'{name}' cannot be ordered against an empty value")
        return {op: [name, value]}
    if isinstance(node, Call) and node.function == "selected" and len(node.args) == 2:
        name, target = _target(node.args[0], targets)
        option = _literal_value(node.args[1])
        if target.type not in (FieldType.SELECT, FieldType.MULTI_SELECT):
            raise Untranslatable(f"selected() needs a select question; '{name}' is not one")
        return {"eq": [name, str(option.value)]}
    if isinstance(node, Call):
        raise Untranslatable(f"the function {node.function}() has no equivalent")
    raise Untranslatable("only comparisons, selected(), and, or and not() have an equivalent")


# -- constraint -> field properties --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConstraintConversion:
    properties: dict[str, Any]
    ignored_digit_limit: bool = False  # a decimal's limit on digits, left out on purpose


def constraint_properties(text: str, field_type: str) -> ConstraintConversion:
    """A `constraint` as the properties of our language that check the same thing. On a
    decimal, a limit on its digits (`regex(., ...)`, `round()`, `string-length()`) is
    left out: the field stays a decimal."""
    node = parse(text)
    atoms = node.operands if isinstance(node, Logic) and node.op == "and" else (node,)
    properties: dict[str, Any] = {}
    ignored = False
    for atom in atoms:
        if field_type == FieldType.DECIMAL and _limits_digits(atom):
            ignored = True
            continue
        for key, value in _constraint_atom(atom, field_type).items():
            if key in properties:
                raise Untranslatable(f"the constraint sets '{key}' twice")
            properties[key] = value
    return ConstraintConversion(properties, ignored)


_DIGIT_FUNCTIONS = frozenset({"regex", "round", "string-length", "substring-after"})


def _limits_digits(atom: Node) -> bool:
    """regex(., '...'), . = round(., 2), string-length(substring-after(., '.')) <= 2, ..."""

    def calls(node: Node) -> set[str]:
        if isinstance(node, Call):
            return {node.function}.union(*(calls(arg) for arg in node.args))
        if isinstance(node, Compare):
            return calls(node.left) | calls(node.right)
        return set()

    found = calls(atom)
    return bool(found) and found <= _DIGIT_FUNCTIONS


def _constraint_atom(atom: Node, field_type: str) -> dict[str, Any]:
    if isinstance(atom, Call) and atom.function == "regex" and len(atom.args) == 2:
        pattern = atom.args[1]
        if atom.args[0] == Ref(".") and isinstance(pattern, Literal) and pattern.quoted:
            if field_type not in (FieldType.TEXT, FieldType.TEXTAREA):
                raise Untranslatable("regex() applies to text questions")
            return {"pattern": _full_match(str(pattern.value))}
    if isinstance(atom, Compare):
        op, left, right = atom.op, atom.left, atom.right
        if isinstance(right, Ref | Call) and not isinstance(left, Ref | Call):
            op, left, right = _FLIPPED[op], right, left
        if left == Ref(".") and field_type in _NUMERIC and isinstance(right, Literal):
            return _bound(op, right, field_type)
        if (
            left == Ref(".")
            and field_type in _TEMPORAL
            and right == Call("today", ())
            and op == "le"
        ):
            return {"not_future": True}
        if (
            left == Call("string-length", (Ref("."),))
            and field_type in (FieldType.TEXT, FieldType.TEXTAREA)
            and isinstance(right, Literal)
            and isinstance(right.value, int)
            and op in ("le", "lt")
        ):
            return {"max_length": right.value - (1 if op == "lt" else 0)}
    raise Untranslatable(
        "only bounds on the answer (. >= 0 and . <= 120), . <= today(), "
        "string-length(.) <= n and regex(., '...') have an equivalent"
    )


def _bound(op: str, literal: Literal, field_type: str) -> dict[str, Any]:
    value = literal.value
    if not isinstance(value, int | float):
        raise Untranslatable("a bound is a number")
    if op in ("ge", "le"):
        return {"min" if op == "ge" else "max": value}
    if op in ("gt", "lt") and field_type == FieldType.INTEGER and isinstance(value, int):
        return {"min": value + 1} if op == "gt" else {"max": value - 1}
    raise Untranslatable("a bound is inclusive (>= or <=) except on whole numbers")


def _full_match(pattern: str) -> str:
    """XForms regex() finds the pattern anywhere; our `pattern` must match the whole value."""
    if pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[1:-1]
    return f".*(?:{pattern}).*"


# -- calculation -> calculated ------------------------------------------------------------


def sum_calculation(text: str, targets: Mapping[str, Target]) -> dict[str, Any]:
    """`${a} + ${b} + ...` as a `sum` calculation; integer when every input is an integer."""
    node = parse(text)
    if not isinstance(node, Add) or not all(
        isinstance(o, Ref) and o.name != "." for o in node.operands
    ):
        raise Untranslatable("only sums of questions (${a} + ${b}) have an equivalent")
    names = [o.name for o in node.operands if isinstance(o, Ref)]
    kinds = set()
    for name in names:
        target = targets.get(name)
        if target is None or target.type not in (FieldType.INTEGER, FieldType.DECIMAL):
            raise Untranslatable(f"${{{name}}} is not an integer or decimal question of this form")
        kinds.add(target.type)
    result = "integer" if kinds == {FieldType.INTEGER} else "decimal"
    return {"op": "sum", "args": names, "result": result}


# -- default -> default ----------------------------------------------------------------------

_WHOLE = re.compile(r"^[+-]?\d+(\.0*)?$")
_SPREADSHEET_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?: 00:00:00)?$")
_SPREADSHEET_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(:\d{2}(\.\d+)?)?.*)$")
_CLOCK = {"today": "today", "now": "now"}
_OPTION_ID = re.compile(OPTION_ID_PATTERN)


def default_value(text: str, field_type: str) -> Any:
    """A `default` cell as our `default`: the value in the form the field stores (3, 2.5,
    "2024-01-31", an option id, a list of ids), or `today` / `now` for today() / now().
    What the field would refuse (an unknown option, a bad date) is left to validation."""
    text = text.strip()
    clock = _clock_call(text)
    if field_type in _TEMPORAL and clock is not None:
        # now() on a date question is today's date
        return "now" if clock == "now" and field_type == FieldType.DATETIME else "today"
    if field_type in (FieldType.SELECT, FieldType.MULTI_SELECT) and all(
        _OPTION_ID.match(part) for part in text.split()
    ):
        return text.split() if field_type == FieldType.MULTI_SELECT else text
    if field_type == FieldType.INTEGER and _WHOLE.match(text):
        return int(float(text))
    if field_type == FieldType.DECIMAL:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number
    if field_type == FieldType.DATE and (found := _SPREADSHEET_DATE.match(text)):
        return found.group(1)
    if field_type == FieldType.DATETIME and (found := _SPREADSHEET_DATETIME.match(text)):
        text = f"{found.group(1)}T{found.group(2)}"
    if field_type == FieldType.DATETIME and (moment := _utc(text)) is not None:
        return moment
    if field_type in _TEMPORAL and (literal := _date_call(text)) is not None:
        return literal
    if clock is not None or default_is_dynamic(text, "date" if field_type in _TEMPORAL else None):
        raise Untranslatable(
            "a default is a fixed value, or today() / now() on a date or dateTime question"
        )
    if field_type in (FieldType.TEXT, FieldType.TEXTAREA, *_TEMPORAL):
        return text
    if field_type == FieldType.INTEGER:
        raise Untranslatable("an integer question takes a whole number")
    if field_type == FieldType.DECIMAL:
        raise Untranslatable("a decimal question takes a number")
    if field_type in (FieldType.SELECT, FieldType.MULTI_SELECT):
        raise Untranslatable("a select question takes choice names, separated by spaces")
    raise Untranslatable(f"our {field_type} fields have no default")


def _utc(text: str) -> str | None:
    """An ISO date-time with an offset in the stored form (UTC, `Z`); None otherwise."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # validation says it needs an offset
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _clock_call(text: str) -> str | None:
    try:
        node = parse(text)
    except Untranslatable:
        return None
    if isinstance(node, Call) and node.function in _CLOCK and not node.args:
        return _CLOCK[node.function]
    return None


def _date_call(text: str) -> str | None:
    """date('2024-01-31') -> "2024-01-31"."""
    try:
        node = parse(text)
    except Untranslatable:
        return None
    if isinstance(node, Call) and node.function in ("date", "date-time") and len(node.args) == 1:
        literal = node.args[0]
        if isinstance(literal, Literal) and literal.quoted:
            return str(literal.value)
    return None
