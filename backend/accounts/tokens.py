"""Access tokens: short-lived JWTs, HS256 pinned, signed and checked with joserfc."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

ALGORITHM = "HS256"
ISSUER = "casework"
_REQUIRED_CLAIMS = ("sub", "tid", "sid", "ver", "exp", "iat")


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    tenant_id: int
    session_id: str
    token_version: int


class InvalidAccessToken(Exception):
    pass


def _key() -> OctKey:
    return OctKey.import_key(settings.JWT_SIGNING_KEY.encode())


def issue_access_token(claims: AccessClaims) -> tuple[str, int]:
    """Return the signed token and its lifetime in seconds."""
    now = int(time.time())
    ttl = settings.ACCESS_TOKEN_TTL_SECONDS
    payload = {
        "iss": ISSUER,
        "sub": str(claims.user_id),
        "tid": claims.tenant_id,
        "sid": claims.session_id,
        "ver": claims.token_version,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(
        {"alg": ALGORITHM, "typ": "JWT"}, payload, _key(), algorithms=[ALGORITHM]
    ), ttl


def read_access_token(token: str) -> AccessClaims:
    """Verify signature, algorithm, issuer and expiry; raise InvalidAccessToken otherwise."""
    try:
        decoded = jwt.decode(token, _key(), algorithms=[ALGORITHM])
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": ISSUER},
            exp={"essential": True},
            sub={"essential": True},
        )
        registry.validate(decoded.claims)
        claims = decoded.claims
        if any(name not in claims for name in _REQUIRED_CLAIMS):
            raise InvalidAccessToken("missing claims")
        return AccessClaims(
            user_id=int(claims["sub"]),
            tenant_id=int(claims["tid"]),
            session_id=str(claims["sid"]),
            token_version=int(claims["ver"]),
        )
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidAccessToken(str(exc)) from exc
