from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.static import serve

from core import health
from core import views as core_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", core_views.home, name="home"),
    path("incidents/", include("incidents.urls")),
    path("teams/", include("teams.urls")),
    path("api/v1/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]

if not settings.PRODUCTION:
    # Uploaded photos; in production the front web server serves MEDIA_ROOT.
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", serve, {"document_root": settings.MEDIA_ROOT})
    )
