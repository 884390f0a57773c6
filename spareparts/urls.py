from django.urls import path

from spareparts import views

app_name = "spareparts"

urlpatterns = [
    path("", views.stock, name="stock"),
    path("parts/<int:pk>/", views.part_detail, name="part"),
    path("parts/<int:pk>/adjust/", views.part_adjust, name="part_adjust"),
    path("parts/<int:pk>/reorder/", views.part_reorder, name="part_reorder"),
    path("alerts/<int:pk>/ack/", views.alert_ack, name="alert_ack"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/<str:action>/", views.transfer_action, name="transfer_action"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order_action"),
    path("requests/<int:pk>/<str:action>/", views.request_action, name="request_action"),
    path("stocktakes/", views.stocktakes, name="stocktakes"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake"),
    path("stocktakes/<int:pk>/<str:action>/", views.stocktake_action, name="stocktake_action"),
    path("trace/", views.trace, name="trace"),
    path("incidents/<int:pk>/<str:action>/", views.incident_parts, name="incident_parts"),
    path("returns/<int:pk>/received/", views.unit_return_received, name="unit_return_received"),
]
