"""Sessions and the token pairs they issue: opened at sign-in, ended on demand."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from backend.accounts.models import AuthSession, RefreshToken, User
from backend.accounts.tokens import AccessClaims, issue_access_token


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    # The tokens allow nothing but TOTP enrolment.
    totp_enrollment_only: bool = False


@dataclass(frozen=True)
class Principal:
    """The signed-in user of one request, and the session their token belongs to."""

    user: User
    session_id: str
    totp_enrollment_only: bool = False


def hash_refresh_token(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


def issue_tokens(session: AuthSession) -> TokenPair:
    """A new access token and a new refresh token of the session."""
    # The tenant id travels in the clear in front of the secret: row-level security needs
    # the tenant before the token row can be found.
    secret = f"{session.tenant_id}.{secrets.token_urlsafe(32)}"
    RefreshToken.objects.create(
        tenant_id=session.tenant_id,
        session=session,
        token_hash=hash_refresh_token(secret),
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
    return TokenPair(
        access_token=access,
        refresh_token=secret,
        expires_in=ttl,
        totp_enrollment_only=session.totp_enrollment_only,
    )


def open_session(user: User, *, totp_enrollment_only: bool = False) -> TokenPair:
    """Sign the user in: a new session and its first token pair. Needs the tenant active."""
    session = AuthSession.objects.create(
        tenant_id=user.tenant_id, user=user, totp_enrollment_only=totp_enrollment_only
    )
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return issue_tokens(session)


def end_sessions(user: User, reason: str) -> None:
    """Revoke every open session of the user. Needs the tenant active."""
    AuthSession.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:40]
    )
