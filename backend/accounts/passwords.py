"""The password policy: Django's validators (AUTH_PASSWORD_VALIDATORS) plus two of ours."""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from backend.accounts.errors import WeakPassword

_CLASSES = (
    set(string.ascii_lowercase),
    set(string.ascii_uppercase),
    set(string.digits),
)


def _character_classes(password: str) -> int:
    found = {i for i, chars in enumerate(_CLASSES) for c in password if c in chars}
    # Everything else (punctuation, spaces, letters of other scripts) is one more class.
    if any(not any(c in chars for chars in _CLASSES) for c in password):
        found.add(len(_CLASSES))
    return len(found)


class CharacterClassValidator:
    """At least two classes of lower case, upper case, digits and other characters."""

    def validate(self, password: str, user: Any = None) -> None:
        if _character_classes(password) < 2:
            raise ValidationError(
                "Mix at least two kinds of characters: lower case, upper case, digits, symbols.",
                code="password_one_character_class",
            )

    def get_help_text(self) -> str:
        return "Mix at least two kinds of characters: lower case, upper case, digits, symbols."


class UsernameValidator:
    """The password is not the username and does not contain it."""

    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= 3 and username in password.casefold():
            raise ValidationError(
                "The password must not contain the username.", code="password_contains_username"
            )

    def get_help_text(self) -> str:
        return "The password must not contain the username."


def check_password_policy(raw_password: str, user: Any) -> None:
    """Raise WeakPassword listing every rule the password breaks."""
    try:
        validate_password(raw_password, user)
    except ValidationError as exc:
        reasons = [
            {"code": error.code or "password_invalid", "message": " ".join(error.messages)}
            for error in exc.error_list
        ]
        raise WeakPassword(
            "The password is too weak: " + " ".join(r["message"] for r in reasons),
            reasons=reasons,
        ) from exc
