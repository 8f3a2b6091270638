"""Sign-in, sign-out and password change: Django's views with our templates."""

from __future__ import annotations

import logging

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from ops.audit import audit

from . import mfa
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
    return render(request, "registration/mfa_verify.html", {"form": form, "next": _next(request)})


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
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr": mfa.qr_data_uri(device),
            "secret": mfa.secret_base32(device),
            "next": _next(request),
            "required": mfa.mfa_required(user),
        },
    )
