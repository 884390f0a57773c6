from django.urls import path

from teams import roster, views

app_name = "teams"

urlpatterns = [
    path("", views.team_list, name="list"),
    path("<int:pk>/directives/", views.team_directives, name="directives"),
    path("<int:pk>/roster/", roster.roster, name="roster"),
    path(
        "<int:pk>/roster/rotations/<int:rotation_id>/delete/",
        roster.delete_rotation,
        name="delete_rotation",
    ),
    path(
        "<int:pk>/roster/overrides/<int:override_id>/delete/",
        roster.delete_override,
        name="delete_override",
    ),
    path("<int:pk>/roster/shifts/<int:shift_id>/delete/", roster.delete_shift, name="delete_shift"),
]
