from django.urls import path

from dispatch.api.views import IncidentCandidatesView

urlpatterns = [
    path(
        "incidents/<int:pk>/candidates/",
        IncidentCandidatesView.as_view(),
        name="incident-candidates",
    ),
]
