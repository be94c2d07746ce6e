"""Sign-in, token rotation, sign-out, and the account changes that end sessions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from backend.accounts import lockout
from backend.accounts.errors import (
    AccountLocked,
    InvalidCurrentPassword,
    InvalidTotp,
    TotpEnrollmentRequired,
    TotpRequired,
    WeakPassword,
)
from backend.accounts.models import AuthSession, RefreshToken, User
from backend.accounts.passwords import check_password_policy
from backend.accounts.sessions import (
    Principal,
    TokenPair,
    end_sessions,
    hash_refresh_token,
    issue_tokens,
    open_session,
)
from backend.accounts.throttle import check_login_attempt
from backend.accounts.tokens import InvalidAccessToken, read_access_token
from backend.accounts.totp import accept_code, confirmed_device
from backend.errors import DomainError, Unauthenticated, check_text_length
from backend.tenancy.context import activate_tenant, tenant_transaction
from backend.tenancy.models import Tenant

__all__ = [
    "Principal",
    "TokenPair",
    "authenticate_access_token",
    "change_password",
    "login",
    "logout",
    "refresh",
    "set_password",
    "set_user_active",
]

_BAD_CREDENTIALS = "Unknown tenant, username or password."
# Caps on what a client may send to sign in: far above any real value, far below what would
# cost a hash, a lookup or an error.
AUTH_TEXT_LIMITS = {
    "tenant": 63,
    "username": 150,
    "password": 1024,
    "currentPassword": 1024,
    "newPassword": 1024,
    "totpCode": 32,
    "refreshToken": 512,
    "provider": 63,
    "idToken": 16384,
}


def check_auth_text(**values: str | None) -> None:
    """TEXT_TOO_LONG for a sign-in string over its cap, named as the client sends it."""
    for field, value in values.items():
        check_text_length(field, value, AUTH_TEXT_LIMITS[field])


# Hashing a dummy password when the user is unknown keeps response times alike.
_DUMMY_HASH = make_password("not-a-real-password")


def _failed_login(tenant_id: int, username: str, error: DomainError) -> DomainError:
    locked_until = lockout.record_failure(tenant_id, username)
    return AccountLocked(locked_until) if locked_until else error


def login(
    tenant_slug: str,
    username: str,
    password: str,
    *,
    totp_code: str | None = None,
    client_ip: str | None = None,
) -> TokenPair:
    """Check the credentials (and the TOTP code of an enrolled user) and open a session.

    Failed attempts are counted per (tenant, username) and lock it after
    LOGIN_LOCKOUT_THRESHOLD in a row; the error is raised after the transaction block so that
    the count survives. A user whose role requires two-factor and who has not enrolled gets
    tokens that allow only enrolment."""
    check_auth_text(tenant=tenant_slug, username=username, password=password, totpCode=totp_code)
    check_login_attempt(client_ip=client_ip, tenant_slug=tenant_slug, username=username)
    tenant = Tenant.objects.filter(slug=tenant_slug).first()
    if tenant is None:
        User(password=_DUMMY_HASH).check_password(password)
        raise Unauthenticated(_BAD_CREDENTIALS)
    with transaction.atomic():
        activate_tenant(tenant.pk)
        outcome = _sign_in(tenant, username, password, totp_code)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def _sign_in(
    tenant: Tenant, username: str, password: str, totp_code: str | None
) -> TokenPair | DomainError:
    locked_until = lockout.current_lock(tenant.pk, username)
    if locked_until is not None:
        return AccountLocked(locked_until)
    user = (
        User.objects.select_related("tenant", "role")
        .filter(tenant=tenant, username=username)
        .first()
    )
    if user is None:
        User(password=_DUMMY_HASH).check_password(password)
        return _failed_login(tenant.pk, username, Unauthenticated(_BAD_CREDENTIALS))
    if not user.check_password(password) or not user.is_active:
        return _failed_login(tenant.pk, username, Unauthenticated(_BAD_CREDENTIALS))
    device = confirmed_device(user, lock=True)
    if device is not None:
        if not totp_code:
            return TotpRequired("Enter the code from your authenticator app (totpCode).")
        if not accept_code(device, totp_code):
            return _failed_login(
                tenant.pk, username, InvalidTotp("The two-factor code is not valid.")
            )
    lockout.clear_failures(tenant.pk, username)
    enrollment_only = device is None and user.role is not None and user.role.requires_two_factor
    return open_session(user, totp_enrollment_only=enrollment_only)


def refresh(refresh_token: str) -> TokenPair:
    """Spend a refresh token for a new pair. Presenting a spent token revokes its session."""
    check_auth_text(refreshToken=refresh_token)
    now = timezone.now()
    reused = False
    tenant_part, _, _ = refresh_token.partition(".")
    # The tenant id must fit PostgreSQL's bigint, like every id it names.
    if not (tenant_part.isascii() and tenant_part.isdigit() and len(tenant_part) <= 18):
        raise Unauthenticated("Refresh token is not valid.")
    with transaction.atomic():
        activate_tenant(int(tenant_part))
        token = (
            RefreshToken.objects.select_for_update()
            .select_related("session__user")
            .filter(token_hash=hash_refresh_token(refresh_token))
            .first()
        )
        if token is None:
            raise Unauthenticated("Refresh token is not valid.")
        session = token.session
        if token.spent_at is not None:
            # Someone holds a copy of a spent token: end the whole family.
            if session.revoked_at is None:
                session.revoked_at = now
                session.revoked_reason = "refresh_token_reuse"
                session.save(update_fields=["revoked_at", "revoked_reason"])
            reused = True
        elif session.revoked_at or token.expires_at <= now or not session.user.is_active:
            raise Unauthenticated("Refresh token is not valid.")
        else:
            token.spent_at = now
            token.save(update_fields=["spent_at"])
            return issue_tokens(session)
    assert reused
    raise Unauthenticated("Refresh token was already used; the session has been ended.")


def logout(principal: Principal) -> None:
    """End the caller's session: its refresh tokens and access tokens stop working."""
    with tenant_transaction(principal.user.tenant_id):
        AuthSession.objects.filter(pk=principal.session_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason="logout"
        )


