"""Who is asking: OpenID Connect bearer tokens, the local administrator key, sign-in off.

- With ``PA_OIDC_ISSUER`` set, every request except health needs a bearer token signed by
  the provider: the signature is checked against the keys its discovery document names
  (JWKS, fetched again when a token names an unknown key), then issuer, audience, expiry
  and not-before with ``PA_OIDC_LEEWAY_S`` of clock skew (joserfc; asymmetric algorithms
  only). Roles and organisations come from the configured claims.
- The administrator key (``PA_API_KEY``), as ``X-API-Key`` or bearer, is the local
  administrator (every organisation), with sign-in on or off.
- Sign-in off: everyone else is the local user, ``PA_LOCAL_ROLE`` over every organisation.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from assistant.access import Principal, Pseudonyms, readable
from core.settings import ROLES, Settings

log = logging.getLogger("assistant.api")

# asymmetric only: a provider's public keys can never be used as an HMAC secret
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA"]  # fmt: skip
_REFETCH_S = 60.0  # an unknown key id fetches the JWKS again at most this often


class InvalidToken(Exception):
    """The token is missing, malformed, expired, for another audience or issuer, or forged."""


class ProviderUnavailable(Exception):
    """The identity provider's discovery document or keys could not be read."""


class NoRole(Exception):
    """A valid token for a user with no role in this assistant."""


class TokenVerifier:
    """Validates the provider's tokens; discovery and keys are cached."""

    def __init__(self, settings: Settings, pseudonyms: Pseudonyms) -> None:
        assert settings.oidc_issuer
        self.s = settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.audiences = settings.oidc_audience or [settings.oidc_client_id]
        self.pseudonyms = pseudonyms
        self._keys: KeySet | None = None
        self._fetched = 0.0
        self._lock = threading.Lock()

    def _get(self, url: str) -> Any:
        verify: Any = str(self.s.oidc_ca_cert) if self.s.oidc_ca_cert else True
        try:
            response = httpx.get(url, timeout=self.s.oidc_timeout_s, verify=verify)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(exc.__class__.__name__) from None

    def _keyset(self, refresh: bool = False) -> KeySet:
        with self._lock:
            stale = time.monotonic() - self._fetched > _REFETCH_S
            if self._keys is None or (refresh and stale):
                meta = self._get(
                    self.s.oidc_discovery_url or f"{self.issuer}/.well-known/openid-configuration"
                )
                if str(meta.get("issuer", "")).rstrip("/") != self.issuer:
                    raise ProviderUnavailable("the discovery document names another issuer")
                try:
                    self._keys = KeySet.import_key_set(self._get(meta["jwks_uri"]))
                except (KeyError, ValueError, JoseError) as exc:
                    raise ProviderUnavailable(exc.__class__.__name__) from None
                self._fetched = time.monotonic()
            return self._keys

    def claims(self, token: str) -> dict[str, Any]:
        """The token's claims once signature, issuer, audience and times check out."""
        try:
            try:
                decoded = jwt.decode(token, self._keyset(), algorithms=ALGORITHMS)
            except InvalidKeyIdError:  # a rotated key: fetch the keys again (rate-limited)
                decoded = jwt.decode(token, self._keyset(refresh=True), algorithms=ALGORITHMS)
            jwt.JWTClaimsRegistry(
                leeway=self.s.oidc_leeway_s,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "values": self.audiences},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError, TypeError) as exc:
            raise InvalidToken(exc.__class__.__name__) from None
        return decoded.claims

    def principal(self, token: str) -> Principal:
        claims = self.claims(token)
        roles = _roles(_claim(claims, self.s.oidc_roles_claim), self.s.oidc_role_values)
        if not roles:
            raise NoRole()
        known = {o.casefold(): o for o in self.s.organisations}
        stated = _values(_claim(claims, self.s.oidc_organisation_claim))
        orgs = [known[str(o).casefold()] for o in stated if str(o).casefold() in known]
        return Principal(
            subject=self.pseudonyms.of(self.issuer, str(claims["sub"])),
            roles=roles,
            organisations=tuple(dict.fromkeys(orgs)),
            classifications=readable(roles, self.s),
            every_organisation="administratör" in roles,
            signed_in=True,
        )


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by name, or by a dotted path into nested objects ("realm_access.roles")."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.replace(",", " ").split()
    return list(value) if isinstance(value, list | tuple) else [value]


def _roles(value: Any, mapping: dict[str, str]) -> tuple[str, ...]:
    found = []
    for raw in _values(value):
        role = mapping.get(str(raw), str(raw))
        if role in ROLES and role not in found:
            found.append(role)
    return tuple(sorted(found, key=ROLES.index))
