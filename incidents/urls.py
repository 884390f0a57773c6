from django.urls import path

from incidents import list_views, media, views

app_name = "incidents"

urlpatterns = [
    path("", list_views.incident_list, name="list"),
    path("bulk/", list_views.bulk_action, name="bulk"),
    path("export/<slug:fmt>/", list_views.export, name="export"),
    path("filters/", list_views.save_filter, name="save_filter"),
    path("filters/<int:pk>/delete/", list_views.delete_filter, name="delete_filter"),
    path("new/", views.incident_create, name="create"),
    path("new/deadlines/", views.deadline_preview, name="deadline_preview"),
    path("new/caller/", views.caller_history, name="caller_history"),
    path("new/validate/<slug:name>/", views.validate_field, name="validate_field"),
    path("mine/", views.my_jobs, name="my_jobs"),
    path("keyboard/", views.keyboard, name="keyboard"),
    path("go/", views.goto, name="goto"),
    # A serial number may contain "/": the path converter keeps it whole.
    path("asset/<path:asset_ref>/", views.asset_history, name="asset"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/edit/", views.incident_edit, name="edit"),
    path("<int:pk>/live/", views.incident_live, name="live"),
    path("<int:pk>/notes/", views.add_note, name="add_note"),
    path("<int:pk>/photos/", views.add_photo, name="add_photo"),
    path("<int:pk>/photos/<int:photo_id>/", media.photo, name="photo"),
    path("<int:pk>/<slug:action>/", views.incident_action, name="action"),
    path("directives/<int:pk>/progress/", views.directive_progress, name="directive_progress"),
]
