"""A tenant's matching rules: which records may be proposed for which, compared how.

The document (JSON, administered through `saveMatchingRules`):

    {"pairs": [{
        "source": "tracing_request", "source_subform": "persons_sought", "target": "case",
        "threshold": 0.6, "out_of_scope": true,
        "comparisons": [
            {"name": "name", "method": "fuzzy_name", "weight": 4,
             "source": ["sought_name_first", "sought_name_last"],
             "target": ["name_first", "name_last", "name_other_spellings"]},
            {"name": "birth", "method": "age_within", "years": 2, "weight": 2,
             "source": ["sought_date_of_birth", "sought_age"],
             "target": ["date_of_birth", "age_approximate"]}],
        "blocking": [["name", "birth"], ["name", "name"]]}]}

A pair with `source_subform` matches each entry of that subform on its own (each person
sought). `blocking` lists the keys that bring candidates: each key a list of comparison
names whose key values are combined (a name's sound keys, a birth year, a location code at
the comparison's admin level, phone digits, an option); a name comparison named twice
stands for two different words of the name. Every problem is reported with its path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backend.error_codes import ErrorCode
from backend.errors import DomainError
from backend.forms.configuration import TenantConfiguration
from formengine import FieldDefinition, RecordSchema

# Record types whose records are never reported outside their scope, whatever a tenant
# configures: that a GBV incident exists is itself what must not leak.
NEVER_OUT_OF_SCOPE = frozenset({"incident"})

TEXT_TYPES = frozenset({"text", "textarea"})
METHOD_FIELD_TYPES: dict[str, frozenset[str]] = {
    "exact": frozenset({"text", "textarea", "integer", "decimal", "date", "select", "radio"}),
    "normalised_text": TEXT_TYPES,
    "sound_alike": TEXT_TYPES,
    "fuzzy_name": TEXT_TYPES,
    "date_within": frozenset({"date", "datetime"}),
    "age_within": frozenset({"date", "integer", "calculated"}),
    "same_option": frozenset({"select", "radio", "multi_select", "boolean"}),
    "location_subtree": frozenset({"location"}),
    "phone": frozenset({"phone", "text"}),
}
METHODS = tuple(METHOD_FIELD_TYPES)
# The parameter each method needs, with its bounds.
PARAMETERS: dict[str, tuple[str, int, int]] = {
    "date_within": ("days", 0, 3660),
    "age_within": ("years", 0, 20),
    "location_subtree": ("admin_level", 0, 12),
}
NAME_METHODS = frozenset({"sound_alike", "fuzzy_name"})
MAX_PAIRS = 10
MAX_COMPARISONS = 30
MAX_WEIGHT = 100


class InvalidMatchingRules(DomainError):
    code = ErrorCode.INVALID_MATCHING_RULES


@dataclass(frozen=True)
class Comparison:
    name: str
    method: str
    weight: float
    source: tuple[str, ...]
    target: tuple[str, ...]
    parameter: int = 0  # days, years or admin level, as the method says


@dataclass(frozen=True)
class PairRules:
    source: str
    target: str
    source_subform: str | None
    threshold: float
    out_of_scope: bool
    comparisons: tuple[Comparison, ...]
    blocking: tuple[tuple[str, ...], ...]

    @property
    def key(self) -> str:
        return f"{self.source}>{self.target}"

    def comparison(self, name: str) -> Comparison:
        return next(c for c in self.comparisons if c.name == name)

    @property
    def reports_out_of_scope(self) -> bool:
        return self.out_of_scope and self.target not in NEVER_OUT_OF_SCOPE


@dataclass(frozen=True)
class MatchingRuleSet:
    pairs: tuple[PairRules, ...]

    def from_source(self, record_type: str) -> list[PairRules]:
        return [p for p in self.pairs if p.source == record_type]

    def to_target(self, record_type: str) -> list[PairRules]:
        return [p for p in self.pairs if p.target == record_type]


Problems = list[dict[str, Any]]


def _problem(path: Sequence[str | int], message: str) -> dict[str, Any]:
    return {
        "path": ["rules", *map(str, path)],
        "code": ErrorCode.INVALID_MATCHING_RULES,
        "message": message,
    }


def _fields_of(schema: RecordSchema, subform: str | None) -> Mapping[str, FieldDefinition]:
    if subform is None:
        return schema.fields
    definition = schema.fields.get(subform)
    return {f.name: f for f in definition.fields} if definition else {}


def _check_fields(
    names: Any,
    fields: Mapping[str, FieldDefinition],
    method: str,
    where: list[str | int],
    problems: Problems,
) -> tuple[str, ...]:
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        problems.append(_problem(where, "A non-empty list of field names."))
        return ()
    allowed = METHOD_FIELD_TYPES.get(method, frozenset())
    for index, name in enumerate(names):
        definition = fields.get(name)
        if definition is None or definition.deprecated:
            problem = _problem([*where, index], f"No published field {name!r} here.")
            problems.append({**problem, "field": name})
        elif allowed and definition.type not in allowed:
            problems.append(
                _problem(
                    [*where, index],
                    f"{name!r} is a {definition.type}: {method} compares "
                    f"{', '.join(sorted(allowed))} fields.",
                )
            )
    return tuple(names)


def _comparison(
    document: Any,
    source_fields: Mapping[str, FieldDefinition],
    target_fields: Mapping[str, FieldDefinition],
    where: list[str | int],
    problems: Problems,
) -> Comparison | None:
    if not isinstance(document, Mapping):
        problems.append(_problem(where, "A comparison is an object."))
        return None
    name, method, weight = document.get("name"), document.get("method"), document.get("weight")
    if not isinstance(name, str) or not name:
        problems.append(_problem([*where, "name"], "Each comparison has a name."))
    if method not in METHOD_FIELD_TYPES:
        problems.append(_problem([*where, "method"], f"method is one of {', '.join(METHODS)}."))
        method = ""
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not 0 < weight <= MAX_WEIGHT
    ):
        problems.append(_problem([*where, "weight"], f"weight is a number in (0, {MAX_WEIGHT}]."))
    parameter = 0
    if method in PARAMETERS:
        key, low, high = PARAMETERS[method]
        value = document.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.append(_problem([*where, key], f"{method} needs {key}: {low} to {high}."))
        else:
            parameter = value
    source = _check_fields(
        document.get("source"), source_fields, method, [*where, "source"], problems
    )
    target = _check_fields(
        document.get("target"), target_fields, method, [*where, "target"], problems
    )
    if not isinstance(name, str) or not method or not source or not target:
        return None
    return Comparison(name, method, float(weight or 0), source, target, parameter)


def _blocking(
    document: Any, comparisons: dict[str, Comparison], where: list[str | int], problems: Problems
) -> tuple[tuple[str, ...], ...]:
    if not isinstance(document, list) or not document:
        problems.append(_problem(where, "At least one blocking key (a list of comparison names)."))
        return ()
    keys = []
    for index, parts in enumerate(document):
        if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
            problems.append(_problem([*where, index], "A list of comparison names."))
            continue
        unknown = [p for p in parts if p not in comparisons]
        if unknown:
            problems.append(_problem([*where, index], f"No comparisons {unknown}."))
            continue
        twice = {p for p in parts if parts.count(p) > 1}
        if any(comparisons[p].method not in NAME_METHODS or parts.count(p) > 2 for p in twice):
            problems.append(
                _problem([*where, index], "Only a name comparison may be named twice in a key.")
            )
            continue
        keys.append(tuple(parts))
    return tuple(keys)


def _threshold(value: Any, where: list[str | int], problems: Problems) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        problems.append(_problem(where, "threshold is a number in (0, 1]."))
        return 1.0
    return float(value)


def _pair(
    document: Any, configuration: TenantConfiguration, where: list[str | int], problems: Problems
) -> PairRules | None:
    if not isinstance(document, Mapping):
        problems.append(_problem(where, "A pair is an object."))
        return None
    source, target = str(document.get("source")), str(document.get("target"))
    subform = document.get("source_subform")
    source_schema = configuration.schema_for(source)
    target_schema = configuration.schema_for(target)
    if source_schema is None:
        problems.append(_problem([*where, "source"], "A record type with published forms."))
    if target_schema is None:
        problems.append(_problem([*where, "target"], "A record type with published forms."))
    if source_schema is None or target_schema is None:
        return None
    if subform is not None and (
        not isinstance(subform, str)
        or getattr(source_schema.fields.get(subform), "type", None) != "subform"
    ):
        problems.append(_problem([*where, "source_subform"], "A subform of the source type."))
        return None
    out_of_scope = document.get("out_of_scope", False)
    if not isinstance(out_of_scope, bool):
        problems.append(_problem([*where, "out_of_scope"], "true or false."))
    elif out_of_scope and target in NEVER_OUT_OF_SCOPE:
        problems.append(
            _problem([*where, "out_of_scope"], f"{target} records are never reported out of scope.")
        )
    listed = document.get("comparisons")
    if not isinstance(listed, list) or not 0 < len(listed) <= MAX_COMPARISONS:
        problems.append(_problem([*where, "comparisons"], f"1 to {MAX_COMPARISONS} comparisons."))
        return None
    comparisons: dict[str, Comparison] = {}
    source_fields = _fields_of(source_schema, subform)
    for index, entry in enumerate(listed):
        found = _comparison(
            entry, source_fields, target_schema.fields, [*where, "comparisons", index], problems
        )
        if found is not None and found.name in comparisons:
            problems.append(_problem([*where, "comparisons", index, "name"], "A name used twice."))
        elif found is not None:
            comparisons[found.name] = found
    threshold = _threshold(document.get("threshold"), [*where, "threshold"], problems)
    blocking = _blocking(document.get("blocking"), comparisons, [*where, "blocking"], problems)
    return PairRules(
        source,
        target,
        subform,
        threshold,
        out_of_scope is True,
        tuple(comparisons.values()),
        blocking,
    )


def read_rules(
    document: Any, configuration: TenantConfiguration
) -> tuple[MatchingRuleSet, Problems]:
    """The rules a document says, checked against the published forms, and its problems."""
    problems: Problems = []
    if not isinstance(document, Mapping) or set(document) - {"pairs"}:
        return MatchingRuleSet(()), [_problem([], 'An object with "pairs" only.')]
    listed = document.get("pairs", [])
    if not isinstance(listed, list) or len(listed) > MAX_PAIRS:
        return MatchingRuleSet(()), [_problem(["pairs"], f"At most {MAX_PAIRS} pairs.")]
    pairs: list[PairRules] = []
    for index, entry in enumerate(listed):
        pair = _pair(entry, configuration, ["pairs", index], problems)
        if pair is not None and any(p.key == pair.key for p in pairs):
            problems.append(_problem(["pairs", index], f"A second pair {pair.key}."))
        elif pair is not None:
            pairs.append(pair)
    return MatchingRuleSet(tuple(pairs)), problems


def checked_rules(document: Any, configuration: TenantConfiguration) -> MatchingRuleSet:
    rules, problems = read_rules(document, configuration)
    if problems:
        raise InvalidMatchingRules(
            f"The matching rules have {len(problems)} problem(s).", errors=problems
        )
    return rules
