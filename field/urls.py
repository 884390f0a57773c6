from django.urls import path

from field import views

app_name = "field"

urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("sync/", views.sync, name="sync"),
    path("jobs/<int:pk>/<slug:kind>/", views.act, name="act"),
    path("jobs.json", views.jobs_data, name="jobs"),
    path("map/", views.map_page, name="map"),
    path("map/data.json", views.map_points, name="map_data"),
]
