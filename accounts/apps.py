from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    """Sign-in, sign-out, password change, throttling and session rules. Knows nothing of the
    domain."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Connects the audit log's receivers for sign-in signals.
        from . import security  # noqa: F401


class TrackerAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site: superusers only (accounts.admin_site). Named in
    INSTALLED_APPS by its path; AccountsConfig stays this module's default."""

    default = False
    default_site = "accounts.admin_site.TrackerAdminSite"
