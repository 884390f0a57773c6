"""Every state change of an incident: the incidents app's public API.

Views, the REST API, admin actions, tasks and management commands call these functions and
nothing else to change an incident. Each runs in one transaction, checks the transition
against the locked row, writes its timeline event in the same transaction, and starts side
effects with ``transaction.on_commit``. The package is split by topic; import from here.
"""

from incidents.services import hooks, rules
from incidents.services.directives import (
    ACTIVE_DIRECTIVE,
    DIRECTIVE_TARGET,
    directive_kinds_for,
    directive_text,
    issue_directives,
    report_directive_progress,
)
from incidents.services.lifecycle import (
    add_note,
    add_photo,
    arrive_incident,
    cancel_incident,
    close_incident,
    confirm_incident,
    dispatch_incident,
    make_number,
    regrade_incident,
    report_incident,
    resolve_incident,
    update_incident,
)
from incidents.services.rules import (
    ACTION_PERMS,
    CLOCK_SKEW,
    EDITABLE_FIELDS,
    TRANSITIONS,
    Deadlines,
    allowed_actions,
    check_action,
    compute_deadlines,
    next_deadline_for,
    normalize_fields,
    policy_for,
)
from incidents.timeline import Said, record_event

__all__ = [
    "ACTION_PERMS",
    "ACTIVE_DIRECTIVE",
    "CLOCK_SKEW",
    "DIRECTIVE_TARGET",
    "EDITABLE_FIELDS",
    "TRANSITIONS",
    "Deadlines",
    "Said",
    "add_note",
    "add_photo",
    "allowed_actions",
    "arrive_incident",
    "cancel_incident",
    "check_action",
    "close_incident",
    "compute_deadlines",
    "confirm_incident",
    "directive_kinds_for",
    "directive_text",
    "dispatch_incident",
    "hooks",
    "issue_directives",
    "make_number",
    "next_deadline_for",
    "normalize_fields",
    "policy_for",
    "record_event",
    "regrade_incident",
    "report_directive_progress",
    "report_incident",
    "resolve_incident",
    "rules",
    "update_incident",
]
