"""Text as the search index stores it and as a query is compared with it: one module for
both sides, so that a value and a query written the same way always meet.

- `normalise`: case folded, diacritics and Arabic harakat removed, Arabic letter variants
  unified (alef forms, taa marbuta, alef maqsura), tatweel dropped, Arabic-Indic and Persian
  digits made ASCII.
- `words`: the normalised words of a text.
- `sound_key`: a key shared by names that sound alike, across Latin and Arabic script
  (Arabic is transliterated to Latin first, then both go through metaphone).
- `phone_tokens` / `phone_queries`: a phone number's digits, whatever the formatting, so that
  `+961 70 123 456` and `070123456` meet on their national significant number.
"""

from __future__ import annotations

import re
import unicodedata

import jellyfish
import phonenumbers
from anyascii import anyascii

# The longest token stored or compared: longer words are cut (a prefix still matches).
MAX_TOKEN_LENGTH = 64
# Phone numbers: the shortest run of digits indexed or searched as a number.
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 17

_ARABIC_LETTERS = str.maketrans(
    {
        "\u0671": "\u0627",  # alef wasla -> alef (the others lose their hamza/madda below)
        "\u0629": "\u0647",  # taa marbuta -> haa
        "\u0649": "\u064a",  # alef maqsura -> yaa
        "\u0640": None,  # tatweel
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)
_WORD = re.compile(r"[^\W_]+")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Letters that metaphone keeps but that Arabic transliteration writes inconsistently (long
# vowels, hamza seats, final haa): left out of the key on both sides.
_SOFT = str.maketrans("", "", "AEIOUHWY")
_DIGIT = r"[\d\u0660-\u0669\u06f0-\u06f9]"
_PHONE_CHARS = re.compile(rf"\+?{_DIGIT}(?:{_DIGIT}|[ ().\-/])*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_ARABIC_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare.translate(_ARABIC_LETTERS)).casefold()


def words(text: str) -> list[str]:
    return [w[:MAX_TOKEN_LENGTH] for w in _WORD.findall(normalise(text))]


def sound_key(word: str) -> str | None:
    """The sound-alike key of one normalised word; None for words without one (numbers,
    words of vowels only)."""
    if any(c.isdigit() for c in word):
        return None
    latin = anyascii(word) if _ARABIC.search(word) else word
    letters = "".join(c for c in latin.lower() if "a" <= c <= "z")
    if not letters:
        return None
    key = jellyfish.metaphone(letters).translate(_SOFT)
    return key or None


def _digits(text: str) -> str:
    return "".join(c for c in normalise(text) if c.isdigit() and c.isascii())


def _national_number(text: str) -> str | None:
    """The national significant number of an international number (`+961 70 ...`,
    `00961 70 ...`); None for a number without its country."""
    candidate = normalise(text).strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    if not candidate.startswith("+"):
        return None
    try:
        parsed = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.national_significant_number(parsed) or None


def phone_tokens(value: str) -> set[str]:
    """What the index stores for a phone number: its digits without trunk or international
    zeros, and every ending of them at least MIN_PHONE_DIGITS long (one of them is the
    national significant number, whichever country prefix was written)."""
    digits = _digits(value).lstrip("0")[:MAX_PHONE_DIGITS]
    tokens = {digits[i:] for i in range(len(digits) - MIN_PHONE_DIGITS + 1)}
    national = _national_number(value)
    if national and len(national) >= MIN_PHONE_DIGITS:
        tokens.add(national)
    return tokens


def phone_queries(text: str) -> set[str]:
    """What a phone number in a query is compared with: its digits (without leading zeros)
    and, written with its country, its national significant number."""
    digits = _digits(text).lstrip("0")
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return set()
    found = {digits}
    national = _national_number(text)
    if national and len(national) >= MIN_PHONE_DIGITS:
        found.add(national)
    return found


def phone_spans(text: str) -> list[tuple[int, int]]:
    """Where a query holds something written like a phone number (digits with spaces,
    dashes, dots or brackets, at least MIN_PHONE_DIGITS digits; an ISO date is no number)."""
    spans = []
    for match in _PHONE_CHARS.finditer(text):
        chunk = match.group().rstrip(" ().-/")
        start, end = match.start(), match.start() + len(chunk)
        # digits glued to letters are part of a word (a short ID like "ab12345678")
        glued = (start > 0 and text[start - 1].isalpha()) or (
            end < len(text) and text[end].isalpha()
        )
        if len(_digits(chunk)) >= MIN_PHONE_DIGITS and not _DATE.fullmatch(chunk) and not glued:
            spans.append((start, end))
    return spans
