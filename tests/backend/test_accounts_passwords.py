"""The password policy: which passwords pass and why the others fail."""

from __future__ import annotations

import pytest

from backend.accounts.errors import WeakPassword
from backend.accounts.models import User
from backend.accounts.passwords import check_password_policy


def _reasons(password: str, username: str = "amina.k", **fields: str) -> set[str]:
    user = User(username=username, **fields)
    try:
        check_password_policy(password, user)
    except WeakPassword as exc:
        return {reason["code"] for reason in exc.details["reasons"]}
    return set()


@pytest.mark.parametrize(
    "password",
    ["Violet-harbour-lamp-7", "correct horse battery", "tr0mbone-sunset", "Ünïcode-ok-9"],
)
def test_long_mixed_uncommon_passwords_pass(password: str) -> None:
    assert _reasons(password) == set()


def test_fewer_than_ten_characters_is_too_short() -> None:
    assert _reasons("Ab3$efgh") == {"password_too_short"}


@pytest.mark.parametrize("password", ["abcdefghijklmn", "ABCDEFGHIJKLMN", "73920461829374"])
def test_a_single_character_class_is_refused(password: str) -> None:
    assert "password_one_character_class" in _reasons(password)


def test_a_password_containing_the_username_is_refused_whatever_the_case() -> None:
    assert "password_contains_username" in _reasons("My-AMINA.K-password-1")


def test_a_password_equal_to_the_username_is_refused() -> None:
    assert "password_contains_username" in _reasons("Amina.Kamara1", username="Amina.Kamara1")


def test_a_password_like_the_full_name_is_refused() -> None:
    assert "password_too_similar" in _reasons("Fatoumata Diallo", full_name="Fatoumata Diallo")


def test_a_common_password_is_refused() -> None:
    assert _reasons("Password123") == {"password_too_common"}


def test_every_reason_is_listed_with_a_message() -> None:
    user = User(username="amina.k")

    with pytest.raises(WeakPassword) as raised:
        check_password_policy("amina.k", user)

    reasons = raised.value.details["reasons"]
    assert raised.value.code == "WEAK_PASSWORD"
    assert len(reasons) >= 3
    assert all(reason["message"] for reason in reasons)
