from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
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
