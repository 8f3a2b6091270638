from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("two-factor/", views.mfa_verify, name="mfa_verify"),
    path("two-factor/setup/", views.mfa_setup, name="mfa_setup"),
    path("two-factor/codes/", views.mfa_recovery_codes, name="mfa_codes"),
    path("two-factor/passkeys/<int:pk>/remove/", views.passkey_remove, name="passkey_remove"),
    # django-otp-webauthn's JSON endpoints, called by its scripts (see accounts/passkeys.py).
    path(
        "two-factor/passkeys/register/begin/",
        views.PasskeyRegisterBegin.as_view(),
        name="passkey_register_begin",
    ),
    path(
        "two-factor/passkeys/register/complete/",
        views.PasskeyRegisterComplete.as_view(),
        name="passkey_register_complete",
    ),
    path(
        "two-factor/passkeys/verify/begin/",
        views.PasskeyVerifyBegin.as_view(),
        name="passkey_verify_begin",
    ),
    path(
        "two-factor/passkeys/verify/complete/",
        views.PasskeyVerifyComplete.as_view(),
        name="passkey_verify_complete",
    ),
]
