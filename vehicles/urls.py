from django.urls import path

from vehicles import views

app_name = "vehicles"
urlpatterns = [
    path("<str:vin>/", views.vehicle_detail, name="detail"),
]
