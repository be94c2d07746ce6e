"""TOTP two-factor sign-in: enrolment, codes at login, replay, roles that require it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from backend.accounts.models import Role, TotpDevice
from tests.auth_helpers import attempt_login, gql_as, totp_code
from tests.graphql_client import error_codes, use_tenant
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

BEGIN_ENROLLMENT = "mutation { beginTotpEnrollment { secret otpauthUri } }"
CONFIRM_ENROLLMENT = """
mutation Confirm($code: String!) {
  confirmTotpEnrollment(code: $code) {
    totpEnabled
    tokens { accessToken refreshToken totpEnrollmentRequired }
  }
}
"""
DISABLE_TOTP = "mutation Disable($code: String!) { disableTotp(code: $code) }"
ME_QUERY = "query { me { username totpEnabled } }"
REFRESH = "mutation R($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"


def _token(scratch: ScratchTenant, username: str = "worker", **kwargs: str) -> str:
    body = attempt_login(scratch.slug, username, **kwargs)
    assert "errors" not in body, body
    token: str = body["data"]["login"]["accessToken"]
    return token


def _enrol(token: str) -> str:
    """Enrol an authenticator for the token's user; return its secret."""
    secret: str = gql_as(BEGIN_ENROLLMENT, token=token)["data"]["beginTotpEnrollment"]["secret"]
    body = gql_as(CONFIRM_ENROLLMENT, {"code": totp_code(secret)}, token=token)
    assert body["data"]["confirmTotpEnrollment"]["totpEnabled"] is True, body
    return secret


def _require_two_factor(scratch: ScratchTenant, role: str = "worker") -> None:
    use_tenant(scratch.slug)
    Role.objects.filter(tenant=scratch.tenant, code=role).update(requires_two_factor=True)


def test_enrolment_returns_a_secret_and_an_otpauth_uri_for_the_authenticator_app() -> None:
    scratch = make_tenant()
    token = _token(scratch)

    enrollment = gql_as(BEGIN_ENROLLMENT, token=token)["data"]["beginTotpEnrollment"]

    uri = urlsplit(enrollment["otpauthUri"])
    assert uri.scheme == "otpauth"
    assert uri.netloc == "totp"
    assert "worker" in uri.path
    assert parse_qs(uri.query)["secret"] == [enrollment["secret"]]
    assert gql_as(ME_QUERY, token=token)["data"]["me"]["totpEnabled"] is False


def test_enrolment_needs_a_signed_in_user() -> None:
    assert error_codes(gql_as(BEGIN_ENROLLMENT)) == ["UNAUTHENTICATED"]


def test_a_wrong_code_does_not_enable_totp() -> None:
    scratch = make_tenant()
    token = _token(scratch)
    gql_as(BEGIN_ENROLLMENT, token=token)

    body = gql_as(CONFIRM_ENROLLMENT, {"code": "000000"}, token=token)

    assert error_codes(body) == ["INVALID_TOTP"]
    assert gql_as(ME_QUERY, token=token)["data"]["me"]["totpEnabled"] is False
    assert "errors" not in attempt_login(scratch.slug, "worker")


def test_confirming_without_starting_enrolment_is_refused() -> None:
    scratch = make_tenant()

    body = gql_as(CONFIRM_ENROLLMENT, {"code": "123456"}, token=_token(scratch))

    assert error_codes(body) == ["TOTP_ENROLLMENT_NOT_STARTED"]


def test_once_enabled_login_without_a_code_answers_totp_required() -> None:
    scratch = make_tenant()
    token = _token(scratch)
    _enrol(token)

    body = attempt_login(scratch.slug, "worker")

    assert body["data"] is None
    assert error_codes(body) == ["TOTP_REQUIRED"]
    assert gql_as(ME_QUERY, token=token)["data"]["me"]["totpEnabled"] is True


def test_login_with_password_and_a_fresh_code_issues_tokens() -> None:
    scratch = make_tenant()
    secret = _enrol(_token(scratch))

    body = attempt_login(scratch.slug, "worker", totp_code=totp_code(secret, steps_ahead=1))

    assert "errors" not in body, body
    assert body["data"]["login"]["totpEnrollmentRequired"] is False


def test_a_wrong_code_is_refused_and_counts_towards_the_lockout() -> None:
    scratch = make_tenant()
    _enrol(_token(scratch))

    answers = [attempt_login(scratch.slug, "worker", totp_code="000000") for _ in range(5)]

    assert [error_codes(b) for b in answers] == [["INVALID_TOTP"]] * 4 + [["ACCOUNT_LOCKED"]]


def test_a_code_cannot_be_replayed() -> None:
    scratch = make_tenant()
    secret = _enrol(_token(scratch))
    code = totp_code(secret, steps_ahead=1)
    assert "errors" not in attempt_login(scratch.slug, "worker", totp_code=code)

    replay = attempt_login(scratch.slug, "worker", totp_code=code)

    assert error_codes(replay) == ["INVALID_TOTP"]


def test_the_code_used_to_confirm_enrolment_cannot_sign_in() -> None:
    scratch = make_tenant()
    token = _token(scratch)
    secret = gql_as(BEGIN_ENROLLMENT, token=token)["data"]["beginTotpEnrollment"]["secret"]
    code = totp_code(secret)
    gql_as(CONFIRM_ENROLLMENT, {"code": code}, token=token)

    assert error_codes(attempt_login(scratch.slug, "worker", totp_code=code)) == ["INVALID_TOTP"]


