"""The roles (Django groups) and the permissions each one carries.

Permissions are checked in the services; views and templates only use them to decide what
to show. ``sync_roles`` runs after every migrate, so groups always match this table.
"""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

DISPATCHER = "dispatcher"
MANAGER = "manager"
TECHNICIAN = "technician"
LOGISTICS = "logistics"
LEGAL = "legal"
INTEGRATION = "integration"
CUSTOMER_SERVICE = "customer_service"  # surveys, return visits (回访), complaint outcomes

ALL_ROLES = (DISPATCHER, MANAGER, TECHNICIAN, LOGISTICS, LEGAL, INTEGRATION, CUSTOMER_SERVICE)
# What a person reads for each role (the group names stay the stable English codes).
ROLE_LABELS = {
    DISPATCHER: _("Dispatcher"),
    MANAGER: _("Manager"),
    TECHNICIAN: _("Technician"),
    LOGISTICS: _("Logistics"),
    LEGAL: _("Legal and compliance"),
    INTEGRATION: _("Integration (API only)"),
    CUSTOMER_SERVICE: _("Customer service"),
}

_DESK = [
    "incidents.view_incident",
    "incidents.view_all_incidents",
    "incidents.report_incident",
    "incidents.confirm_incident",
    "incidents.dispatch_incident",
    "incidents.change_incident",
    "incidents.close_incident",
    "incidents.regrade_incident",
    "incidents.view_directive",
    "teams.view_team",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    DISPATCHER: _DESK,
    MANAGER: [*_DESK, "incidents.work_incident", "teams.view_dutyshift"],
    TECHNICIAN: ["incidents.view_incident"],
    LOGISTICS: ["incidents.view_incident", "incidents.view_all_incidents", "teams.view_team"],
    LEGAL: ["incidents.view_incident", "incidents.view_all_incidents", "teams.view_team"],
    INTEGRATION: [*_DESK],
    CUSTOMER_SERVICE: [
        "incidents.view_incident",
        "incidents.view_all_incidents",
        "teams.view_team",
    ],
}


def extend_role(role: str, perms: list[str]) -> None:
    """Other apps add their permissions to a role at import time (in their AppConfig.ready)."""
    ROLE_PERMISSIONS.setdefault(role, [])
    for perm in perms:
        if perm not in ROLE_PERMISSIONS[role]:
            ROLE_PERMISSIONS[role].append(perm)


def sync_roles(**kwargs) -> None:
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found:
                wanted.append(found)
        group.permissions.set(wanted)


def roles_of(user) -> set[str]:
    """The user's role names, read once per user object (one per request), like Django's
    permission cache: every template rendered in a request asks, panels included."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_names"):
        user._role_names = frozenset(user.groups.values_list("name", flat=True))
    return set(user._role_names)


def primary_role(user) -> str:
    """The role whose home page the user lands on."""
    if user.is_superuser:
        return MANAGER
    roles = roles_of(user)
    for role in (MANAGER, DISPATCHER, CUSTOMER_SERVICE, TECHNICIAN, LOGISTICS, LEGAL, INTEGRATION):
        if role in roles:
            return role
    return ""


def role_labels(user) -> list[str]:
    """The user's roles in the reader's language, in the order of ``ALL_ROLES``."""
    roles = roles_of(user)
    return [str(ROLE_LABELS[role]) for role in ALL_ROLES if role in roles]


def is_system_account(user) -> bool:
    """An account for an integration (a telematics platform, a CRM): API keys only."""
    return not user.is_superuser and roles_of(user) == {INTEGRATION}
