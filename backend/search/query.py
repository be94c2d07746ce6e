"""A search text read into terms: each term must match somewhere on a record.

A run of digits written like a phone number is one term (compared with phone tokens, and
as a word); every other word is a term (exact, prefix, sound-alike).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.errors import BadUserInput
from backend.search.normalise import (
    MAX_TOKEN_LENGTH,
    normalise,
    phone_queries,
    phone_spans,
    sound_key,
    words,
)

MAX_SEARCH_LENGTH = 200
MAX_TERMS = 6
# A shorter word matches only exactly, never as a prefix (a single letter would match most).
MIN_PREFIX_LENGTH = 2


@dataclass(frozen=True)
class Term:
    word: str
    sound: str | None = None
    phones: frozenset[str] = frozenset()

    @property
    def prefix(self) -> bool:
        return len(self.word) >= MIN_PREFIX_LENGTH


def search_terms(text: str, argument: str = "search") -> list[Term]:
    """The terms of a search text; BAD_USER_INPUT when it is too long or has too many."""
    if len(text) > MAX_SEARCH_LENGTH:
        raise BadUserInput(
            f"A search is at most {MAX_SEARCH_LENGTH} characters long.", field=argument
        )
    terms: list[Term] = []
    rest, last = [], 0
    for start, end in phone_spans(text):
        rest.append(text[last:start])
        last = end
        number = text[start:end]
        digits = "".join(c for c in normalise(number) if c.isdigit())
        terms.append(Term(digits[:MAX_TOKEN_LENGTH], None, frozenset(phone_queries(number))))
    rest.append(text[last:])
    for word in words(" ".join(rest)):
        terms.append(Term(word, sound_key(word)))
    unique = list(dict.fromkeys(terms))
    if len(unique) > MAX_TERMS:
        raise BadUserInput(f"A search has at most {MAX_TERMS} words.", field=argument)
    return unique
