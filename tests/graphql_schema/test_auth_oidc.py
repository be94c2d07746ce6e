"""Sign-in with an external OpenID Connect provider: ID tokens verified against the provider's
JWKS, served here by a local HTTP endpoint, with RSA and EC P-256 keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from backend.accounts import oidc
from backend.accounts.models import OidcProvider
from backend.accounts.services import set_user_active
from tests.auth_helpers import JwksEndpoint, gql_as, serve_jwks
from tests.graphql_client import error_codes, use_tenant
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

LOGIN_WITH_OIDC = """
mutation Oidc($tenant: String!, $provider: String!, $idToken: String!) {
  loginWithOidc(tenant: $tenant, provider: $provider, idToken: $idToken) {
    accessToken refreshToken totpEnrollmentRequired
  }
}
"""
ME_QUERY = "query { me { username tenant { slug } } }"
ISSUER = "https://id.example.org/realms/field"
AUDIENCE = "casework-web"
RSA_KEY = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
EC_KEY = ECKey.generate_key("P-256", parameters={"kid": "ec-1"})


@dataclass
class Provider:
    scratch: ScratchTenant
    jwks: JwksEndpoint

    def login(self, id_token: str, provider: str = "field-idp") -> dict[str, Any]:
        variables = {"tenant": self.scratch.slug, "provider": provider, "idToken": id_token}
        return gql_as(LOGIN_WITH_OIDC, variables)


@pytest.fixture
def provider() -> Iterator[Provider]:
    scratch = make_tenant()
    document = {"keys": [RSA_KEY.as_dict(private=False), EC_KEY.as_dict(private=False)]}
    with serve_jwks(document) as jwks:
        use_tenant(scratch.slug)
        OidcProvider.objects.create(
            tenant=scratch.tenant,
            slug="field-idp",
            name="Field identity provider",
            issuer=ISSUER,
            audience=AUDIENCE,
            jwks_uri=jwks.url,
            algorithms=["RS256", "ES256"],
        )
        yield Provider(scratch, jwks)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "b7c1-44d2",
        "preferred_username": "worker",
        "iat": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(key: RSAKey | ECKey, alg: str, **overrides: Any) -> str:
    return jwt.encode({"alg": alg, "kid": key.kid}, _claims(**overrides), key, algorithms=[alg])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def test_an_rs256_id_token_signs_the_matching_user_in(provider: Provider) -> None:
    body = provider.login(_sign(RSA_KEY, "RS256"))

    tokens = body["data"]["loginWithOidc"]
    assert tokens["totpEnrollmentRequired"] is False
    assert gql_as(ME_QUERY, token=tokens["accessToken"])["data"]["me"] == {
        "username": "worker",
        "tenant": {"slug": provider.scratch.slug},
    }


def test_an_es256_id_token_signs_the_matching_user_in(provider: Provider) -> None:
    body = provider.login(_sign(EC_KEY, "ES256", preferred_username="admin"))

    token = body["data"]["loginWithOidc"]["accessToken"]
    assert gql_as(ME_QUERY, token=token)["data"]["me"]["username"] == "admin"


def test_the_jwks_is_fetched_once_and_then_cached(provider: Provider) -> None:
    provider.login(_sign(RSA_KEY, "RS256"))
    provider.login(_sign(EC_KEY, "ES256"))

    assert provider.jwks.requests == ["/jwks.json"]


def test_the_username_claim_is_configurable(provider: Provider) -> None:
    use_tenant(provider.scratch.slug)
    OidcProvider.objects.update(username_claim="sub")

    body = provider.login(_sign(RSA_KEY, "RS256", sub="worker", preferred_username="admin"))

    token = body["data"]["loginWithOidc"]["accessToken"]
    assert gql_as(ME_QUERY, token=token)["data"]["me"]["username"] == "worker"


def _refused(body: dict[str, Any]) -> str:
    assert body["data"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"]
    message: str = body["errors"][0]["message"]
    return message


def test_a_token_for_another_audience_is_refused(provider: Provider) -> None:
    body = provider.login(_sign(RSA_KEY, "RS256", aud="some-other-app"))

    assert _refused(body) == "The ID token was issued for another audience."


def test_a_token_from_another_issuer_is_refused(provider: Provider) -> None:
    body = provider.login(_sign(RSA_KEY, "RS256", iss="https://evil.example.com"))

    assert _refused(body) == "The ID token was issued by another issuer."


def test_an_expired_token_is_refused(provider: Provider) -> None:
    past = int(time.time()) - 3600
    body = provider.login(_sign(RSA_KEY, "RS256", iat=past, exp=past + 300))

    assert _refused(body) == "The ID token has expired."


def test_a_token_expired_within_the_clock_leeway_is_accepted(provider: Provider) -> None:
    now = int(time.time())
    body = provider.login(_sign(RSA_KEY, "RS256", iat=now - 400, exp=now - 10))

    assert "errors" not in body


def test_a_token_not_yet_valid_is_refused(provider: Provider) -> None:
    body = provider.login(_sign(RSA_KEY, "RS256", nbf=int(time.time()) + 3600))

    assert _refused(body) == "The ID token is not valid yet."


def test_a_token_without_an_expiry_is_refused(provider: Provider) -> None:
    body = provider.login(_sign(RSA_KEY, "RS256", exp=None))

    assert "lacks required claims" in _refused(body)


def test_a_token_signed_by_an_unknown_key_is_refused(provider: Provider) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "stranger"})

    body = provider.login(_sign(stranger, "RS256"))

    assert _refused(body) == "The ID token is signed with a key the provider does not publish."
    assert len(provider.jwks.requests) == 1  # an unknown key id does not hammer the provider


def test_a_token_signed_by_another_key_under_a_known_key_id_is_refused(
    provider: Provider,
) -> None:
    impostor = RSAKey.generate_key(2048, parameters={"kid": RSA_KEY.kid})

    body = provider.login(_sign(impostor, "RS256"))

    assert _refused(body) == "The ID token's signature is not valid."


def test_hs256_signed_with_the_public_key_is_refused(provider: Provider) -> None:
    public_pem = RSA_KEY.as_pem(private=False)
    signing_input = _unsigned({"alg": "HS256", "kid": RSA_KEY.kid}, _claims())
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()

    body = provider.login(f"{signing_input}.{_b64(signature)}")

    assert _refused(body) == "The ID token's algorithm (HS256) is not accepted."


def test_alg_none_is_refused(provider: Provider) -> None:
    body = provider.login(_unsigned({"alg": "none"}, _claims()) + ".")

    assert _refused(body) == "The ID token's algorithm (none) is not accepted."


def test_an_algorithm_the_provider_does_not_allow_is_refused(provider: Provider) -> None:
    use_tenant(provider.scratch.slug)
    OidcProvider.objects.update(algorithms=["RS256"])

    body = provider.login(_sign(EC_KEY, "ES256"))

    assert _refused(body) == "The ID token's algorithm (ES256) is not accepted."


def test_a_tampered_token_is_refused(provider: Provider) -> None:
    header, _, signature = _sign(RSA_KEY, "RS256").split(".")
    forged_claims = _b64(json.dumps(_claims(preferred_username="admin")).encode())

    body = provider.login(f"{header}.{forged_claims}.{signature}")

    assert _refused(body) == "The ID token's signature is not valid."


def test_garbage_is_refused(provider: Provider) -> None:
    assert _refused(provider.login("not-a-token")) == "The ID token is malformed."


def test_an_identity_without_a_user_is_refused_and_nobody_is_created(
    provider: Provider,
) -> None:
    body = provider.login(_sign(RSA_KEY, "RS256", preferred_username="newcomer"))

    assert _refused(body) == "No active account of this tenant matches the ID token."


def test_a_disabled_user_is_refused(provider: Provider) -> None:
    use_tenant(provider.scratch.slug)
    set_user_active(provider.scratch.worker, False)

    body = provider.login(_sign(RSA_KEY, "RS256"))

    assert _refused(body) == "No active account of this tenant matches the ID token."


def test_a_disabled_or_unknown_provider_is_refused(provider: Provider) -> None:
    use_tenant(provider.scratch.slug)
    OidcProvider.objects.update(enabled=False)

    disabled = provider.login(_sign(RSA_KEY, "RS256"))
    unknown = provider.login(_sign(RSA_KEY, "RS256"), provider="nope")

    assert _refused(disabled) == _refused(unknown) == "Unknown tenant or sign-in provider."


def test_a_provider_of_one_tenant_does_not_sign_in_to_another(provider: Provider) -> None:
    variables = {"tenant": "demo", "provider": "field-idp", "idToken": _sign(RSA_KEY, "RS256")}

    body = gql_as(LOGIN_WITH_OIDC, variables)

    assert _refused(body) == "Unknown tenant or sign-in provider."


def test_an_unreachable_jwks_is_refused_with_a_clear_message(provider: Provider) -> None:
    use_tenant(provider.scratch.slug)
    OidcProvider.objects.update(jwks_uri="http://127.0.0.1:9/jwks.json")

    body = provider.login(_sign(RSA_KEY, "RS256"))

    assert "keys could not be loaded" in _refused(body)


def test_a_rotated_key_is_found_by_refetching_the_jwks(
    provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider.login(_sign(RSA_KEY, "RS256"))
    rotated = RSAKey.generate_key(2048, parameters={"kid": "rsa-2"})
    provider.jwks.document = {"keys": [rotated.as_dict(private=False)]}
    monkeypatch.setattr(oidc, "_MIN_REFETCH_SECONDS", -1)

    body = provider.login(_sign(rotated, "RS256"))

    assert "errors" not in body
    assert len(provider.jwks.requests) == 2
