from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.profile, name="profile"),
    path("keys/<int:pk>/revoke/", views.revoke_key, name="api_key_revoke"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mfa/", views.mfa_enrol, name="mfa_enrol"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
]
