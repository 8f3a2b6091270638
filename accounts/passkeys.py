"""Passkeys (WebAuthn) as a second factor, on django-otp-webauthn: where they are bound (the
relying party), which origins may use them, and what the browser script is told.

The relying party ID is the domain every passkey is bound to, for good: OTP_WEBAUTHN_RP_ID
when set (production: the site's domain), else the host name of the request (localhost in
development). The allowed origins are OTP_WEBAUTHN_ALLOWED_ORIGINS when set, else the
request's own scheme and host (a host Django accepted, from ALLOWED_HOSTS). A browser offers
passkeys only in a secure context: over HTTPS, or on localhost; and never for an IP address
such as 127.0.0.1.

The browser side is django-otp-webauthn's own prebuilt scripts, served as static files; they
read their configuration from a JSON data block (`json_script`), so nothing is inline.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.middleware import csrf
from django.urls import reverse
from django.utils.http import urlencode
from django_otp_webauthn.helpers import WebAuthnHelper


def rp_id(request: HttpRequest) -> str:
    """The relying party ID: OTP_WEBAUTHN_RP_ID, else the request's host name."""
    if settings.OTP_WEBAUTHN_RP_ID:
        return settings.OTP_WEBAUTHN_RP_ID
    domain, _port = split_domain_port(request.get_host())
    return domain.lower()


def usable_here(request: HttpRequest) -> bool:
    """Whether a browser on this address can use passkeys at all: a name, not an IP address,
    and a secure context (HTTPS, or localhost)."""
    domain = rp_id(request)
    try:
        ipaddress.ip_address(domain.strip("[]"))
    except ValueError:
        pass
    else:
        return False
    host, _port = split_domain_port(request.get_host())
    local = host == "localhost" or host.endswith(".localhost")
    return request.is_secure() or local


class PasskeyHelper(WebAuthnHelper):
    """django-otp-webauthn's helper, with the origins from the request when no setting names
    them (the library only reads a fixed list)."""

    def get_allowed_origins(self) -> list[str]:
        if settings.OTP_WEBAUTHN_ALLOWED_ORIGINS:
            return list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)
        return [f"{self.request.scheme}://{self.request.get_host()}"]


def script_config(request: HttpRequest, next_url: str) -> dict:
    """What django-otp-webauthn's scripts read from the `otp_webauthn_config` data block: its
    four endpoints (the registration's completion carries ?next= so that the page after it
    returns there), the CSRF token for their POSTs, and no passwordless sign-in."""
    after = f"?{urlencode({'next': next_url})}"
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("accounts:passkey_verify_begin"),
        "completeAuthenticationUrl": reverse("accounts:passkey_verify_complete"),
        "beginRegistrationUrl": reverse("accounts:passkey_register_begin"),
        "completeRegistrationUrl": reverse("accounts:passkey_register_complete") + after,
    }
