"""Sign-in with an ID token from a tenant's external OpenID Connect provider.

The token is verified with joserfc against the provider's JWKS (fetched over HTTP, cached for
OIDC_JWKS_CACHE_SECONDS): only RS256 / ES256, only the provider's configured algorithms, and
its issuer, audience, expiry, issue time and not-before (with OIDC_CLOCK_LEEWAY_SECONDS).
The identity maps to an existing active user by the provider's `username_claim`; nobody is
created on the fly. The provider is trusted for the strength of its own authentication: our
TOTP is not asked for on top.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import ECKey, RSAKey

from backend.accounts.models import OIDC_ALGORITHMS, OidcProvider, User
from backend.accounts.services import check_auth_text
from backend.accounts.sessions import TokenPair, open_session
from backend.accounts.throttle import check_login_attempt
from backend.errors import Unauthenticated
from backend.tenancy.context import activate_tenant
from backend.tenancy.models import Tenant

logger = logging.getLogger(__name__)

_KEY_TYPES: dict[str, tuple[str, str | None]] = {"RS256": ("RSA", None), "ES256": ("EC", "P-256")}
assert set(_KEY_TYPES) == set(OIDC_ALGORITHMS)
_MAX_JWKS_BYTES = 256 * 1024
# An unknown key id refetches the JWKS (key rotation), but not more often than this.
_MIN_REFETCH_SECONDS = 60

_CLAIM_MESSAGES = {
    "iss": "The ID token was issued by another issuer.",
    "aud": "The ID token was issued for another audience.",
    "iat": "The ID token's issue time is in the future.",
    "nbf": "The ID token is not valid yet.",
}


def login_with_oidc(
    tenant_slug: str, provider_slug: str, id_token: str, *, client_ip: str | None = None
) -> TokenPair:
    """Verify the ID token and open a session for the tenant's user it names."""
    check_auth_text(tenant=tenant_slug, provider=provider_slug, idToken=id_token)
    check_login_attempt(client_ip=client_ip)
    tenant = Tenant.objects.filter(slug=tenant_slug).first()
    if tenant is None:
        raise Unauthenticated("Unknown tenant or sign-in provider.")
    with transaction.atomic():
        activate_tenant(tenant.pk)
        provider = OidcProvider.objects.filter(
            tenant=tenant, slug=provider_slug, enabled=True
        ).first()
        if provider is None:
            raise Unauthenticated("Unknown tenant or sign-in provider.")
        claims = verify_id_token(provider, id_token)
        username = claims.get(provider.username_claim)
        if not isinstance(username, str) or not username:
            raise Unauthenticated(f"The ID token has no '{provider.username_claim}' claim.")
        user = (
            User.objects.select_related("tenant", "role")
            .filter(tenant=tenant, username=username, is_active=True)
            .first()
        )
        if user is None:
            raise Unauthenticated("No active account of this tenant matches the ID token.")
        return open_session(user)


def verify_id_token(provider: OidcProvider, id_token: str) -> dict[str, Any]:
    """The claims of a valid ID token of the provider; Unauthenticated saying why otherwise."""
    header = _header(id_token)
    alg = header.get("alg")
    allowed = [a for a in provider.algorithms if a in _KEY_TYPES]
    if not isinstance(alg, str) or alg not in allowed:
        raise Unauthenticated(f"The ID token's algorithm ({alg}) is not accepted.")
    kid = header.get("kid")
    keys = _keys(provider.jwks_uri, alg, kid if isinstance(kid, str) else None)
    if not keys:
        raise Unauthenticated("The ID token is signed with a key the provider does not publish.")
    claims: dict[str, Any] | None = None
    for key in keys:
        try:
            claims = jwt.decode(id_token, key, algorithms=[alg]).claims
            break
        except BadSignatureError:
            continue
        except (JoseError, ValueError) as exc:
            raise Unauthenticated("The ID token could not be verified.") from exc
    if claims is None:
        raise Unauthenticated("The ID token's signature is not valid.")
    _check_claims(provider, claims)
    return claims


