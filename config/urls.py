from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import health
from core.api import views as api_views
from escalation import metrics
from home import views as home_views
from incidents import media

urlpatterns = [
    # The integration API first: it takes most of the requests, and each URL pattern tried
    # before the match costs time.
    path("api/v1/", include("config.api_urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home_views.home, name="home"),
    path("incidents/", include("incidents.urls")),
    path("teams/", include("teams.urls")),
    path("spareparts/", include("spareparts.urls")),
    path("assessments/", include("assessments.urls")),
    path("", include("tracking.urls")),  # /t/<token>/ (the customer's page), /tracking/…
    path("dashboard/", include("escalation.urls")),
    path("notifications/", include("notifications.urls")),
    path("privacy/", include("privacy.urls")),
    path("vehicles/", include("vehicles.urls")),
    path("customers/", include("customers.urls")),
    path("messaging/", include("messaging.urls")),
    path("field/", include("field.urls")),
    path("regulatory/", include("regulatory.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's page carries one <style> element; its script is served apart (split view).
    path(
        "api/docs/",
        csp_update({"style-src-elem": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="swagger-ui",
    ),
    re_path(r"^api/", api_views.not_found),
    path("profile/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

# Uploads (photos, signatures), in every environment: only to users who may see the
# upload's incident; in production the front server sends the file (MEDIA_ACCEL_REDIRECT).
urlpatterns.append(path(f"{settings.MEDIA_URL.lstrip('/')}<path:name>", media.upload, name="media"))
