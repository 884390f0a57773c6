"""The incident timeline's one writer (the append-only audit trail).

One builder per event kind defines that kind's ``data`` once and returns the event unsaved
(``timeline.confirmed(incident, actor=..., at=...)``); ``write(events)`` inserts any number
of them in one statement, inside the caller's transaction. No other code builds an
``IncidentEvent``: the report, the transitions, the escalation sweep, the stock moves and
the other apps' notes all come through here.

Words the system writes are kept as a message id with parameters (``Said``), so each reader
sees them in their language (``IncidentEvent.display_text``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db.models import Q
from django.utils.translation import override

from incidents.models import EventKind, Incident, IncidentEvent, render_said

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from incidents.models import Directive, IncidentPhoto


class Said:
    """Words the system writes on a timeline, kept as their message id and parameters so
    each reader sees them in their own language; the event's ``text`` holds them in
    LANGUAGE_CODE for the API and exports. Mark the id with ``gettext_noop`` so
    makemessages finds it; parameters must be JSON values."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid, self.params = msgid, params


def write(events: Iterable[IncidentEvent]) -> list[IncidentEvent]:
    """Insert ``events`` (one statement; their ids are set). Call inside the transaction of
    the change they record, so the event exists exactly when the change does."""
    return IncidentEvent.objects.bulk_create(list(events))


def _event(
    incident: Incident,
    kind: str,
    *,
    actor: User | None,
    at: datetime,
    data: dict | None = None,
    text: str | Said = "",
) -> IncidentEvent:
    if isinstance(text, Said):
        data = {**(data or {}), "said": [text.msgid, text.params]}
        with override(settings.LANGUAGE_CODE):
            text = render_said(text.msgid, text.params)
    return IncidentEvent(
        incident=incident, kind=kind, actor=actor, created_at=at, data=data or {}, text=text
    )


# --- the lifecycle ---------------------------------------------------------------------


def reported(incident: Incident, *, actor: User | None, at: datetime) -> IncidentEvent:
    data = {
        "grade": incident.grade,
        "channel": incident.channel,
        "reported_at": incident.reported_at.isoformat(),
    }
    return _event(incident, EventKind.REPORTED, actor=actor, at=at, data=data)


def confirmed(
    incident: Incident, *, actor: User | None, at: datetime, note: str = ""
) -> IncidentEvent:
    late = max(0, int((at - incident.confirm_deadline).total_seconds()))
    return _event(
        incident, EventKind.CONFIRMED, actor=actor, at=at, data={"late_seconds": late}, text=note
    )


def dispatched(
    incident: Incident,
    *,
    actor: User | None,
    at: datetime,
    assignee: User | None,
    team: Any,
    note: str = "",
) -> IncidentEvent:
    data = {
        "assignee": assignee.pk if assignee else None,
        "assignee_name": (assignee.get_full_name() or assignee.username) if assignee else "",
        "team": team.pk if team else None,
        "team_name": team.name if team else "",
        "team_name_zh": team.name_zh if team else "",
    }
    return _event(incident, EventKind.DISPATCHED, actor=actor, at=at, data=data, text=note)


def arrived(
    incident: Incident, *, actor: User | None, at: datetime, note: str = ""
) -> IncidentEvent:
    return _event(incident, EventKind.ARRIVED, actor=actor, at=at, text=note)


def resolved(
    incident: Incident, *, actor: User | None, at: datetime, resolution: str
) -> IncidentEvent:
    return _event(incident, EventKind.RESOLVED, actor=actor, at=at, text=resolution)


def closed(
    incident: Incident, *, actor: User | None, at: datetime, note: str = ""
) -> IncidentEvent:
    return _event(incident, EventKind.CLOSED, actor=actor, at=at, text=note)


def cancelled(
    incident: Incident, *, actor: User | None, at: datetime, reason: str
) -> IncidentEvent:
    return _event(incident, EventKind.CANCELLED, actor=actor, at=at, text=reason)


def regraded(
    incident: Incident, *, actor: User | None, at: datetime, old: str, reason: str = ""
) -> IncidentEvent:
    data = {"from": old, "to": incident.grade}
    return _event(incident, EventKind.REGRADED, actor=actor, at=at, data=data, text=reason)


def updated(
    incident: Incident, *, actor: User | None, at: datetime, changed: dict[str, list]
) -> IncidentEvent:
    """``changed``: field -> [old, new]. The customer's name and phone are recorded as
    changed without their values (``None``): the timeline outlives an erasure."""
    data = {"changed": redact_changes(changed)}
    return _event(incident, EventKind.UPDATED, actor=actor, at=at, data=data)


# The customer's personal data: an edit's diff names these fields but keeps no value.
PERSONAL_FIELDS = ("customer_name", "customer_phone")


def redact_changes(changed: dict) -> dict:
    return {k: (None if k in PERSONAL_FIELDS else v) for k, v in changed.items()}


def scrub_personal_diffs(events=None) -> int:
    """Drop the values of personal fields from the diffs of ``events`` (default: every
    "details changed" event) written before diffs were redacted. Returns how many events
    changed; safe to run again."""
    events = IncidentEvent.objects.all() if events is None else events
    candidates = events.filter(kind=EventKind.UPDATED).filter(
        Q(data__changed__has_key="customer_name") | Q(data__changed__has_key="customer_phone")
    )
    scrubbed = 0
    for pk, data in candidates.values_list("pk", "data").iterator(chunk_size=500):
        changed = data.get("changed") or {}
        if all(changed.get(k) is None for k in PERSONAL_FIELDS):
            continue
        data = {**data, "changed": redact_changes(changed)}
        # The one edit of a written event: its personal values go (IncidentEvent is
        # append-only through save(); a queryset update is this module's to make).
        IncidentEvent.objects.filter(pk=pk).update(data=data)
        scrubbed += 1
    return scrubbed


