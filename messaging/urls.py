from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("inbound/<slug:provider>/<str:token>/", views.inbound_reply, name="inbound"),
]
