"""Sign-in, sign-out and password change: Django's views with our templates. Two-step sign-in:
the code page, the settings page (authenticator app and passkeys), and django-otp-webauthn's
passkey endpoints with our session rules."""

from __future__ import annotations

import logging

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.utils import rewrite_exceptions

from ops.audit import audit

from . import mfa, passkeys
from .forms import LoginForm, OneTimeCodeForm, PasswordChangeForm
from .security import lockout_response


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_ACCOUNTS:
            # Development only: the published demo logins, so a newcomer can sign in at once.
            context["demo_accounts"] = settings.DEMO_ACCOUNT_LIST
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, throttled and audited like a sign-in: a wrong current password
    counts as a failed sign-in in django-axes (so the same limits and the same pause page
    apply), and every attempt is in the audit log."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")
    form_class = PasswordChangeForm

    def post(self, request, *args, **kwargs):
        credentials = {"username": request.user.get_username()}
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials):
            audit(
                "password change refused: locked out",
                request,
                username=credentials["username"],
                level=logging.WARNING,
            )
            return lockout_response(request, credentials=credentials)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        audit("password changed", self.request, username=self.request.user.get_username())
        return super().form_valid(form)

    def form_invalid(self, form):
        request = self.request
        username = request.user.get_username()
        if form.has_error("old_password", "password_incorrect"):
            audit("password change failed", request, username=username, level=logging.WARNING)
            if settings.AXES_ENABLED:
                AxesProxyHandler.user_login_failed(
                    sender=type(self),
                    credentials={"username": username, "password": "********"},
                    request=request,
                )
        else:
            audit("password change refused: new password invalid", request, username=username)
        form.focus_first_error()
        return super().form_invalid(form)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


# --------------------------------------------------------------------------- second factor


def _next(request) -> str:
    """Where to go after the second factor: a local path from ?next=, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    owed = mfa.pending(request)
    if owed == "enrol":
        return redirect(f"{reverse('accounts:mfa_setup')}?{urlencode({'next': _next(request)})}")
    if owed is None:
        return HttpResponseRedirect(_next(request))
    user = request.user
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify(user, form.cleaned_data["code"])
        if device is not None:
            mfa.complete(request, device)
            audit("mfa verified", request, username=user.get_username(), device=device.name)
            return HttpResponseRedirect(_next(request))
        audit("mfa failed", request, username=user.get_username(), level=logging.WARNING)
        form.add_error(
            "code",
            "That code is not right, or was already used. Wait for the next code and try "
            "again (each wrong code makes the next try wait a little longer).",
        )
    if form.errors:
        form.focus_first_error()
    has_passkey = mfa.passkeys(user).exists()
    has_totp = mfa.has_totp(user)
    if has_passkey and not form.errors:
        # The passkey's button comes first: the code field is the way round.
        form.fields["code"].widget.attrs.pop("autofocus", None)
    if not has_totp:
        form.fields["code"].label = "Recovery code"
        form.fields["code"].help_text = ""  # what it is: in the note under the button
    next_url = _next(request)
    return render(
        request,
        "registration/mfa_verify.html",
        {
            "form": form,
            "next": next_url,
            "has_passkey": has_passkey,
            "has_totp": has_totp,
            "passkey_config": passkeys.script_config(request, next_url) if has_passkey else None,
            "passkeys_usable": passkeys.usable_here(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm with a code;
    then 10 recovery codes, shown once. A session that owes its second factor must give it
    first (a password alone never replaces an enrolled authenticator)."""
    if mfa.pending(request) == "verify":
        return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': _next(request)})}")
    user = request.user
    device = mfa.totp_pending_device(user, request.session.get(mfa.SETUP_DEVICE))
    if device is None:
        device = mfa.totp_start(user)
        request.session[mfa.SETUP_DEVICE] = device.pk
    form = OneTimeCodeForm(request.POST or None)
    # The page starts with passkeys: focus goes to the code field only to show its error.
    form.fields["code"].widget.attrs.pop("autofocus", None)
    form.fields["code"].help_text = "The 6-digit code the app shows now."
    if request.method == "POST" and form.is_valid():
        codes = mfa.totp_confirm(device, form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(mfa.SETUP_DEVICE, None)
            mfa.complete(request, device)
            audit("mfa enrolled", request, username=user.get_username())
            return render(
                request,
                "registration/mfa_recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        audit("mfa enrolment failed", request, username=user.get_username())
        form.add_error("code", "That code is not right. Check the app shows this account.")
    if form.errors:
        form.focus_first_error()
    next_url = _next(request)
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr": mfa.qr_data_uri(device),
            "secret": mfa.secret_base32(device),
            "next": next_url,
            "required": mfa.mfa_required(user),
            "enrolling": mfa.pending(request) == "enrol",
            "has_totp": mfa.has_totp(user),
            "passkeys": mfa.passkeys(user),
            "codes_left": mfa.recovery_codes_left(user),
            "passkeys_usable": passkeys.usable_here(request),
            "passkey_config": passkeys.script_config(request, next_url),
        },
    )


