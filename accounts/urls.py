from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.profile, name="profile"),
    path("keys/<int:pk>/revoke/", views.revoke_key, name="api_key_revoke"),
]
