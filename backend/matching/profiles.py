"""Match profiles: a record's comparable values for a pair, kept by the write path beside its
blocking keys (`MatchProfile.features`, each `"<comparison index>:<value>"`), and a quick
score over them. The blocking keys bring up to a thousand candidates; the quick score (the
same methods and weights as `compare`, without explanations or records) ranks them, so that
only the best few are read and scored in full.

The values: a name's normalised words, birth years (an age already turned into a year), ISO
dates, location areas at the comparison's admin level, phone keys, normalised options.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from backend.matching.comparing import (
    CACHED_WORDS,
    _date,
    _names,
    _options,
    _scaled,
    birth_years,
    name_words,
    phone_keys,
    word_key,
)
from backend.matching.locations import LocationIndex
from backend.matching.rules import Comparison, PairRules
from backend.matching.subjects import Subject

# A match must rest on more than one comparison: sex alone says nothing.
MIN_COMPARISONS = 2

Features = dict[int, tuple[str, ...]]


def _values(comparison: Comparison, subject: Subject, locations: LocationIndex) -> list[str]:
    values = subject.values.get(comparison.name, [])
    method = comparison.method
    if method in ("fuzzy_name", "sound_alike"):
        return name_words(values)
    if method == "age_within":
        return [str(y) for y in sorted(birth_years(subject, comparison.name))]
    if method == "date_within":
        return sorted({d.isoformat() for _, v in values if (d := _date(v)) is not None})
    if method == "location_subtree":
        areas = (locations.at_level(str(code), comparison.parameter) for _, code in values)
        return sorted({a.code for a in areas if a is not None})
    if method == "phone":
        return sorted(phone_keys(values))
    return sorted(_options(values))


def subject_features(pair: PairRules, subject: Subject, locations: LocationIndex) -> Features:
    found: Features = {}
    for index, comparison in enumerate(pair.comparisons):
        values = _values(comparison, subject, locations)
        if values:
            found[index] = tuple(values)
    return found


def encode(features: Features) -> list[str]:
    return [f"{index}:{value}" for index, values in features.items() for value in values]


def decode(stored: Iterable[str]) -> Features:
    found: dict[int, list[str]] = {}
    for item in stored:
        index, _, value = item.partition(":")
        found.setdefault(int(index), []).append(value)
    return {index: tuple(values) for index, values in found.items()}


@lru_cache(maxsize=CACHED_WORDS * 4)
def _name_likeness(source: tuple[str, ...], target: tuple[str, ...]) -> float:
    return _names(list(source), list(target))[0]


@lru_cache(maxsize=CACHED_WORDS * 4)
def _sound_share(source: tuple[str, ...], target: tuple[str, ...]) -> float:
    keys = {word_key(w) for w in target}
    return sum(word_key(w) in keys for w in source) / len(source)


def _gap_days(a: Sequence[str], b: Sequence[str]) -> int:
    return min(
        abs((datetime.date.fromisoformat(x) - datetime.date.fromisoformat(y)).days)
        for x in a
        for y in b
    )


def _likeness(comparison: Comparison, a: tuple[str, ...], b: tuple[str, ...]) -> float:
    method = comparison.method
    if method == "fuzzy_name":
        return _name_likeness(a, b)
    if method == "sound_alike":
        return _sound_share(a, b)
    if method == "age_within":
        gap = min(abs(int(x) - int(y)) for x in a for y in b)
        return _scaled(gap, comparison.parameter)
    if method == "date_within":
        return _scaled(_gap_days(a, b), comparison.parameter)
    return 1.0 if set(a) & set(b) else 0.0


def quick_score(pair: PairRules, source: Features, target: Mapping[int, tuple[str, ...]]) -> float:
    """The score `compare` would give when every field is readable (0 when fewer than
    MIN_COMPARISONS comparisons have values on both sides)."""
    total = weights = 0.0
    counted = 0
    for index, a in source.items():
        b = target.get(index)
        if not b:
            continue
        comparison = pair.comparisons[index]
        # rounded as a contribution is, so that ties fall as they do in the full score
        total += comparison.weight * round(_likeness(comparison, a, b), 3)
        weights += comparison.weight
        counted += 1
    return total / weights if counted >= MIN_COMPARISONS else 0.0
