"""The comparison methods: how alike two subjects are on one comparison (0 to 1), and why,
in words that quote the values compared (only ever built from fields the caller may read).

Also each method's blocking-key values, since what makes two values comparable is what
brings a candidate: a name's sound keys, a birth year, an area code, phone digits.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from anyascii import anyascii
from rapidfuzz import fuzz

from backend.matching.locations import LocationIndex
from backend.matching.rules import Comparison
from backend.matching.subjects import Subject
from backend.search.normalise import normalise, phone_queries, sound_key, words

PHONE_KEY_DIGITS = 7


@dataclass(frozen=True)
class Contribution:
    field: str
    method: str
    score: float
    explanation: str


def _texts(values: Iterable[tuple[str, Any]]) -> list[str]:
    found: list[str] = []
    for _, value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                found.append(str(item))
    return found


# Names repeat across records: a word's sound key, its Latin spelling and a pair of words'
# likeness are computed once per process, not once per candidate.
CACHED_WORDS = 65_536


@lru_cache(maxsize=CACHED_WORDS)
def _latin(word: str) -> str:
    return anyascii(word).lower()


@lru_cache(maxsize=CACHED_WORDS)
def word_key(word: str) -> str | None:
    return sound_key(word)


@lru_cache(maxsize=CACHED_WORDS)
def _text_words(text: str) -> tuple[str, ...]:
    return tuple(words(text))


def name_words(values: Iterable[tuple[str, Any]]) -> list[str]:
    return list(dict.fromkeys(w for text in _texts(values) for w in _text_words(text)))


def _date(value: Any) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def birth_years(subject: Subject, name: str) -> set[int]:
    """Birth years from dates of birth, else from ages (in the subject's reference year)."""
    values = subject.values.get(name, [])
    dated = {d.year for _, v in values if (d := _date(v)) is not None}
    if dated:
        return dated
    return {
        subject.reference_year - int(v)
        for _, v in values
        if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 130
    }


def phone_keys(values: Iterable[tuple[str, Any]]) -> set[str]:
    return {digits[-PHONE_KEY_DIGITS:] for text in _texts(values) for digits in phone_queries(text)}


def _options(values: Iterable[tuple[str, Any]]) -> set[str]:
    return {normalise(t) for t in _texts(values) if t} | {
        str(v).lower() for _, v in values if isinstance(v, bool)
    }


def key_values(
    comparison: Comparison, subject: Subject, locations: LocationIndex, *, query: bool
) -> set[str]:
    """A comparison's blocking-key values for a subject: on the query side widened by the
    comparison's tolerance (birth years within N years)."""
    values = subject.values.get(comparison.name, [])
    method = comparison.method
    if method in ("fuzzy_name", "sound_alike"):
        return {k for w in name_words(values) if (k := word_key(w))}
    if method == "age_within":
        spread = comparison.parameter if query else 0
        return {
            str(y + d)
            for y in birth_years(subject, comparison.name)
            for d in range(-spread, spread + 1)
        }
    if method == "date_within":
        days = datetime.timedelta(days=comparison.parameter if query else 0)
        dates = [d for _, v in values if (d := _date(v)) is not None]
        return {str(y) for d in dates for y in range((d - days).year, (d + days).year + 1)}
    if method == "location_subtree":
        areas = (locations.at_level(code, comparison.parameter) for _, code in values)
        return {a.code for a in areas if a is not None}
    if method == "phone":
        return phone_keys(values)
    return _options(values)


@lru_cache(maxsize=CACHED_WORDS * 4)
def _word_likeness(a: str, b: str) -> tuple[float, bool]:
    key_a, key_b = word_key(a), word_key(b)
    if a == b:
        return 1.0, False
    if key_a and key_a == key_b:
        return 0.95, True
    return fuzz.ratio(_latin(a), _latin(b)) / 100, False


def _names(source: list[str], target: list[str]) -> tuple[float, list[str]]:
    """Each source word against its likest target word (names in any order, extra middle
    names and nicknames free): the mean of the best likenesses."""
    if not source or not target:
        return 0.0, []
    total, notes = 0.0, []
    for word in source:
        score, alike, best = 0.0, False, ""
        for other in target:
            likeness, sounds = _word_likeness(word, other)
            if likeness > score:
                score, alike, best = likeness, sounds, other
        total += score
        if score >= 0.99:
            notes.append(f"{word} = {best}")
        elif alike:
            notes.append(f"{word} ~ {best} (sound alike)")
        elif score >= 0.6:
            notes.append(f"{word} ~ {best} ({round(score * 100)}% alike)")
    return total / len(source), notes


def _scaled(distance: int, tolerance: int) -> float:
    return max(0.0, 1 - distance / (tolerance + 1)) if distance <= tolerance else 0.0


def compare(
    comparison: Comparison, source: Subject, target: Subject, locations: LocationIndex
) -> Contribution | None:
    """How alike two subjects are on one comparison; None when either lacks a value."""
    a, b = source.values.get(comparison.name), target.values.get(comparison.name)
    if not a or not b:
        return None
    method, n = comparison.method, comparison.parameter
    score, why = 0.0, ""
    if method in ("fuzzy_name", "sound_alike"):
        wa, wb = name_words(a), name_words(b)
        if method == "fuzzy_name":
            score, notes = _names(wa, wb)
        else:
            keys_b = {word_key(w) for w in wb}
            notes = [w for w in wa if word_key(w) in keys_b]
            score = len(notes) / len(wa) if wa else 0.0
            notes = [f"{w} sounds like a name there" for w in notes]
        why = "; ".join(notes) or "names differ"
    elif method == "age_within":
        ya, yb = birth_years(source, comparison.name), birth_years(target, comparison.name)
        if not ya or not yb:
            return None
        gap = min(abs(x - y) for x in ya for y in yb)
        score = _scaled(gap, n)
        why = f"born about {min(ya)} and {min(yb)} ({gap} year{'s' * (gap != 1)} apart)"
    elif method == "date_within":
        da = [d for _, v in a if (d := _date(v))]
        db = [d for _, v in b if (d := _date(v))]
        if not da or not db:
            return None
        gap = min(abs((x - y).days) for x in da for y in db)
        score = _scaled(gap, n)
        why = f"{min(da)} and {min(db)} ({gap} day{'s' * (gap != 1)} apart)"
    elif method == "location_subtree":
        areas_a = {p.code: p for _, c in a if (p := locations.at_level(c, n))}
        areas_b = {p.code: p for _, c in b if (p := locations.at_level(c, n))}
        shared = sorted(set(areas_a) & set(areas_b))
        score = 1.0 if shared else 0.0
        why = (
            f"both in {areas_a[shared[0]].name}"
            if shared
            else f"{locations.name(str(a[0][1]))} and {locations.name(str(b[0][1]))} differ"
        )
    elif method == "phone":
        score = 1.0 if phone_keys(a) & phone_keys(b) else 0.0
        why = "same phone number" if score else "different phone numbers"
    elif method == "normalised_text":
        ta, tb = {normalise(t) for t in _texts(a)}, {normalise(t) for t in _texts(b)}
        score = 1.0 if ta & tb else 0.0
        why = f"same text: {sorted(ta & tb)[0]}" if score else "different texts"
    else:  # exact, same_option
        oa, ob = _options(a), _options(b)
        score = 1.0 if oa & ob else 0.0
        why = f"both {sorted(oa & ob)[0]}" if score else f"{sorted(oa)[0]} and {sorted(ob)[0]}"
    return Contribution(comparison.name, method, round(score, 3), why)
