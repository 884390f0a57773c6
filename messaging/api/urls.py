from django.urls import path

from messaging.api.views import IncidentMessageList

urlpatterns = [
    path(
        "incidents/<int:pk>/messages/",
        IncidentMessageList.as_view(),
        name="incident-messages",
    ),
]
