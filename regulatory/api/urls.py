from rest_framework.routers import DefaultRouter

from regulatory.api.views import AlarmViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("alarms", AlarmViewSet, basename="alarm")

urlpatterns = router.urls
