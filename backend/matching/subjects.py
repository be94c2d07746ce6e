"""What is matched: a record (or one entry of its subform, such as one person sought) seen
through the fields a pair's comparisons name, each value kept under its comparison."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.matching.rules import PairRules
from formengine import FieldPath

Readable = Callable[[FieldPath], bool]


@dataclass(frozen=True)
class Subject:
    """`values`: comparison name -> (field name, value) for every filled field it names;
    `reference_year`: the year its ages were given in (an age means a birth year)."""

    values: dict[str, list[tuple[str, Any]]]
    reference_year: int
    entry_uid: str | None = None
    unreadable: frozenset[str] = field(default_factory=frozenset)


def _filled(value: Any) -> bool:
    return value not in (None, "", [])


def _collect(
    pair: PairRules, data: Mapping[str, Any], side: str, readable: Readable, parent: FieldPath
) -> tuple[dict[str, list[tuple[str, Any]]], frozenset[str]]:
    """The comparisons' values, and the names of comparisons left without a readable field
    although a field of theirs is filled (they must not count either way)."""
    values: dict[str, list[tuple[str, Any]]] = {}
    unreadable: set[str] = set()
    for comparison in pair.comparisons:
        names = comparison.source if side == "source" else comparison.target
        found, hidden = [], False
        for name in names:
            value = data.get(name)
            if not _filled(value):
                continue
            if readable((*parent, name)):
                found.append((name, value))
            else:
                hidden = True
        if found:
            values[comparison.name] = found
        elif hidden:
            unreadable.add(comparison.name)
    return values, frozenset(unreadable)


def reference_year(created_at: datetime.datetime | None) -> int:
    return (created_at or datetime.datetime.now(datetime.UTC)).year


def source_subjects(
    pair: PairRules, data: Mapping[str, Any], year: int, readable: Readable
) -> list[Subject]:
    """The subjects a record brings as the source of a pair: each entry of the pair's
    subform, or the record itself."""
    if pair.source_subform is None:
        values, hidden = _collect(pair, data, "source", readable, ())
        return [Subject(values, year, None, hidden)] if values else []
    entries = data.get(pair.source_subform)
    found = []
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, Mapping):
            values, hidden = _collect(pair, entry, "source", readable, (pair.source_subform,))
            if values:
                found.append(Subject(values, year, str(entry.get("uid") or ""), hidden))
    return found


def target_subject(
    pair: PairRules, data: Mapping[str, Any], year: int, readable: Readable
) -> Subject:
    values, hidden = _collect(pair, data, "target", readable, ())
    return Subject(values, year, None, hidden)


def everything(_path: FieldPath) -> bool:
    return True
