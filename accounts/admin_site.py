"""The Django admin, for installation administrators only.

Coordinators run their working groups in the app itself; the admin edits every group and the
records all groups share (parties, agencies, people), so it is open to active superusers and to
nobody else. Any other signed-in user gets 403 on every admin URL (the request log audits it);
someone not signed in is sent to the app's own sign-in (with its throttling), never to the
admin's login form."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.common import no_append_slash

from . import mfa

REFUSED = "The administration is for installation administrators only."


class TrackerAdminSite(admin.AdminSite):
    site_header = "Commitment Tracker administration"
    site_title = "Commitment Tracker admin"
    index_title = "Records"

    def has_permission(self, request: HttpRequest) -> bool:
        """An active superuser whose session owes no second factor."""
        user = request.user
        return user.is_active and user.is_superuser and mfa.pending(request) is None

    def _refuse_or_sign_in(self, request: HttpRequest):
        """None when the request may use the admin; else the answer it gets."""
        if self.has_permission(request):
            return None
        if request.user.is_authenticated:
            raise PermissionDenied(REFUSED)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def guarded(request, *args, **kwargs):
            return self._refuse_or_sign_in(request) or inner(request, *args, **kwargs)

        return guarded

    @no_append_slash
    def catch_all_view(self, request, url):
        return self._refuse_or_sign_in(request) or super().catch_all_view(request, url)

    def login(self, request, extra_context=None):
        """Not the admin's own form: our sign-in, throttled and audited like every other."""
        refused = self._refuse_or_sign_in(request)
        if refused is not None:
            target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
            return redirect_to_login(target, settings.LOGIN_URL)
        return HttpResponseRedirect(reverse("admin:index", current_app=self.name))

    def logout(self, request, extra_context=None):
        return self._refuse_or_sign_in(request) or super().logout(request, extra_context)

    def password_change(self, request, extra_context=None):
        """Our password change page: throttled and audited like a sign-in."""
        return HttpResponseRedirect(reverse("accounts:password_change"))
