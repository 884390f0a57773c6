from django.urls import path

from assessments.views import actions, customer_tasks, drills, evaluation, incident, public

app_name = "assessments"

urlpatterns = [
    path("", evaluation.evaluation, name="evaluation"),
    path("evaluation/incidents/", evaluation.evaluation_incidents, name="evaluation_incidents"),
    path("evaluation/export.<str:fmt>", evaluation.evaluation_export, name="evaluation_export"),
    path("incidents/<int:pk>/", incident.assessment, name="assessment"),
    path("incidents/<int:pk>/actions/", incident.add_action, name="add_action"),
    path("incidents/<int:pk>/print/", incident.assessment_print, name="assessment_print"),
    path("incidents/<int:pk>/assessment.pdf", incident.assessment_pdf, name="assessment_pdf"),
    path("incidents/<int:pk>/report/", incident.service_report, name="service_report"),
    path("incidents/<int:pk>/report.pdf", incident.service_report_pdf, name="service_report_pdf"),
    path("incidents/<int:pk>/sign/", incident.sign, name="sign"),
    path("incidents/<int:pk>/signoff/", incident.signoff, name="signoff"),
    path(
        "incidents/<int:pk>/technician-signoff/",
        incident.technician_signoff,
        name="technician_signoff",
    ),
    path("incidents/<int:pk>/survey-sent/", incident.survey_sent, name="survey_sent"),
    path("actions/", actions.action_list, name="actions"),
    path("actions/<int:pk>/status/", actions.action_status, name="action_status"),
    path("drills/", drills.drill_list, name="drills"),
    path("drills/new/", drills.drill_create, name="drill_create"),
    path("drills/<int:pk>/", drills.drill_detail, name="drill"),
    path("survey/<str:token>/", public.survey, name="survey"),
    path("customer-tasks/", customer_tasks.task_list, name="customer_tasks"),
    path("customer-tasks/<int:pk>/", customer_tasks.record_call, name="record_call"),
]
