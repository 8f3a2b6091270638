from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("g/<slug:slug>/", views.group_dashboard, name="group_dashboard"),
    path("g/<slug:slug>/meetings/<int:number>/", views.meeting_detail, name="meeting_detail"),
    path("g/<slug:slug>/areas/<slug:area_slug>/", views.area_detail, name="area_detail"),
    path(
        "g/<slug:slug>/commitments/<str:reference>/",
        views.commitment_detail,
        name="commitment_detail",
    ),
]
