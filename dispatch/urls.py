from django.urls import path

from dispatch import views

app_name = "dispatch"

urlpatterns = [
    path("incidents/<int:pk>/candidates/", views.candidates, name="candidates"),
    path("technicians/", views.technician_list, name="technicians"),
    path("technicians/<int:user_id>/", views.technician_skills, name="skills"),
    path("skills/<int:pk>/remove/", views.remove_skill, name="remove_skill"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_setup, name="team"),
]
