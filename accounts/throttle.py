"""Sign-in throttling beyond django-axes' per (username, address) limit.

Axes locks a username from one address out after LOGIN_FAILURE_LIMIT failures. That alone lets
an attacker spray one password over many usernames from one address, or try one username from
many addresses. `ThrottleHandler` adds two wider limits over the same cool-off window, counted
from axes' own attempt records:

* per username, from any address: LOGIN_FAILURE_LIMIT_PER_USERNAME (20);
* per address, for any username: LOGIN_FAILURE_LIMIT_PER_ADDRESS (30).

A locked request gets the same pause page whichever limit it hit, and whether or not the
username exists (axes counts failures for unknown usernames too), so nothing is learnt about
accounts from it."""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


class ThrottleHandler(AxesDatabaseHandler):
    def _recent_failures(self, request, **match) -> int:
        attempts = AccessAttempt.objects.filter(**match)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def over_wider_limits(self, request, credentials=None) -> bool:
        username = get_client_username(request, credentials)
        if username and (
            self._recent_failures(request, username=username)
            >= settings.LOGIN_FAILURE_LIMIT_PER_USERNAME
        ):
            return True
        address = getattr(request, "axes_ip_address", None)
        return bool(address) and (
            self._recent_failures(request, ip_address=address)
            >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
        )

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or (
            settings.AXES_LOCK_OUT_AT_FAILURE and self.over_wider_limits(request, credentials)
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if (
            request is not None
            and not getattr(request, "axes_locked_out", False)
            and settings.AXES_LOCK_OUT_AT_FAILURE
            and self.over_wider_limits(request, credentials)
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
