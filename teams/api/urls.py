from rest_framework.routers import DefaultRouter

from teams.api.views import DutyShiftViewSet, TeamViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("teams", TeamViewSet, basename="team")
router.register("duty-shifts", DutyShiftViewSet, basename="duty-shift")

urlpatterns = router.urls
