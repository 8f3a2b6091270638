from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in, sign-out, password change, throttling and session rules. Knows nothing of the
    domain."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Connects the audit log's receivers for sign-in signals.
        from . import security  # noqa: F401