@login_required
@require_http_methods(["GET"])
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes made when a first passkey was added, shown once (the passkey is
    added by a script, which then opens this page); without them, the settings page."""
    codes = request.session.pop(mfa.NEW_CODES, None)
    if not codes:
        return redirect(f"{reverse('accounts:mfa_setup')}?{urlencode({'next': _next(request)})}")
    return render(
        request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": _next(request)}
    )


@login_required
@require_POST
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of your passkeys (anyone else's: 404). The last second factor of an account
    that must have one stays: add another first."""
    credential = mfa.passkey_for_user(request.user, pk)
    if credential is None:
        raise Http404("No such passkey.")
    username = request.user.get_username()
    if mfa.passkey_remove(credential):
        audit("passkey removed", request, username=username, passkey=pk)
        messages.success(request, "The passkey was removed.")
    else:
        audit("passkey removal refused: last second factor", request, username=username)
        messages.error(
            request,
            "This is your only second step and your account needs one: add another passkey "
            "or an authenticator app first, then remove this one.",
        )
    return redirect(f"{reverse('accounts:mfa_setup')}?{urlencode({'next': _next(request)})}")


# --------------------------------------------------------------------------- passkey endpoints
# django-otp-webauthn's views (JSON, called by its scripts), with our rules: a session that
# owes its second factor may not add a passkey (a password alone never adds a factor); the
# writes go through accounts.mfa in a transaction; completing a ceremony settles what the
# session owes (mfa.complete: new session key, django-otp's login) and is audited. Passwordless
# sign-in is off (settings), so an anonymous request gets 403 from the library.

# py_webauthn's reason for refusing a response, logged where django-otp-webauthn logs it.
WEBAUTHN_LOG = logging.getLogger("django_otp_webauthn")
NOT_VERIFIED = "Finish signing in first (a code or a passkey you already have), then add a passkey."


class _RegistrationRules:
    def _check_user_verified(self, user) -> None:
        # The library asks django-otp's middleware (user.is_verified()), which we do not run:
        # a session's state is mfa.pending, decided at sign-in (no query per request).
        if mfa.pending(self.request) == "verify":
            raise webauthn_errors.NotVerified(detail=NOT_VERIFIED)


class PasskeyRegisterBegin(_RegistrationRules, webauthn_views.BeginCredentialRegistrationView):
    pass


class PasskeyRegisterComplete(
    _RegistrationRules, webauthn_views.CompleteCredentialRegistrationView
):
    def post(self, *args, **kwargs):
        request = self.request
        user = self.get_user()
        state = self.get_state()
        with rewrite_exceptions(logger=WEBAUTHN_LOG):
            device, codes = mfa.passkey_register(
                self.get_helper(), user=user, state=state, data=request.data
            )
        mfa.complete(request, device)
        audit("passkey added", request, username=user.get_username(), passkey=device.pk)
        back = urlencode({"next": _next(request)})
        if codes:
            request.session[mfa.NEW_CODES] = codes
            return JsonResponse(
                {"id": device.pk, "redirect_url": f"{reverse('accounts:mfa_codes')}?{back}"}
            )
        messages.success(request, "Passkey added. You can use it at your next sign-in.")
        return JsonResponse(
            {"id": device.pk, "redirect_url": f"{reverse('accounts:mfa_setup')}?{back}"}
        )

    def handle_exception(self, exc):
        if isinstance(exc, webauthn_errors.OTPWebAuthnApiError) and exc.code != "user_not_verified":
            audit(
                "passkey enrolment failed",
                self.request,
                username=self.request.user.get_username(),
                reason=exc.code,
            )
        return super().handle_exception(exc)


class PasskeyVerifyBegin(webauthn_views.BeginCredentialAuthenticationView):
    pass


class PasskeyVerifyComplete(webauthn_views.CompleteCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        request = self.request
        user = self.get_user()
        state = self.get_state()
        with rewrite_exceptions(logger=WEBAUTHN_LOG):
            device = mfa.passkey_verify(
                self.get_helper(), user=user, state=state, data=request.data
            )
        self.check_device_usable(device)
        mfa.complete(request, device)
        audit("mfa verified", request, username=user.get_username(), device=device.name)
        return JsonResponse({"id": device.pk, "redirect_url": _next(request)})

    def handle_exception(self, exc):
        user = self.request.user
        if isinstance(exc, webauthn_errors.OTPWebAuthnApiError) and user.is_authenticated:
            audit(
                "mfa failed",
                self.request,
                username=user.get_username(),
                level=logging.WARNING,
                device=mfa.PASSKEY_NAME,
                reason=exc.code,
            )
        return super().handle_exception(exc)
