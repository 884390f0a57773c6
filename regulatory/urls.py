from django.urls import path

from regulatory import views

app_name = "regulatory"
urlpatterns = [
    path("incidents/<int:pk>/start/", views.start, name="start"),
    path("incidents/<int:pk>/severe/", views.severe, name="severe"),
    path("reports/<int:pk>/", views.report, name="report"),
]
