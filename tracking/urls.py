from django.urls import path

from tracking import views

app_name = "tracking"

urlpatterns = [
    # The customer's page: short (it goes in an SMS) and public.
    path("t/<str:token>/", views.page, name="page"),
    path("tracking/incidents/<int:pk>/eta/", views.set_eta, name="set_eta"),
    path(
        "tracking/incidents/<int:pk>/complaint-outcome/",
        views.approve_outcome,
        name="approve_outcome",
    ),
]
