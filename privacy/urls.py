from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("reveal/<int:pk>/", views.reveal, name="reveal"),
    path("reveals/", views.reveal_log, name="reveal_log"),
    path("access/", views.access_report, name="access_report"),
]
