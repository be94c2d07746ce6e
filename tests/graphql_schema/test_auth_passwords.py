"""Password change through GraphQL, and the services that end a user's tokens (used by user
administration): set_password and set_user_active."""

from __future__ import annotations

import pytest

from backend.accounts.errors import WeakPassword
from backend.accounts.services import set_password, set_user_active
from tests.auth_helpers import attempt_login, gql_as
from tests.graphql_client import DEMO_PASSWORD, error_codes, use_tenant
from tests.tenants import make_tenant

pytestmark = pytest.mark.django_db

CHANGE_PASSWORD = """
mutation Change($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) { accessToken refreshToken }
}
"""
ME_QUERY = "query { me { username } }"
REFRESH = "mutation R($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
NEW_PASSWORD = "Violet-harbour-lamp-7"


def _tokens(slug: str, username: str = "worker", password: str = DEMO_PASSWORD) -> dict:
    body = attempt_login(slug, username, password)
    assert "errors" not in body, body
    tokens: dict = body["data"]["login"]
    return tokens


def test_change_password_ends_old_tokens_and_returns_working_new_ones() -> None:
    scratch = make_tenant()
    old = _tokens(scratch.slug)
    other_device = _tokens(scratch.slug)

    body = gql_as(
        CHANGE_PASSWORD, {"current": DEMO_PASSWORD, "new": NEW_PASSWORD}, token=old["accessToken"]
    )

    new = body["data"]["changePassword"]
    assert gql_as(ME_QUERY, token=new["accessToken"])["data"]["me"]["username"] == "worker"
    for tokens in (old, other_device):
        assert error_codes(gql_as(ME_QUERY, token=tokens["accessToken"])) == ["UNAUTHENTICATED"]
        assert error_codes(gql_as(REFRESH, {"t": tokens["refreshToken"]})) == ["UNAUTHENTICATED"]


def test_after_a_change_only_the_new_password_signs_in() -> None:
    scratch = make_tenant()
    token = _tokens(scratch.slug)["accessToken"]
    gql_as(CHANGE_PASSWORD, {"current": DEMO_PASSWORD, "new": NEW_PASSWORD}, token=token)

    assert error_codes(attempt_login(scratch.slug, "worker")) == ["UNAUTHENTICATED"]
    assert "errors" not in attempt_login(scratch.slug, "worker", NEW_PASSWORD)


def test_change_password_with_a_wrong_current_password_is_refused() -> None:
    scratch = make_tenant()
    token = _tokens(scratch.slug)["accessToken"]

    body = gql_as(
        CHANGE_PASSWORD, {"current": "Not-my-password-1", "new": NEW_PASSWORD}, token=token
    )

    assert error_codes(body) == ["INVALID_CURRENT_PASSWORD"]
    assert gql_as(ME_QUERY, token=token)["data"]["me"]["username"] == "worker"


def test_guessing_the_current_password_locks_the_account() -> None:
    scratch = make_tenant()
    token = _tokens(scratch.slug)["accessToken"]

    answers = [
        gql_as(CHANGE_PASSWORD, {"current": f"Guess-number-{i}", "new": NEW_PASSWORD}, token=token)
        for i in range(5)
    ]

    assert [error_codes(b) for b in answers] == [["INVALID_CURRENT_PASSWORD"]] * 4 + [
        ["ACCOUNT_LOCKED"]
    ]
    assert error_codes(attempt_login(scratch.slug, "worker")) == ["ACCOUNT_LOCKED"]


def test_a_weak_new_password_is_refused_with_every_reason() -> None:
    scratch = make_tenant()
    token = _tokens(scratch.slug)["accessToken"]

    body = gql_as(CHANGE_PASSWORD, {"current": DEMO_PASSWORD, "new": "worker"}, token=token)

    assert error_codes(body) == ["WEAK_PASSWORD"]
    reasons = {r["code"] for r in body["errors"][0]["extensions"]["reasons"]}
    assert reasons >= {
        "password_too_short",
        "password_one_character_class",
        "password_contains_username",
    }
    assert "too weak" in body["errors"][0]["message"]
    assert gql_as(ME_QUERY, token=token)["data"]["me"]["username"] == "worker"


def test_the_same_password_again_is_refused() -> None:
    scratch = make_tenant()
    token = _tokens(scratch.slug)["accessToken"]

    body = gql_as(CHANGE_PASSWORD, {"current": DEMO_PASSWORD, "new": DEMO_PASSWORD}, token=token)

    assert error_codes(body) == ["WEAK_PASSWORD"]
    assert [r["code"] for r in body["errors"][0]["extensions"]["reasons"]] == ["password_unchanged"]


def test_change_password_needs_a_signed_in_user() -> None:
    body = gql_as(CHANGE_PASSWORD, {"current": DEMO_PASSWORD, "new": NEW_PASSWORD})

    assert error_codes(body) == ["UNAUTHENTICATED"]


def test_set_password_by_an_administrator_ends_the_users_tokens() -> None:
    scratch = make_tenant()
    tokens = _tokens(scratch.slug)
    use_tenant(scratch.slug)

    set_password(scratch.worker, NEW_PASSWORD, actor=scratch.admin)

    assert error_codes(gql_as(ME_QUERY, token=tokens["accessToken"])) == ["UNAUTHENTICATED"]
    assert error_codes(gql_as(REFRESH, {"t": tokens["refreshToken"]})) == ["UNAUTHENTICATED"]
    assert "errors" not in attempt_login(scratch.slug, "worker", NEW_PASSWORD)


def test_set_password_refuses_a_weak_password_and_keeps_the_old_one() -> None:
    scratch = make_tenant()
    tokens = _tokens(scratch.slug)
    use_tenant(scratch.slug)

    with pytest.raises(WeakPassword):
        set_password(scratch.worker, "short", actor=scratch.admin)

    assert gql_as(ME_QUERY, token=tokens["accessToken"])["data"]["me"]["username"] == "worker"
    assert "errors" not in attempt_login(scratch.slug, "worker")


def test_set_password_lifts_a_lockout() -> None:
    scratch = make_tenant()
    for _ in range(5):
        attempt_login(scratch.slug, "worker", "Wrong-password-1")
    use_tenant(scratch.slug)

    set_password(scratch.worker, NEW_PASSWORD, actor=scratch.admin)

    assert "errors" not in attempt_login(scratch.slug, "worker", NEW_PASSWORD)


def test_disabling_a_user_ends_their_tokens_and_enabling_lets_them_sign_in_again() -> None:
    scratch = make_tenant()
    tokens = _tokens(scratch.slug)
    use_tenant(scratch.slug)

    set_user_active(scratch.worker, False)

    assert scratch.worker.is_active is False
    assert error_codes(gql_as(ME_QUERY, token=tokens["accessToken"])) == ["UNAUTHENTICATED"]
    assert error_codes(gql_as(REFRESH, {"t": tokens["refreshToken"]})) == ["UNAUTHENTICATED"]
    assert error_codes(attempt_login(scratch.slug, "worker")) == ["UNAUTHENTICATED"]

    use_tenant(scratch.slug)
    set_user_active(scratch.worker, True)

    assert "errors" not in attempt_login(scratch.slug, "worker")
