"""Sign-in, token rotation and sign-out."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import AuthSession, RefreshToken, User
from backend.accounts.tokens import (
    AccessClaims,
    InvalidAccessToken,
    issue_access_token,
    read_access_token,
)
from backend.errors import Unauthenticated
from backend.tenancy.context import activate_tenant, tenant_transaction
from backend.tenancy.models import Tenant

_BAD_CREDENTIALS = "Unknown tenant, username or password."
# Hashing a dummy password when the user is unknown keeps response times alike.
_DUMMY_HASH = make_password("not-a-real-password")


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class Principal:
    """The signed-in user of one request, and the session their token belongs to."""

    user: User
    session_id: str


def _hash(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


def _issue_tokens(session: AuthSession) -> TokenPair:
    # The tenant id travels in the clear in front of the secret: row-level security needs
    # the tenant before the token row can be found.
    secret = f"{session.tenant_id}.{secrets.token_urlsafe(32)}"
    RefreshToken.objects.create(
        tenant_id=session.tenant_id,
        session=session,
        token_hash=_hash(secret),
        expires_at=timezone.now() + timedelta(seconds=settings.REFRESH_TOKEN_TTL_SECONDS),
    )
    user = session.user
    access, ttl = issue_access_token(
        AccessClaims(
            user_id=user.pk,
            tenant_id=user.tenant_id,
            session_id=str(session.pk),
            token_version=user.token_version,
        )
    )
    return TokenPair(access_token=access, refresh_token=secret, expires_in=ttl)


def login(tenant_slug: str, username: str, password: str) -> TokenPair:
    """Check the credentials and open a new session."""
    tenant = Tenant.objects.filter(slug=tenant_slug).first()
    with transaction.atomic():
        user = None
        if tenant is not None:
            activate_tenant(tenant.pk)
            user = User.objects.select_related("tenant").filter(
                tenant=tenant, username=username).first()
        if user is None:
            User(password=_DUMMY_HASH).check_password(password)
            raise Unauthenticated(_BAD_CREDENTIALS)
        if not user.check_password(password) or not user.is_active:
            raise Unauthenticated(_BAD_CREDENTIALS)
        session = AuthSession.objects.create(tenant_id=user.tenant_id, user=user)
        return _issue_tokens(session)


def refresh(refresh_token: str) -> TokenPair:
    """Spend a refresh token for a new pair. Presenting a spent token revokes its session."""
    now = timezone.now()
    reused = False
    tenant_part, _, _ = refresh_token.partition(".")
    if not tenant_part.isdigit():
        raise Unauthenticated("Refresh token is not valid.")
    with transaction.atomic():
        activate_tenant(int(tenant_part))
        token = (
            RefreshToken.objects.select_for_update()
            .select_related("session__user")
            .filter(token_hash=_hash(refresh_token))
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
            return _issue_tokens(session)
    assert reused
    raise Unauthenticated("Refresh token was already used; the session has been ended.")


def logout(principal: Principal) -> None:
    """End the caller's session: its refresh tokens and access tokens stop working."""
    with tenant_transaction(principal.user.tenant_id):
        AuthSession.objects.filter(pk=principal.session_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason="logout"
        )


def authenticate_access_token(token: str) -> Principal:
    """Resolve a bearer token to its user, or raise Unauthenticated."""
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
    return Principal(user=user, session_id=claims.session_id)
