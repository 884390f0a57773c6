from django.urls import path
from rest_framework.routers import DefaultRouter

from spareparts.api.views import DepotViewSet, IncidentPartsView, PartViewSet, StockViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("parts", PartViewSet, basename="part")
router.register("depots", DepotViewSet, basename="depot")
router.register("stock", StockViewSet, basename="stock")

urlpatterns = [
    *router.urls,
    path("incidents/<int:pk>/parts/", IncidentPartsView.as_view(), name="incident-parts"),
]
