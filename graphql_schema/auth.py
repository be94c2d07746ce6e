"""Sign-in (password, TOTP, OpenID Connect), token refresh, sign-out, password change,
TOTP enrolment and the current user."""

from __future__ import annotations

import strawberry
from django.conf import settings
from strawberry.types import Info

from backend.accounts import oidc, totp
from backend.accounts import services as accounts
from backend.accounts.models import TotpDevice
from backend.errors import Unauthenticated
from graphql_schema.context import RequestContext
from graphql_schema.schema_version import schema_version


def _client_ip(info: Info[RequestContext, None]) -> str | None:
    """The client's address: the peer, or the one our trusted proxies put in X-Forwarded-For."""
    request = info.context.request
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [h for h in forwarded if h]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def _enrollment_principal(info: Info[RequestContext, None]) -> accounts.Principal:
    """The caller, also when their token only allows TOTP enrolment."""
    token = info.context.bearer_token()
    if token is None:
        raise Unauthenticated("Sign in first: send 'Authorization: Bearer <token>'.")
    return accounts.authenticate_access_token(token, allow_totp_enrollment_only=True)


@strawberry.type(description="A fresh access token and the refresh token that replaces it.")
class AuthTokens:
    access_token: str
    refresh_token: str
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    totp_enrollment_required: bool = strawberry.field(
        description=(
            "The role requires two-factor authentication and the user has not enrolled: these "
            "tokens allow only beginTotpEnrollment, confirmTotpEnrollment and logout."
        )
    )
    token_type: str = "Bearer"  # noqa: S105 (the scheme name, not a secret)

    @classmethod
    def from_pair(cls, pair: accounts.TokenPair) -> AuthTokens:
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_in=pair.expires_in,
            totp_enrollment_required=pair.totp_enrollment_only,
        )


@strawberry.type(description="A new TOTP secret, to be added to an authenticator app.")
class TotpEnrollment:
    secret: str = strawberry.field(description="Base32 secret, for typing in by hand.")
    otpauth_uri: str = strawberry.field(description="otpauth:// URI, for a QR code.")


@strawberry.type
class TotpEnrollmentConfirmation:
    totp_enabled: bool
    tokens: AuthTokens | None = strawberry.field(
        description=(
            "A full token pair when the caller signed in with enrolment-only tokens (which "
            "stop working); null otherwise."
        )
    )


@strawberry.type
class TenantSummary:
    slug: str
    name: str
    default_locale: str
    locales: list[str]


@strawberry.type
class RoleSummary:
    code: str
    name: str


@strawberry.type
class AgencySummary:
    code: str
    name: str


@strawberry.type(description="The signed-in user.")
class Me:
    id: strawberry.ID = strawberry.field(description="Your user id, as records show it.")
    username: str
    full_name: str
    locale: str
    tenant: TenantSummary
    role: RoleSummary | None
    agency: AgencySummary | None
    totp_enabled: bool
    schema_version: str = strawberry.field(
        description=(
            "A short digest of this user's schema: it changes when the tenant publishes forms, "
            "lookups or workflow settings, or the server's API changes. Also sent as the "
            "X-Schema-Version header of every signed-in answer."
        )
    )


def _me(info: Info[RequestContext, None]) -> Me:
    user = info.context.user
    tenant = user.tenant
    return Me(
        id=strawberry.ID(str(user.public_id)),
        username=user.username,
        full_name=user.full_name,
        locale=user.locale or tenant.default_locale,
        tenant=TenantSummary(
            slug=tenant.slug,
            name=tenant.name,
            default_locale=tenant.default_locale,
            locales=list(tenant.locales),
        ),
        role=RoleSummary(code=user.role.code, name=user.role.name) if user.role else None,
        agency=AgencySummary(code=user.agency.code, name=user.agency.name) if user.agency else None,
        totp_enabled=TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists(),
        schema_version=schema_version(tenant, info.schema),
    )


@strawberry.type
class AuthQuery:
    me: Me = strawberry.field(resolver=_me)


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description=(
            "Sign in with a tenant, username and password, plus totpCode when the user has "
            "two-factor authentication on."
        )
    )
    def login(
        self,
        info: Info[RequestContext, None],
        tenant: str,
        username: str,
        password: str,
        totp_code: str | None = None,
    ) -> AuthTokens:
        pair = accounts.login(
            tenant, username, password, totp_code=totp_code, client_ip=_client_ip(info)
        )
        return AuthTokens.from_pair(pair)

    @strawberry.mutation(description="Sign in with an ID token of the tenant's OIDC provider.")
    def login_with_oidc(
        self, info: Info[RequestContext, None], tenant: str, provider: str, id_token: str
    ) -> AuthTokens:
        pair = oidc.login_with_oidc(tenant, provider, id_token, client_ip=_client_ip(info))
        return AuthTokens.from_pair(pair)

    @strawberry.mutation(description="Spend a refresh token for a new token pair.")
    def refresh_token(self, refresh_token: str) -> AuthTokens:
        return AuthTokens.from_pair(accounts.refresh(refresh_token))

    @strawberry.mutation(description="End the current session.")
    def logout(self, info: Info[RequestContext, None]) -> bool:
        accounts.logout(_enrollment_principal(info))
        return True

    @strawberry.mutation(
        description=(
            "Replace the signed-in user's password. Every session ends; the returned tokens "
            "start a new one."
        )
    )
    def change_password(
        self, info: Info[RequestContext, None], current_password: str, new_password: str
    ) -> AuthTokens:
        pair = accounts.change_password(
            info.context.principal, current_password, new_password, client_ip=_client_ip(info)
        )
        return AuthTokens.from_pair(pair)

    @strawberry.mutation(
        description="Start TOTP enrolment: a new secret, active once confirmed with a code."
    )
    def begin_totp_enrollment(self, info: Info[RequestContext, None]) -> TotpEnrollment:
        enrollment = totp.begin_totp_enrollment(_enrollment_principal(info).user)
        return TotpEnrollment(secret=enrollment.secret, otpauth_uri=enrollment.otpauth_uri)

    @strawberry.mutation(description="Turn TOTP on with a code from the authenticator app.")
    def confirm_totp_enrollment(
        self, info: Info[RequestContext, None], code: str
    ) -> TotpEnrollmentConfirmation:
        pair = totp.confirm_totp_enrollment(_enrollment_principal(info), code)
        return TotpEnrollmentConfirmation(
            totp_enabled=True, tokens=AuthTokens.from_pair(pair) if pair else None
        )

    @strawberry.mutation(description="Turn TOTP off, proven by a current code.")
    def disable_totp(self, info: Info[RequestContext, None], code: str) -> bool:
        totp.disable_totp(info.context.user, code)
        return True