def _header(id_token: str) -> dict[str, Any]:
    parts = id_token.split(".")
    if len(parts) != 3:
        raise Unauthenticated("The ID token is malformed.")
    try:
        segment = parts[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except ValueError as exc:
        raise Unauthenticated("The ID token is malformed.") from exc
    if not isinstance(header, dict):
        raise Unauthenticated("The ID token is malformed.")
    return header


def _check_claims(provider: OidcProvider, claims: dict[str, Any]) -> None:
    registry = jwt.JWTClaimsRegistry(
        leeway=settings.OIDC_CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.audience},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise Unauthenticated("The ID token has expired.") from exc
    except MissingClaimError as exc:
        raise Unauthenticated(f"The ID token lacks required claims ({exc.claim}).") from exc
    except InvalidClaimError as exc:
        message = _CLAIM_MESSAGES.get(exc.claim, f"The ID token's '{exc.claim}' is not valid.")
        raise Unauthenticated(message) from exc
    audiences = claims["aud"]
    several = isinstance(audiences, list) and len(audiences) > 1
    if several and claims.get("azp") != provider.audience:
        raise Unauthenticated("The ID token was issued for another audience.")


def _keys(jwks_uri: str, alg: str, kid: str | None) -> list[RSAKey | ECKey]:
    """The provider's published keys that may verify `alg` (and carry `kid`, when given)."""
    entry = _jwks(jwks_uri)
    keys = _matching_keys(entry["keys"], alg, kid)
    if not keys and kid is not None and time.time() - entry["fetched_at"] > _MIN_REFETCH_SECONDS:
        keys = _matching_keys(_jwks(jwks_uri, refetch=True)["keys"], alg, kid)
    return keys


def _matching_keys(jwks: list[Any], alg: str, kid: str | None) -> list[RSAKey | ECKey]:
    kty, crv = _KEY_TYPES[alg]
    found: list[RSAKey | ECKey] = []
    for data in jwks:
        if not isinstance(data, dict) or data.get("kty") != kty:
            continue
        if (crv and data.get("crv") != crv) or data.get("use", "sig") != "sig":
            continue
        if data.get("alg", alg) != alg or (kid is not None and data.get("kid") != kid):
            continue
        try:
            found.append(RSAKey.import_key(data) if kty == "RSA" else ECKey.import_key(data))
        except (JoseError, ValueError, TypeError):
            logger.warning("skipping an unreadable key in a JWKS")
    return found


def _jwks(jwks_uri: str, *, refetch: bool = False) -> dict[str, Any]:
    cache_key = "oidc-jwks:" + hashlib.sha256(jwks_uri.encode()).hexdigest()
    entry: dict[str, Any] | None = None if refetch else cache.get(cache_key)
    if entry is None:
        entry = {"keys": _fetch_jwks(jwks_uri), "fetched_at": time.time()}
        cache.set(cache_key, entry, timeout=settings.OIDC_JWKS_CACHE_SECONDS)
    return entry


def _fetch_jwks(jwks_uri: str) -> list[Any]:
    allowed_schemes = {"https"} if settings.OIDC_REQUIRE_HTTPS else {"https", "http"}
    if urlsplit(jwks_uri).scheme not in allowed_schemes:
        logger.warning("refusing JWKS URI %s: scheme not allowed", jwks_uri)
        raise Unauthenticated("The sign-in provider is misconfigured (its JWKS URI).")
    request = urllib.request.Request(jwks_uri, headers={"Accept": "application/json"})  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(  # noqa: S310 (scheme checked above)
            request, timeout=settings.OIDC_HTTP_TIMEOUT_SECONDS
        ) as response:
            body = response.read(_MAX_JWKS_BYTES + 1)
        if len(body) > _MAX_JWKS_BYTES:
            raise ValueError("JWKS too large")
        keys = json.loads(body)["keys"]
        if not isinstance(keys, list):
            raise ValueError("JWKS 'keys' is not a list")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("could not load the JWKS at %s: %s", jwks_uri, exc)
        raise Unauthenticated(
            "The sign-in provider's keys could not be loaded. Try again later."
        ) from exc
    return keys
