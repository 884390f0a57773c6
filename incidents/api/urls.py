from rest_framework.routers import DefaultRouter

from incidents.api.views import CategoryViewSet, IncidentViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("incidents", IncidentViewSet, basename="incident")
router.register("categories", CategoryViewSet, basename="category")

urlpatterns = router.urls
