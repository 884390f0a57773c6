"""/api/v1/: each app contributes its routes from ``<app>/api/urls.py``."""

from django.urls import include, path

urlpatterns = [
    path("", include("incidents.api.urls")),
    path("", include("teams.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("spareparts.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("messaging.api.urls")),
    path("", include("regulatory.api.urls")),
    path("", include("dispatch.api.urls")),
]
