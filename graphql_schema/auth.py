"""Sign-in, token refresh, sign-out and the current user."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.accounts import services as accounts
from graphql_schema.context import RequestContext


@strawberry.type(description="A fresh access token and the refresh token that replaces it.")
class AuthTokens:
    access_token: str
    refresh_token: str
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    token_type: str = "Bearer"  # noqa: S105 (the scheme name, not a secret)

    @classmethod
    def from_pair(cls, pair: accounts.TokenPair) -> AuthTokens:
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_in=pair.expires_in,
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
    username: str
    full_name: str
    locale: str
    tenant: TenantSummary
    role: RoleSummary | None
    agency: AgencySummary | None


def _me(info: Info[RequestContext, None]) -> Me:
    user = info.context.user
    tenant = user.tenant
    return Me(
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
    )


@strawberry.type
class AuthQuery:
    me: Me = strawberry.field(resolver=_me)


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Sign in with a tenant, username and password.")
    def login(self, tenant: str, username: str, password: str) -> AuthTokens:
        return AuthTokens.from_pair(accounts.login(tenant, username, password))

    @strawberry.mutation(description="Spend a refresh token for a new token pair.")
    def refresh_token(self, refresh_token: str) -> AuthTokens:
        return AuthTokens.from_pair(accounts.refresh(refresh_token))

    @strawberry.mutation(description="End the current session.")
    def logout(self, info: Info[RequestContext, None]) -> bool:
        accounts.logout(info.context.principal)
        return True
