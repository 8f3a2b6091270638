from django.apps import AppConfig


class ReadoutsConfig(AppConfig):
    """The readout importer: a meeting's joint statement or readout, the candidate commitments
    found in it, and their review. Accepted candidates become commitments through the domain's
    services; the engine (`finder` and the modules of its stages) is plain Python beside it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "readouts"
    verbose_name = "Readout importer"
