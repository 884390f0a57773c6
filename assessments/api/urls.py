from rest_framework.routers import DefaultRouter

from assessments.api.views import (
    AssessmentViewSet,
    CorrectiveActionViewSet,
    DrillViewSet,
    SurveyViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# The nested prefixes first: "assessments/<id>/" only matches digits.
router.register(
    "assessments/corrective-actions", CorrectiveActionViewSet, basename="corrective-action"
)
router.register("assessments/surveys", SurveyViewSet, basename="survey")
router.register("assessments/drills", DrillViewSet, basename="drill")
router.register("assessments", AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
