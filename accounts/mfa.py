"""Multi-factor authentication: TOTP (an authenticator app) with 10 single-use recovery codes,
on django-otp, behind our own sign-in (django-axes throttles the password step in front).

Why django-otp and not django-allauth's MFA: allauth's MFA works only inside allauth's own
login flow, which would replace our sign-in, its throttling and its audit; django-otp adds a
second step to the login we have. Passkeys come from its WebAuthn plug-in, django-otp-webauthn:
a passkey is one more django-otp device (accounts/passkeys.py has its settings, the views its
endpoints), so it counts as a second factor wherever an authenticator app does.

MFA_REQUIRED says who must have a second factor:
* "nobody": only those who enrolled use one (the default with DEBUG, so the demo accounts sign
  in with a password);
* "coordinators": coordinators of any group, staff and superusers (the production default);
* "everyone".

After the password, a session whose user must (or chose to) use a second factor and has not
yet given it reaches only the verify and enrol pages and sign-out (`MFAGateMiddleware`); the
admin refuses it too.
"""

from __future__ import annotations

import base64
import hashlib

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn.models import WebAuthnCredential
from webauthn.helpers import parse_authentication_credential_json

CHOICES = ("nobody", "coordinators", "everyone")
RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
PASSKEY_NAME = "Passkey"


def _is_coordinator(user) -> bool:
    """Whether the user coordinates a working group: asked of the domain through a setting
    (plumbing imports nothing of the domain)."""
    return bool(import_string(settings.MFA_COORDINATOR_TEST)(user))


def mfa_required(user) -> bool:
    """Whether this user must use a second factor under MFA_REQUIRED."""
    policy = settings.MFA_REQUIRED
    if not user.is_authenticated or policy == "nobody":
        return False
    if policy == "everyone":
        return True
    return user.is_superuser or user.is_staff or _is_coordinator(user)


def has_second_factor(user) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


# Session key: what the session still owes after the password ("verify" or "enrol"). Decided
# once at sign-in, so ordinary requests cost no query.
PENDING = "tracker_mfa_pending"


def owed_at_sign_in(user) -> str | None:
    """What a fresh session of this user owes: "verify" (they have a second factor), "enrol"
    (they must have one and have none), or None."""
    if has_second_factor(user):
        return "verify"
    if mfa_required(user):
        return "enrol"
    return None


def pending(request) -> str | None:
    """What this signed-in session still owes ("verify", "enrol"), or None."""
    session = getattr(request, "session", None)
    if session is None or PENDING not in session:
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return session[PENDING]


def start_session(request, user) -> None:
    """At sign-in: note what the session owes."""
    owed = owed_at_sign_in(user)
    if owed:
        request.session[PENDING] = owed
    else:
        request.session.pop(PENDING, None)


def complete(request, device) -> None:
    """The second factor was given (or enrolled): the session owes nothing more."""
    request.session.pop(PENDING, None)
    request.session.cycle_key()
    django_otp.login(request, device)


# --------------------------------------------------------------------------- writes

# Session key: the unconfirmed authenticator being enrolled.
SETUP_DEVICE = "tracker_mfa_setup_device"


def totp_pending_device(user, pk) -> TOTPDevice | None:
    if pk is None:
        return None
    return TOTPDevice.objects.filter(pk=pk, user=user, confirmed=False).first()


@transaction.atomic
def totp_start(user) -> TOTPDevice:
    """The user's unconfirmed authenticator (a new secret each time enrolment starts over)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def totp_confirm(device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code from it; on success, replace any older one and
    return 10 new single-use recovery codes (shown once)."""
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_reset(device.user)


@transaction.atomic
def recovery_codes_reset(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(user, token: str):
    """The device the code belongs to (the authenticator for 6 digits, else a recovery code,
    which is then used up), or None. A TOTP code is refused a second time (django-otp keeps the
    last time step used), and each device slows down repeated failures (django-otp's
    throttling: 1 s, 2 s, 4 s... after each failure)."""
    token = "".join(token.split()).lower()
    totp = token.isdigit() and len(token) == 6
    # for_verify locks the devices (SELECT ... FOR UPDATE), so that two requests cannot use one
    # code or dodge the throttling: it needs the transaction (PostgreSQL refuses it outside).
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, TOTPDevice) == totp and device.verify_token(token):
                return device
    return None


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG in a data: URI (our CSP allows data:
    images, and no script is needed to draw it)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_base32(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in by hand."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --------------------------------------------------------------------------- passkeys

# Session key: recovery codes made when a first passkey was added, until the page that shows
# them once (the passkey is added by a script, which then opens that page).
NEW_CODES = "tracker_mfa_new_codes"


def passkeys(user):
    """The user's passkeys, oldest first."""
    return WebAuthnCredential.objects.filter(user=user).order_by("created_at", "pk")


def passkey_for_user(user, pk: int) -> WebAuthnCredential | None:
    """One of the user's own passkeys (None for anyone else's)."""
    return passkeys(user).filter(pk=pk).first()


def has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def passkey_register(helper, *, user, state: dict, data: dict):
    """Keep a new passkey once django-otp-webauthn's helper has checked its attestation
    (py_webauthn: the challenge this session was given, the origin, the relying party ID, the
    public key). Returns the passkey and, when the user has no recovery code left, 10 new ones
    to show once (as enrolling an authenticator app does); else None."""
    try:
        with transaction.atomic():
            device = helper.register_complete(user=user, state=state, data=data)
    except IntegrityError:
        # The same credential again (a browser excludes the user's own; a crafted request
        # may not): its hash is unique.
        raise webauthn_errors.UnprocessableEntity(
            code="credential_exists", detail="This passkey is already registered."
        ) from None
    device.name = PASSKEY_NAME
    device.save(update_fields=["name"])
    codes = None if recovery_codes_left(user) else recovery_codes_reset(user)
    return device, codes


def passkey_verify(helper, *, user, state: dict, data: dict):
    """The user's passkey that signed this session's challenge, or an error of
    django-otp-webauthn's (which its views answer as JSON). The passkey's row is locked first,
    so that two requests cannot both pass the sign-count check with one signature."""
    credential_id = parse_authentication_credential_json(data).raw_id
    digest = hashlib.sha256(credential_id).hexdigest()
    with transaction.atomic():
        list(WebAuthnCredential.objects.select_for_update().filter(credential_id_sha256=digest))
        return helper.authenticate_complete(user=user, state=state, data=data)


@transaction.atomic
def passkey_remove(credential: WebAuthnCredential) -> bool:
    """Remove a passkey. Refused (False) when it is the user's last second factor and
    MFA_REQUIRED requires one of them. Removing the last one when none is required also
    removes the recovery codes: two-step sign-in is then off."""
    user = credential.user
    # One removal at a time per user, so two cannot each leave the other as the last one.
    get_user_model()._default_manager.select_for_update().filter(pk=user.pk).first()
    others = passkeys(user).exclude(pk=credential.pk).exists() or has_totp(user)
    if not others and mfa_required(user):
        return False
    credential.delete()
    if not others:
        StaticDevice.objects.filter(user=user).delete()
    return True
