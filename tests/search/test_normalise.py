"""Normalisation shared by the index and the query: the same name written differently meets."""

from __future__ import annotations

import pytest

from backend.errors import BadUserInput
from backend.search.normalise import normalise, phone_queries, phone_tokens, sound_key, words
from backend.search.query import search_terms


def key(text: str) -> str | None:
    (word,) = words(text)
    return sound_key(word)


@pytest.mark.parametrize("variant", ["Fatimah", "Fatma", "فاطمة", "Fátima", "FATIMA", "fatima"])
def test_fatima_sounds_like_its_spellings_in_both_scripts(variant: str) -> None:
    assert key(variant) == key("Fatima")


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("محمد", "Muhammad"),
        ("أحمد", "Ahmed"),
        ("خديجة", "Khadija"),
        ("يوسف", "Youssef"),
        ("زينب", "Zeynab"),
        ("حسين", "Hussein"),
        ("عائشة", "Aisha"),
    ],
)
def test_arabic_names_meet_their_latin_transliterations(arabic: str, latin: str) -> None:
    assert key(arabic) == key(latin)


def test_different_names_do_not_sound_alike() -> None:
    assert key("Fatima") != key("Khadija")
    assert key("Youssef") != key("Hussein")


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("أحمد", "احمد"),  # alef with hamza above
        ("إسلام", "اسلام"),  # alef with hamza below
        ("آمنة", "امنه"),  # alef with madda; taa marbuta
        ("ٱلله", "الله"),  # alef wasla
        ("مصطفى", "مصطفي"),  # alef maqsura
        ("عـــلي", "علي"),  # tatweel
        ("مُحَمَّد", "محمد"),  # harakat
        ("Ölçüm Ñandú", "olcum nandu"),  # Latin diacritics, case
        ("STRASSE straße", "strasse strasse"),  # case folding
        ("٠٧٠١٢٣٤٥٦", "070123456"),  # Arabic-Indic digits
        ("۰۷۰۱۲۳", "070123"),  # Persian digits
    ],
)
def test_normalise(written: str, normal: str) -> None:
    assert normalise(written) == normal


def test_words_split_on_punctuation_and_keep_digits() -> None:
    assert words("Al-Hassan, Fatima_2 (case 7F3A2)") == [
        "al",
        "hassan",
        "fatima",
        "2",
        "case",
        "7f3a2",
    ]


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("070123456", "+961 70 123 456"),
        ("+961 70 123 456", "070123456"),
        ("00961-70-123456", "70 123 456"),
        ("(070) 123-456", "٠٧٠١٢٣٤٥٦"),
        ("+96170123456", "96170123456"),
    ],
)
def test_a_phone_number_matches_whatever_its_formatting_and_prefix(stored: str, query: str) -> None:
    assert phone_tokens(stored) & phone_queries(query)


def test_different_phone_numbers_do_not_match() -> None:
    assert not phone_tokens("070123456") & phone_queries("+961 71 123 456")
    assert phone_queries("12 34") == set()  # too short to be a number


def test_a_search_reads_phone_numbers_and_words() -> None:
    terms = search_terms("Fatima +961 70 123 456")
    assert [t.word for t in terms] == ["96170123456", "fatima"]
    assert "70123456" in terms[0].phones
    assert terms[1].sound == key("Fatima")
    assert [t.word for t in search_terms("2024-05-01")] == ["2024", "05", "01"]
    # digits glued to letters are one word: a short ID, not a phone number and a word
    assert [(t.word, t.phones) for t in search_terms("ab12345678")] == [("ab12345678", frozenset())]
    assert [t.word for t in search_terms("12345678ab")] == ["12345678ab"]


def test_a_search_is_bounded() -> None:
    with pytest.raises(BadUserInput):
        search_terms("a" * 201)
    with pytest.raises(BadUserInput):
        search_terms("one two three four five six seven")
    assert search_terms("!!! ---") == []