def authenticate_access_token(token: str, *, allow_totp_enrollment_only: bool = False) -> Principal:
    """Resolve a bearer token to its user, or raise Unauthenticated.

    Tokens of an enrolment-only session raise TotpEnrollmentRequired unless allowed."""
    try:
        claims = read_access_token(token)
    except InvalidAccessToken as exc:
        raise Unauthenticated("Access token is invalid or expired.") from exc
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("authenticate inside the request's transaction")
    activate_tenant(claims.tenant_id)
    session = (
        AuthSession.objects.select_related("user__tenant", "user__role", "user__agency")
        .filter(pk=claims.session_id, user_id=claims.user_id, revoked_at__isnull=True)
        .first()
    )
    if session is None:
        raise Unauthenticated("Session has ended. Sign in again.")
    user = session.user
    if (
        not user.is_active
        or user.token_version != claims.token_version
        or user.tenant_id != claims.tenant_id
    ):
        raise Unauthenticated("Session has ended. Sign in again.")
    if session.totp_enrollment_only and not allow_totp_enrollment_only:
        raise TotpEnrollmentRequired(
            "Your role requires two-factor authentication: enrol an authenticator first "
            "(beginTotpEnrollment, confirmTotpEnrollment)."
        )
    return Principal(
        user=user,
        session_id=claims.session_id,
        totp_enrollment_only=session.totp_enrollment_only,
    )


def set_password(user: User, raw_password: str, *, actor: User | None = None) -> None:
    """Set a password that meets the policy (else WeakPassword).

    For an existing user, every session ends and outstanding access tokens stop working.
    `actor` is whoever sets it (None or the user: a change by the user themselves)."""
    check_password_policy(raw_password, user)
    if user.pk is None:
        user.set_password(raw_password)
        return
    own_change = actor is None or actor.pk == user.pk
    with tenant_transaction(user.tenant_id):
        user.set_password(raw_password)
        User.objects.filter(pk=user.pk).update(
            password=user.password, token_version=F("token_version") + 1
        )
        user.refresh_from_db(fields=["token_version"])
        end_sessions(user, "password_changed" if own_change else "password_reset")
        lockout.clear_failures(user.tenant_id, user.username)


def set_user_active(user: User, active: bool) -> None:
    """Enable or disable the user. Disabling ends every session and outstanding token."""
    with tenant_transaction(user.tenant_id):
        if active:
            User.objects.filter(pk=user.pk).update(is_active=True)
        else:
            User.objects.filter(pk=user.pk).update(
                is_active=False, token_version=F("token_version") + 1
            )
            end_sessions(user, "user_disabled")
        user.refresh_from_db(fields=["is_active", "token_version"])


def change_password(
    principal: Principal, current_password: str, new_password: str, *, client_ip: str | None = None
) -> TokenPair:
    """The signed-in user replaces their password. Every session ends, this one included; the
    caller gets a new token pair. A wrong current password counts as a failed sign-in."""
    check_auth_text(currentPassword=current_password, newPassword=new_password)
    user = principal.user
    check_login_attempt(client_ip=client_ip, tenant_slug=user.tenant.slug, username=user.username)
    with transaction.atomic():
        activate_tenant(user.tenant_id)
        outcome = _change_password(user, current_password, new_password)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def _change_password(
    user: User, current_password: str, new_password: str
) -> TokenPair | DomainError:
    locked_until = lockout.current_lock(user.tenant_id, user.username)
    if locked_until is not None:
        return AccountLocked(locked_until)
    if not user.check_password(current_password):
        return _failed_login(
            user.tenant_id,
            user.username,
            InvalidCurrentPassword("The current password is not correct."),
        )
    if new_password == current_password:
        return WeakPassword(
            "The new password must differ from the current one.",
            reasons=[{"code": "password_unchanged", "message": "The password is unchanged."}],
        )
    set_password(user, new_password, actor=user)
    return open_session(user)


def tenant_users(user: User, public_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
    """Users of the caller's own tenant among some public ids; any other is left out."""
    found = User.objects.filter(public_id__in=public_ids, tenant_id=user.tenant_id)
    return {u.public_id: u for u in found.only("public_id", "username", "full_name")}
