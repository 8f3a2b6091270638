"""What every model module shares: the choices check and the group-scoped queryset."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ..rules import http_url_validator


def choices_check(field: str, choices: type[models.TextChoices], name: str):
    """A CheckConstraint that the database uses to refuse a value outside `choices`."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class HttpURLField(models.URLField):
    """A web address (http or https). Only our validator: URLField's own would check the same
    address again and give a second message for one mistake."""

    default_validators = [http_url_validator]
