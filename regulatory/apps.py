from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_VIEW = [
    "regulatory.view_regulatorycase",
    "regulatory.view_regulatoryreport",
    "regulatory.view_alarm",
    "regulatory.view_alarmcase",
]


class RegulatoryConfig(AppConfig):
    name = "regulatory"
    verbose_name = _("Regulatory reports and telematics alarms")

    def ready(self) -> None:
        from core import refcache, roles
        from escalation.labels import EXTRA_TARGETS
        from incidents.extensions import detail_panels
        from regulatory import panels
        from regulatory.models import AlarmRule, ReportKind, ReportRule

        for role in (roles.DISPATCHER, roles.MANAGER, roles.LEGAL):
            roles.extend_role(role, [*_VIEW, "regulatory.add_regulatorycase"])
        for role in (roles.MANAGER, roles.LEGAL):
            roles.extend_role(
                role,
                [
                    "regulatory.file_regulatoryreport",
                    "regulatory.view_reportrule",
                    "regulatory.view_alarmrule",
                ],
            )
        refcache.invalidate_on(AlarmRule)
        refcache.invalidate_on(ReportRule)
        for kind in ReportKind:
            EXTRA_TARGETS[kind.value] = kind.label
        if panels.detail_panel not in detail_panels:
            detail_panels.append(panels.detail_panel)