def note(
    incident: Incident,
    *,
    actor: User | None,
    at: datetime,
    text: str | Said,
    links: dict | None = None,
) -> IncidentEvent:
    """A note, by a person or the system; ``links`` name the rows it is about
    (``{"assessment": 7}``)."""
    return _event(incident, EventKind.NOTE, actor=actor, at=at, data=links, text=text)


def photo(incident: Incident, *, actor: User | None, at: datetime, photo: IncidentPhoto):
    data = {"photo": photo.pk}
    return _event(incident, EventKind.PHOTO, actor=actor, at=at, data=data, text=photo.caption)


def directive_issued(
    incident: Incident, directive: Directive, *, actor: User | None, at: datetime
) -> IncidentEvent:
    data = {
        "directive": directive.pk,
        "team": directive.team.pk,
        "team_name": directive.team.name,
        "team_name_zh": directive.team.name_zh,
    }
    return _event(
        incident, EventKind.DIRECTIVE, actor=actor, at=at, data=data, text=directive.instruction
    )


def directive_progress(
    directive: Directive, *, actor: User | None, at: datetime, text: str = ""
) -> IncidentEvent:
    data = {
        "directive": directive.pk,
        "team_name": directive.team.name,
        "team_name_zh": directive.team.name_zh,
        "status": directive.status,
    }
    return _event(
        directive.incident, EventKind.DIRECTIVE_UPDATED, actor=actor, at=at, data=data, text=text
    )


# --- escalation --------------------------------------------------------------------------


def escalated(
    incident: Incident,
    *,
    at: datetime,
    target: str,
    level: int,
    step: int,
    reminder: bool,
    due_at: datetime,
    late_seconds: int,
    chain: str,
    superseded: Sequence[int] = (),
) -> IncidentEvent:
    """An occurrence of an escalation chain fired (by the system). The ``report`` chain
    (HQ told of a Level I report) is a notification, not an escalation."""
    kind = EventKind.NOTIFIED if target == "report" else EventKind.ESCALATED
    data = {
        "level": level,
        "target": target,
        "step": step,
        "reminder": reminder,
        "due_at": due_at.isoformat(),
        "fired_at": at.isoformat(),
        "step_late_seconds": round((at - due_at).total_seconds(), 3),
        "late_seconds": late_seconds,
        "chain": chain,
        "superseded": list(superseded),
    }
    return _event(incident, kind, actor=None, at=at, data=data)


# --- spare parts -------------------------------------------------------------------------


class _Part(Protocol):
    pk: Any
    sku: str
    name: str
    name_zh: str


class _Depot(Protocol):
    pk: Any
    code: str
    name: str
    name_zh: str


PART_KINDS = (
    EventKind.PART_RESERVED,
    EventKind.PART_RELEASED,
    EventKind.PART_ISSUED,
    EventKind.PART_RETURNED,
)


def part_moved(
    incident: Incident,
    kind: str,
    *,
    actor: User | None,
    at: datetime,
    part: _Part,
    depot: _Depot,
    quantity: int,
    lots: Sequence[str] = (),
    reason: str = "",
    said_reason: str | None = None,
    move_id: int | None = None,
) -> IncidentEvent:
    """A parts move for the job (``kind``: one of PART_KINDS). The text holds what reads
    the same in every language (quantity, SKU, serials) and the reason; the part's and the
    depot's names, in both languages, are in ``data`` for the line the timeline shows under
    the event. ``said_reason``: the message id of a reason the system gave (with a
    ``%(line)s`` placeholder), so each reader sees it in their language."""
    if kind not in PART_KINDS:
        raise ValueError(f"not a parts move: {kind}")
    serials = [lot for lot in lots if lot]
    data: dict[str, Any] = {
        "part": part.sku,
        "part_id": part.pk,
        "part_name": part.name,
        "part_name_zh": part.name_zh,
        "depot": depot.code,
        "depot_id": depot.pk,
        "depot_name": depot.name,
        "depot_name_zh": depot.name_zh,
        "quantity": quantity,
        "lots": serials,
        "move": move_id,
    }
    line = f"{quantity} × {part.sku}" + (f" ({', '.join(serials)})" if serials else "")  # noqa: RUF001
    if said_reason:
        data["said"] = [said_reason, {"line": line}]
    text = f"{line} — {reason}" if reason else line
    return _event(incident, kind, actor=actor, at=at, data=data, text=text)


# --- for callers not on a builder yet ----------------------------------------------------


def record_event(
    incident: Incident,
    kind: str,
    *,
    actor: User | None = None,
    now: datetime | None = None,
    data: dict | None = None,
    text: str | Said = "",
) -> IncidentEvent:
    """Write one event of ``kind`` now (the other apps' notes pass the rows they are about
    as ``data``). Call it inside the caller's transaction. New code: use a builder."""
    from django.utils import timezone

    event = _event(incident, kind, actor=actor, at=now or timezone.now(), data=data, text=text)
    write([event])
    return event
