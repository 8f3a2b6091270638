"""The project's URLs plus the benchmark's one-query ceiling (bench settings only)."""

from django.urls import path

from tracker.urls import handler500  # noqa: F401
from tracker.urls import urlpatterns as project_urlpatterns

from . import views

urlpatterns = [
    path("bench/ceiling/<slug:slug>/", views.ceiling, name="bench_ceiling"),
    *project_urlpatterns,
]