def test_the_secret_is_not_stored_in_plain_text() -> None:
    scratch = make_tenant()
    secret = _enrol(_token(scratch))

    use_tenant(scratch.slug)
    stored = TotpDevice.objects.get(user=scratch.worker).encrypted_secret

    assert secret not in stored


def test_enrolling_again_while_enabled_is_refused() -> None:
    scratch = make_tenant()
    token = _token(scratch)
    _enrol(token)

    assert error_codes(gql_as(BEGIN_ENROLLMENT, token=token)) == ["TOTP_ALREADY_ENABLED"]


def test_disable_with_a_valid_code_turns_totp_off() -> None:
    scratch = make_tenant()
    token = _token(scratch)
    secret = _enrol(token)

    body = gql_as(DISABLE_TOTP, {"code": totp_code(secret, steps_ahead=1)}, token=token)

    assert body["data"] == {"disableTotp": True}
    assert "errors" not in attempt_login(scratch.slug, "worker")


def test_disable_with_a_wrong_code_is_refused() -> None:
    scratch = make_tenant()
    token = _token(scratch)
    _enrol(token)

    body = gql_as(DISABLE_TOTP, {"code": "000000"}, token=token)

    assert error_codes(body) == ["INVALID_TOTP"]
    assert error_codes(attempt_login(scratch.slug, "worker")) == ["TOTP_REQUIRED"]


def test_disable_when_not_enabled_is_refused() -> None:
    scratch = make_tenant()

    body = gql_as(DISABLE_TOTP, {"code": "123456"}, token=_token(scratch))

    assert error_codes(body) == ["TOTP_NOT_ENABLED"]


def test_role_requiring_two_factor_gives_an_unenrolled_user_enrolment_only_tokens() -> None:
    scratch = make_tenant()
    _require_two_factor(scratch)

    body = attempt_login(scratch.slug, "worker")

    assert body["data"]["login"]["totpEnrollmentRequired"] is True
    token = body["data"]["login"]["accessToken"]
    assert error_codes(gql_as(ME_QUERY, token=token)) == ["TOTP_ENROLLMENT_REQUIRED"]


def test_enrolment_only_tokens_can_enrol_and_get_a_full_session() -> None:
    scratch = make_tenant()
    _require_two_factor(scratch)
    login = attempt_login(scratch.slug, "worker")["data"]["login"]
    restricted = login["accessToken"]
    secret = gql_as(BEGIN_ENROLLMENT, token=restricted)["data"]["beginTotpEnrollment"]["secret"]

    body = gql_as(CONFIRM_ENROLLMENT, {"code": totp_code(secret)}, token=restricted)

    tokens = body["data"]["confirmTotpEnrollment"]["tokens"]
    assert tokens["totpEnrollmentRequired"] is False
    assert gql_as(ME_QUERY, token=tokens["accessToken"])["data"]["me"] == {
        "username": "worker",
        "totpEnabled": True,
    }
    assert error_codes(gql_as(ME_QUERY, token=restricted)) == ["UNAUTHENTICATED"]
    assert error_codes(gql_as(REFRESH, {"t": login["refreshToken"]})) == ["UNAUTHENTICATED"]


def test_confirming_with_a_full_session_returns_no_new_tokens() -> None:
    scratch = make_tenant()
    token = _token(scratch)
    secret = gql_as(BEGIN_ENROLLMENT, token=token)["data"]["beginTotpEnrollment"]["secret"]

    body = gql_as(CONFIRM_ENROLLMENT, {"code": totp_code(secret)}, token=token)

    assert body["data"]["confirmTotpEnrollment"] == {"totpEnabled": True, "tokens": None}
    assert gql_as(ME_QUERY, token=token)["data"]["me"]["totpEnabled"] is True


def test_refreshing_enrolment_only_tokens_keeps_them_enrolment_only() -> None:
    scratch = make_tenant()
    _require_two_factor(scratch)
    login = attempt_login(scratch.slug, "worker")["data"]["login"]

    refreshed = gql_as(REFRESH, {"t": login["refreshToken"]})["data"]["refreshToken"]

    assert error_codes(gql_as(ME_QUERY, token=refreshed["accessToken"])) == [
        "TOTP_ENROLLMENT_REQUIRED"
    ]


def test_a_role_requiring_two_factor_does_not_let_its_members_disable_it() -> None:
    scratch = make_tenant()
    token = _token(scratch)
    secret = _enrol(token)
    _require_two_factor(scratch)

    body = gql_as(DISABLE_TOTP, {"code": totp_code(secret, steps_ahead=1)}, token=token)

    assert error_codes(body) == ["TOTP_REQUIRED_BY_ROLE"]


def test_an_enrolled_member_of_a_role_requiring_two_factor_signs_in_with_a_code() -> None:
    scratch = make_tenant()
    secret = _enrol(_token(scratch))
    _require_two_factor(scratch)

    body = attempt_login(scratch.slug, "worker", totp_code=totp_code(secret, steps_ahead=1))

    assert body["data"]["login"]["totpEnrollmentRequired"] is False
    assert gql_as(ME_QUERY, token=body["data"]["login"]["accessToken"])["data"]["me"]
