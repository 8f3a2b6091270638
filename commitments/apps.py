from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commitments"
    verbose_name = "Commitment tracking"

    def ready(self) -> None:
        # Connects the audit log's receivers for sign-in signals.
        from . import security  # noqa: F401
