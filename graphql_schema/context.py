"""Per-request GraphQL context: the request and, on demand, the signed-in principal."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse

from backend.accounts.models import User
from backend.accounts.services import Principal, authenticate_access_token
from backend.errors import Unauthenticated


@dataclass
class RequestContext:
    request: HttpRequest
    response: HttpResponse
    _principal: Principal | None = field(default=None, init=False)
    # Response paths of fields nulled because the caller may not read them.
    redacted: list[list[str | int]] = field(default_factory=list, init=False)

    def bearer_token(self) -> str | None:
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def authenticate(self) -> Principal:
        """Check the bearer token, also one of a TOTP-enrolment-only session.

        Raises Unauthenticated for a missing, invalid or expired token or an ended session. A
        full session is kept as the request's principal; an enrolment-only one is not, so
        `principal` still refuses it outside the enrolment operations."""
        token = self.bearer_token()
        if token is None:
            raise Unauthenticated("Sign in first: send 'Authorization: Bearer <token>'.")
        principal = authenticate_access_token(token, allow_totp_enrollment_only=True)
        if not principal.totp_enrollment_only:
            self._principal = principal
        return principal

    @property
    def principal(self) -> Principal:
        """The authenticated principal; raises Unauthenticated when there is none."""
        if self._principal is None:
            token = self.bearer_token()
            if token is None:
                raise Unauthenticated("Sign in first: send 'Authorization: Bearer <token>'.")
            self._principal = authenticate_access_token(token)
        return self._principal

    @property
    def user(self) -> User:
        return self.principal.user
