from django.urls import path

from spareparts.views import incident, purchasing, stock, stocktakes, trace, transfers

app_name = "spareparts"

urlpatterns = [
    path("", stock.stock, name="stock"),
    path("parts/<int:pk>/", stock.part_detail, name="part"),
    path("parts/<int:pk>/adjust/", stock.part_adjust, name="part_adjust"),
    path("parts/<int:pk>/reorder/", stock.part_reorder, name="part_reorder"),
    path("alerts/<int:pk>/ack/", stock.alert_ack, name="alert_ack"),
    path("transfers/", transfers.transfers, name="transfers"),
    path("transfers/<int:pk>/<str:action>/", transfers.transfer_action, name="transfer_action"),
    path("orders/", purchasing.orders, name="orders"),
    path("orders/<int:pk>/", purchasing.order_detail, name="order"),
    path("orders/<int:pk>/<str:action>/", purchasing.order_action, name="order_action"),
    path("requests/<int:pk>/<str:action>/", purchasing.request_action, name="request_action"),
    path("stocktakes/", stocktakes.stocktakes, name="stocktakes"),
    path("stocktakes/<int:pk>/", stocktakes.stocktake_detail, name="stocktake"),
    path("stocktakes/<int:pk>/<str:action>/", stocktakes.stocktake_action, name="stocktake_action"),
    path("trace/", trace.trace, name="trace"),
    path("jobs/<int:pk>/parts/", incident.job_card, name="job_card"),
    path("incidents/<int:pk>/<str:action>/", incident.incident_parts, name="incident_parts"),
    path("returns/<int:pk>/received/", incident.unit_return_received, name="unit_return_received"),
]
