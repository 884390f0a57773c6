"""Directives (指令下达): the tasks HQ gives each response group, and their progress."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.types import Actor
from incidents import timeline
from incidents.exceptions import DirectiveClosed
from incidents.models import (
    Directive,
    DirectiveNote,
    DirectiveStatus,
    Grade,
    Incident,
)
from teams.models import RESPONSE_GROUP_KINDS, TeamKind
from teams.querysets import active_team_by_kind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ACTIVE_DIRECTIVE = (DirectiveStatus.OPEN, DirectiveStatus.ACKNOWLEDGED, DirectiveStatus.IN_PROGRESS)

DIRECTIVE_TARGET: dict[str, str] = {  # which deadline a group's directive is due at
    TeamKind.HQ: "confirm",
    TeamKind.CUSTOMER_SERVICE: "confirm",
    TeamKind.TECH_SUPPORT: "arrive",
    TeamKind.LOGISTICS: "arrive",
    TeamKind.LEGAL: "resolve",
}


def _instruction(kind: str, incident: Incident) -> str:
    texts: dict[str, str] = {
        TeamKind.HQ: _("Take command of %(n)s: set the response, assign the groups, report up."),
        TeamKind.TECH_SUPPORT: _("Diagnose and repair %(n)s; send a technician or remote help."),
        TeamKind.CUSTOMER_SERVICE: _("Keep the customer of %(n)s informed; log every contact."),
        TeamKind.LOGISTICS: _("Get parts, tools and transport ready for %(n)s."),
        TeamKind.LEGAL: _("Assess the legal exposure of %(n)s and advise HQ."),
        TeamKind.SERVICE_CENTRE: _("Handle %(n)s and report progress to HQ."),
        TeamKind.PARTNER: _("Handle %(n)s and report progress to HQ."),
    }
    return texts[kind] % {"n": incident.number}


def directive_text(directive: Directive) -> str:
    """The directive's instruction in the reader's language when it is the standard one
    issued automatically (stored in LANGUAGE_CODE); an instruction HQ wrote stays as is."""
    kind = directive.team.kind
    with override(settings.LANGUAGE_CODE):
        standard = _instruction(kind, directive.incident)
    if directive.instruction == standard:
        return _instruction(kind, directive.incident)
    return directive.instruction


def directive_kinds_for(incident: Incident) -> list[str]:
    """Level I: HQ and every response group. Level II: the groups the category concerns.
    Level III: the category's owning group only."""
    if incident.grade == Grade.I:
        return [TeamKind.HQ, *RESPONSE_GROUP_KINDS]
    if incident.grade == Grade.II:
        kinds = list(incident.category.concerned_team_kinds or [])
        return kinds or [incident.category.owning_team_kind]
    return [incident.category.owning_team_kind]


def issue_directives(incident: Incident, *, actor: Actor, now: datetime) -> list[Directive]:
    """Create the directives ``incident``'s grade calls for that do not exist yet (after a
    regrade), with their timeline events: one INSERT for each kind of row."""
    existing = set(incident.directives.values_list("team_id", flat=True))
    directives = new_directives(incident, actor=actor, now=now, existing=existing)
    if not directives:
        return []
    word_directives(incident, directives)
    Directive.objects.bulk_create(directives)
    timeline.write(timeline.directive_issued(incident, d, actor=actor, at=now) for d in directives)
    return directives


def new_directives(
    incident: Incident, *, actor: Actor, now: datetime, existing: Collection[int] = frozenset()
) -> list[Directive]:
    """Unsaved directives for the groups ``incident``'s grade calls for, except the teams in
    ``existing``. Their instructions embed the incident number: ``word_directives()`` once
    the incident has it."""
    teams = active_team_by_kind()
    directives = []
    for kind in directive_kinds_for(incident):
        team = teams.get(kind)
        if team is None or team.pk in existing:
            continue
        due = getattr(incident, f"{DIRECTIVE_TARGET.get(kind, 'resolve')}_deadline")
        directives.append(
            Directive(incident=incident, team=team, due_at=due, created_at=now, created_by=actor)
        )
    return directives


def word_directives(incident: Incident, directives: Sequence[Directive]) -> None:
    """Write the standard instruction into each directive, in LANGUAGE_CODE (the reader's
    language is chosen at display time: ``directive_text()``)."""
    with override(settings.LANGUAGE_CODE):
        for directive in directives:
            directive.instruction = _instruction(directive.team.kind, incident)


def report_directive_progress(
    directive: Directive, *, actor: User, text: str = "", status: str | None = None, now=None
) -> Directive:
    """A group reports progress on its directive, optionally moving its status."""
    now = now or timezone.now()
    if status is not None and status not in DirectiveStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    text = (text or "").strip()
    if not text and status is None:
        raise ValidationError({"text": [_("Write the progress first.")]})
    is_member = actor.memberships.filter(team_id=directive.team_id).exists()
    if not (is_member or actor.has_perm("incidents.dispatch_incident")):
        raise PermissionDenied(_("Only the group or HQ can report on this directive."))
    with transaction.atomic():
        locked = Directive.objects.select_for_update().get(pk=directive.pk)
        if locked.status in (DirectiveStatus.DONE, DirectiveStatus.CANCELLED):
            raise DirectiveClosed(locked.get_status_display())
        if status and status != locked.status:
            locked.status = status
            locked.completed_at = now if status == DirectiveStatus.DONE else None
            locked.save(update_fields=["status", "completed_at"])
        if text:
            DirectiveNote.objects.create(directive=locked, author=actor, text=text, created_at=now)
        timeline.write([timeline.directive_progress(locked, actor=actor, at=now, text=text)])
    return locked
