"""Searching the records a user may see: a queryset filter plus a `search_rank` annotation.

Permission-safe by construction: a token matches only when its field path is one the caller
may read on that record. The readable paths differ by the access the caller has to a record
(full, limited to the record's module, or a referral's forms), so the rank is computed per
class of access, each with its own set of paths; a hidden field never matches, and so adds
nothing to the count, the order or the work done.

Rank per term: exact word or phone number 3, prefix 2, sound-alike 1; a record's rank is the
sum over the terms, and a record matches only when every term matches.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import BaseExpression

from backend.accounts.models import User
from backend.records.access import access_plan, list_records, record_schema
from backend.records.filtering.sql import Sql
from backend.records.models import Record
from backend.search.indexing import indexed_fields
from backend.search.models import SHORT_ID_PATH, SearchToken
from backend.search.query import Term, search_terms
from permissions.plan import AccessKind, AccessPlan, RecordAccess

EXACT, PREFIX, SOUND = 3, 2, 1
Kind = SearchToken.Kind

# The search is written as SQL fragments rather than ORM lookups: Django compiled the nested
# Q / Case / Subquery trees in about 5 ms a request, more than the fast searches themselves
# take in the database. Values are parameters; `{}` are filled by Sql (sql.py), the outer
# record's key included, so the fragments survive Django relabelling the query.
# Prefixes match with starts_with(): leakproof, unlike LIKE, so that under the tables'
# row-level security the planner may still answer it from the token index.


def _match(term: Term) -> tuple[str, list[object]]:
    """The SQL condition on a token `t` of `term`, and its parameters."""
    parts = ["(t.kind = {} AND t.token = {})"]
    params: list[object] = [Kind.WORD.value, term.word]
    if term.prefix:
        parts.append("(t.kind = {} AND starts_with(t.token, {}))")
        params += [Kind.WORD.value, term.word]
    if term.sound:
        parts.append("(t.kind = {} AND t.token = {})")
        params += [Kind.SOUND.value, term.sound]
    if term.phones:
        parts.append("(t.kind = {} AND t.token = ANY({}))")
        params += [Kind.PHONE.value, sorted(term.phones)]
    return "(" + " OR ".join(parts) + ")", params


def _weight(term: Term) -> tuple[str, list[object]]:
    """The SQL weight of a matching token `t`: exact 3, prefix 2, sound-alike 1."""
    cases = ["WHEN t.kind = {} AND t.token = {} THEN {}"]
    params: list[object] = [Kind.WORD.value, term.word, EXACT]
    if term.phones:
        cases.append("WHEN t.kind = {} THEN {}")
        params += [Kind.PHONE.value, EXACT]
    if term.prefix:
        cases.append("WHEN t.kind = {} AND starts_with(t.token, {}) THEN {}")
        params += [Kind.WORD.value, term.word, PREFIX]
    return "CASE " + " ".join(cases) + " ELSE {} END", [*params, SOUND]


def _candidates(user: User, record_type: str, term: Term, paths: list[str]) -> Q:
    """Records with a token of `term` in one of `paths`."""
    match, params = _match(term)
    sql = Sql(
        "{} IN (SELECT t.record_id FROM search_searchtoken t"  # noqa: S608 (fixed text)
        " WHERE t.tenant_id = {} AND t.record_type = {} AND t.path = ANY({}) AND " + match + ")",
        F("pk"),
        user.tenant_id,
        record_type,
        paths,
        *params,
    )
    return Q(sql)


def _best(term: Term, paths: list[str]) -> Sql:
    """The best weight among the record's tokens of `paths` for `term` (null: none)."""
    weight, weight_params = _weight(term)
    match, match_params = _match(term)
    return Sql(
        "(SELECT max(" + weight + ") FROM search_searchtoken t"  # noqa: S608 (fixed text)
        " WHERE t.record_id = {} AND t.path = ANY({}) AND " + match + ")",
        *weight_params,
        F("pk"),
        paths,
        *match_params,
        output_field=IntegerField(),
    )


def _rank(terms: list[Term], paths: list[str]) -> BaseExpression:
    """The sum over the terms of the best weight among the record's tokens of `paths` (null
    when a term has none)."""
    best: list[BaseExpression] = [_best(term, paths) for term in terms]
    return functools.reduce(operator.add, best)


def _paths(access: RecordAccess, indexed: frozenset[str]) -> frozenset[str]:
    readable = {".".join(p) for p in access.readable_paths}
    return frozenset((readable & indexed) | {SHORT_ID_PATH})


def _access_classes(
    user: User, plan: AccessPlan, indexed: frozenset[str]
) -> tuple[list[tuple[Q, frozenset[str]]], frozenset[str]]:
    """Which records get which readable paths: (condition, paths) pairs checked in order,
    and the paths of every other visible record (in full access)."""
    by_paths: dict[frozenset[str], list[Q]] = defaultdict(list)
    if plan.referrals:
        referred = Record.objects.filter(tenant_id=user.tenant_id, pk__in=list(plan.referrals))
        pks_by_paths: dict[frozenset[str], list[object]] = defaultdict(list)
        for record in referred:
            access = plan.access(record)
            if access.kind is not AccessKind.NONE:
                pks_by_paths[_paths(access, indexed)].append(record.pk)
        for paths, pks in pks_by_paths.items():
            by_paths[paths].append(Q(pk__in=pks))
    for module in sorted(plan.granted):
        by_paths[_paths(plan.module_access(module), indexed)].append(Q(module=module))
    full = _paths(plan.full_access, indexed)
    classes = [
        (functools.reduce(operator.or_, conditions), paths)
        for paths, conditions in by_paths.items()
        if paths != full
    ]
    return classes, full


def search_records(user: User, record_type: str, text: str) -> QuerySet[Record]:
    """The records of a type the user may see that match `text`, annotated `search_rank`.
    A text without a word matches nothing."""
    records = list_records(user, record_type)
    terms = search_terms(text)
    if not terms:
        return records.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    _, schema = record_schema(user, record_type)
    plan = access_plan(user, record_type)
    indexed = frozenset(".".join(path) for path, _ in indexed_fields(schema))
    classes, full = _access_classes(user, plan, indexed)
    readable_somewhere = sorted(full.union(*(paths for _, paths in classes)))
    for term in terms:
        records = records.filter(_candidates(user, record_type, term, readable_somewhere))
    rank: BaseExpression = _rank(terms, sorted(full))
    if classes:
        rank = Case(
            *[When(condition, then=_rank(terms, sorted(paths))) for condition, paths in classes],
            default=rank,
            output_field=IntegerField(),
        )
    records = records.annotate(search_rank=rank)
    if not classes:
        # Every candidate matched each term in `full`, so its rank is set: no need to
        # evaluate the rank subqueries once more in WHERE.
        return records
    return records.filter(search_rank__isnull=False)
