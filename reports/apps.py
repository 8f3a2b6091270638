from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """What leaves the tracker: exports of the commitments list (CSV, XLSX), each member's
    private calendar feed and weekly digest, and (with the outcomes) the briefing pack. Reads
    through the domain's selectors and its public list filters; writes only through services."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Reports and data exchange"
