from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Plumbing for running in production: health, request log, request limits, JSON logs, the
    audit log's writer and the pages shown when the database is down. Knows nothing of the
    domain."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "Operations"
