"""A software passkey for the tests: what a browser and an authenticator send back to the
WebAuthn endpoints, made here from a P-256 key (cryptography) and CBOR (cbor2), per the
WebAuthn Level 3 specification: attestation "none" for a registration, a signed assertion for
a sign-in. Nothing is mocked on the server's side: django-otp-webauthn and py_webauthn check
these responses as they would a real authenticator's."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

# Authenticator data flags.
USER_PRESENT = 0x01
USER_VERIFIED = 0x04
ATTESTED_CREDENTIAL = 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class SoftPasskey:
    """One passkey on a software authenticator, for `origin` (the page's scheme and host)."""

    origin: str
    key: ec.EllipticCurvePrivateKey = field(default_factory=_new_key)
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    # What the authenticator counts; `counts=False` is a synced passkey, which always says 0.
    sign_count: int = 0
    counts: bool = True
    user_handle: bytes = b""
    rp_id: str = ""

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": challenge,
                "origin": origin or self.origin,
                "crossOrigin": False,
            }
        ).encode()

    def attestation(
        self, options: dict, *, origin: str | None = None, challenge: str | None = None
    ) -> dict:
        """The browser's answer to navigator.credentials.create(options) (options as the
        registration begin endpoint sends them), attestation format "none"."""
        self.rp_id = options["rp"]["id"]
        self.user_handle = unb64url(options["user"]["id"])
        client_data = self._client_data(
            "webauthn.create", challenge or options["challenge"], origin
        )
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([USER_PRESENT | USER_VERIFIED | ATTESTED_CREDENTIAL])
            + struct.pack(">I", self.sign_count)
            + bytes(16)  # AAGUID: zero, as most authenticators send it
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self.cose_public_key()
        )
        attestation_object = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return self._credential(
            {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation_object),
                "transports": ["internal"],
            },
            extensions={"credProps": {"rk": True}},
        )

    def assertion(
        self,
        options: dict,
        *,
        origin: str | None = None,
        challenge: str | None = None,
        sign_count: int | None = None,
    ) -> dict:
        """The browser's answer to navigator.credentials.get(options) (options as the
        authentication begin endpoint sends them): the authenticator data and the client data's
        hash, signed with the passkey's key. Each use counts one more, unless `counts` is off
        or `sign_count` says what to claim."""
        if sign_count is None:
            if self.counts:
                self.sign_count += 1
            sign_count = self.sign_count if self.counts else 0
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        auth_data = (
            hashlib.sha256(options.get("rpId", self.rp_id).encode()).digest()
            + bytes([USER_PRESENT | USER_VERIFIED])
            + struct.pack(">I", sign_count)
        )
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return self._credential(
            {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(self.user_handle),
            }
        )

    def _credential(self, response: dict, extensions: dict | None = None) -> dict:
        """A PublicKeyCredential as the browser serialises it, around its `response`."""
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": response,
            "clientExtensionResults": extensions or {},
        }


def stored_passkey(user, *, name: str = "Passkey", soft: SoftPasskey | None = None):
    """A passkey row for `user` without the ceremony (for tests that only need one to exist,
    or that sign with `soft` without going through the pages)."""
    from django_otp_webauthn.models import WebAuthnCredential

    soft = soft or SoftPasskey(origin="http://testserver")
    return WebAuthnCredential.objects.create(
        user=user,
        name=name,
        credential_id=soft.credential_id,
        public_key=soft.cose_public_key(),
        aaguid="00000000-0000-0000-0000-000000000000",
        transports=["internal"],
    )
