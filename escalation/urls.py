from django.urls import path

from escalation import views

app_name = "escalation"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("incidents/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("incidents/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
