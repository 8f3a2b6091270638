from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commitments"
    verbose_name = "Commitment tracking"

    def ready(self) -> None:
        # Registers the `matches` lookup the list's search uses (commitments/search.py).
        from . import search  # noqa: F401
