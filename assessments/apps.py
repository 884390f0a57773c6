from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_DESK = [
    "assessments.view_assessment",
    "assessments.add_assessment",
    "assessments.change_assessment",
    "assessments.view_correctiveaction",
    "assessments.add_correctiveaction",
    "assessments.change_correctiveaction",
    "assessments.view_survey",
    "assessments.change_survey",
    "assessments.view_signoff",
    "assessments.view_drill",
]


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("assessments")

    def ready(self) -> None:
        from assessments import panels
        from core import roles
        from incidents import extensions

        roles.extend_role(roles.DISPATCHER, _DESK)
        roles.extend_role(
            roles.MANAGER,
            [
                *_DESK,
                "assessments.view_evaluation",
                "assessments.add_drill",
                "assessments.change_drill",
                "assessments.add_signoff",
            ],
        )
        roles.extend_role(
            roles.INTEGRATION,
            [
                "assessments.view_assessment",
                "assessments.add_assessment",
                "assessments.change_assessment",
                "assessments.view_correctiveaction",
                "assessments.view_survey",
                "assessments.view_evaluation",
            ],
        )
        customer_care = [
            "assessments.view_survey",
            "assessments.view_customertask",
            "assessments.change_customertask",
        ]
        roles.extend_role(roles.MANAGER, customer_care)
        roles.extend_role(roles.CUSTOMER_SERVICE, [*customer_care, "assessments.view_assessment"])
        roles.extend_role(roles.TECHNICIAN, ["assessments.view_signoff"])
        roles.extend_role(roles.LEGAL, ["assessments.view_assessment"])
        for registry, panel in (
            (extensions.detail_panels, panels.detail_panel),
            (extensions.job_panels, panels.job_panel),
        ):
            if panel not in registry:
                registry.append(panel)
