"""Sign-in, sign-out and password change: Django's views with our templates."""

from __future__ import annotations

import logging

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from ops.audit import audit

from .forms import LoginForm, PasswordChangeForm
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
