from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    path("", views.home, name="home"),
    path("g/<slug:slug>/", views.group_dashboard, name="group_dashboard"),
    path("g/<slug:slug>/commitments/", views.commitment_list, name="commitment_list"),
    path(
        "g/<slug:slug>/commitments/<str:reference>/",
        views.commitment_detail,
        name="commitment_detail",
    ),
    path(
        "g/<slug:slug>/commitments/<str:reference>/follow-ups/",
        views.follow_up_create,
        name="follow_up_create",
    ),
    path(
        "g/<slug:slug>/commitments/<str:reference>/status/",
        views.commitment_status,
        name="commitment_status",
    ),
    path("g/<slug:slug>/meetings/<int:number>/", views.meeting_detail, name="meeting_detail"),
    path("g/<slug:slug>/areas/<slug:area_slug>/", views.area_detail, name="area_detail"),
]
