"""The escalation engine: clocks per incident and target, and the sweep that fires them.

Design (docs/escalation.md): the database is the source of truth. Each running clock is an
``EscalationState`` row whose ``next_due_at`` is the due time of its next occurrence (a
step of the chain snapshot, then reminders). The sweep claims due rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` in batches, and in the same transaction writes the
``EscalationFire`` rows, the ``escalated`` timeline events, the outbox notifications, the
incident's ``escalation_level`` (a conditional UPDATE) and the advanced clock. Racing sweeps
skip each other's rows; a sweep that dies rolls back and its rows are claimed again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import refcache
from core.db import accelerated
from core.exceptions import Conflict
from core.types import Actor
from escalation.models import (
    EscalationChain,
    EscalationFire,
    EscalationState,
    EscalationStep,
    Outcome,
    SupersededReason,
    Target,
)
from incidents import access, timeline
from incidents.models import OPEN_STATUSES, Grade, Incident

# Which milestone ends the clock of each target, and which clock it starts.
NEXT_TARGET = {Target.CONFIRM: Target.ARRIVE, Target.ARRIVE: Target.RESOLVE}
# The clocks that follow the incident's grade and milestones. Other clocks (an app above
# starts them with a chain of its own, e.g. a report owed to a regulator) keep their chain
# and deadline through a regrade and are not acknowledged away.
MILESTONE_TARGETS = (Target.CONFIRM, Target.ARRIVE, Target.RESOLVE)


@dataclass(frozen=True)
class Occurrence:
    level: int
    audiences: list[str]
    is_reminder: bool


@dataclass(frozen=True)
class FiredStep:
    """What the notification layer needs about one occurrence that fired."""

    incident: Incident
    target: str
    seq: int
    level: int
    audiences: list[str]
    is_reminder: bool
    due_at: datetime
    fired_at: datetime
    deadline: datetime
    superseded: tuple[int, ...] = ()  # occurrences a catch-up merged into this one

    @property
    def step_key(self) -> str:
        return f"{self.target}:{self.seq}"

    @property
    def late_seconds(self) -> int:
        return max(0, int((self.fired_at - self.deadline).total_seconds()))


# --- the chain snapshot as data ----------------------------------------------------------


def due_of(snapshot: dict, deadline: datetime, seq: int) -> datetime | None:
    """Due time of occurrence ``seq`` (1-based): the steps, then reminders; None after the
    last one."""
    steps = snapshot.get("steps") or []
    if not steps:
        return None
    if seq <= len(steps):
        return deadline + timedelta(minutes=steps[seq - 1]["delay_minutes"])
    repeat = snapshot.get("repeat_every_minutes")
    if not repeat:
        return None
    last = steps[-1]["delay_minutes"]
    return deadline + timedelta(minutes=last + (seq - len(steps)) * repeat)


def occurrence(snapshot: dict, seq: int) -> Occurrence:
    steps = snapshot["steps"]
    if seq <= len(steps):
        return Occurrence(seq, list(steps[seq - 1]["audiences"]), False)
    audiences = snapshot.get("repeat_audiences") or steps[-1]["audiences"]
    return Occurrence(len(steps), list(audiences), True)


def chain_for(grade: str, target: str) -> tuple[EscalationChain, dict] | None:
    """The active chain of ``grade`` and ``target`` and its snapshot, from the
    reference-data cache (shared: do not change the snapshot in place)."""
    return refcache.get(("escalation-chain", grade, target), lambda: _load_chain(grade, target))


def _load_chain(grade: str, target: str) -> tuple[EscalationChain, dict] | None:
    steps = list(
        EscalationStep.objects.filter(
            chain__grade=grade, chain__target=target, chain__is_active=True
        ).select_related("chain")
    )
    if not steps:
        return None
    chain = steps[0].chain
    return chain, chain.snapshot(steps)


# --- clocks ---------------------------------------------------------------------------------


def new_clock(
    incident: Incident,
    target: str,
    *,
    deadline: datetime,
    now: datetime,
    chain: EscalationChain | None = None,
) -> EscalationState | None:
    """An unsaved clock for ``target`` from a snapshot of the active chain (of the
    incident's grade, or ``chain`` when the caller chose one), or None when no chain
    applies."""
    if chain is not None:
        found: tuple[EscalationChain, dict] | None = (chain, chain.snapshot())
    else:
        found = chain_for(incident.grade, target)
    if found is None:
        return None
    chain, snapshot = found
    return EscalationState(
        incident=incident,
        target=target,
        chain=chain,
        snapshot=snapshot,
        deadline=deadline,
        started_at=now,
        next_seq=1,
        next_due_at=due_of(snapshot, deadline, 1),
        fired_count=0,
        last_fired_seq=0,
        ended_at=None,
        end_reason="",
    )


def start_clock(
    incident: Incident,
    target: str,
    *,
    deadline: datetime,
    now: datetime,
    new: bool = False,
    chain: EscalationChain | None = None,
) -> EscalationState | None:
    """Start (or restart) ``incident``'s clock for ``target`` from a snapshot of the active
    chain (or of ``chain``). Call inside the transition's transaction. Returns None when no
    chain applies. ``new``: the incident was created in this transaction (a plain INSERT
    will do)."""
    state = new_clock(incident, target, deadline=deadline, now=now, chain=chain)
    if state is None:
        return None
    if new:  # the incident was created in this transaction: it has no clock yet
        state.save(force_insert=True)
        return state
    # One INSERT ... ON CONFLICT DO UPDATE: a restarted clock starts over.
    EscalationState.objects.bulk_create(
        [state],
        update_conflicts=True,
        unique_fields=["incident", "target"],
        update_fields=[
            "chain",
            "snapshot",
            "deadline",
            "started_at",
            "next_seq",
            "next_due_at",
            "fired_count",
            "last_fired_seq",
            "ended_at",
            "end_reason",
        ],
    )
    return state


def move_deadline(incident: Incident, target: str, *, deadline: datetime) -> int:
    """Move the deadline of ``incident``'s running clock for ``target``: its next occurrence
    falls due from the new deadline; occurrences already fired stay fired (none fires
    twice). Returns 1 if a running clock was moved, else 0."""
    state = (
        EscalationState.objects.select_for_update()
        .filter(incident=incident, target=target, ended_at__isnull=True)
        .first()
    )
    if state is None:
        return 0
    state.deadline = deadline
    state.next_due_at = due_of(state.snapshot, deadline, state.next_seq)
    if state.next_due_at is None:
        state.ended_at, state.end_reason = timezone.now(), "chain_done"
    state.save(update_fields=["deadline", "next_due_at", "ended_at", "end_reason"])
    return 1


def end_clocks(
    incident: Incident, *, reason: str, now: datetime, targets: list[str] | None = None
) -> int:
    """Stop ``incident``'s running clocks (all, or those of ``targets``)."""
    qs = EscalationState.objects.filter(incident=incident, ended_at__isnull=True)
    if targets is not None:
        qs = qs.filter(target__in=targets)
    return qs.update(next_due_at=None, ended_at=now, end_reason=reason)


def reset_level(incident: Incident) -> None:
    """A new clock starts from level 0: the incident is no longer escalated."""
    Incident.objects.filter(pk=incident.pk, escalation_level__gt=0).update(escalation_level=0)
    incident.escalation_level = 0


def alert_hq_now(incident: Incident, *, now: datetime, new: bool = False) -> int:
    """Level I: fire the ``report`` chain (HQ) inside the reporting transaction. ``new``:
    the incident was created in this transaction, so HQ cannot have been alerted yet."""
    if not new and EscalationState.objects.filter(incident=incident, target=Target.REPORT).exists():
        return 0
    state = start_clock(incident, Target.REPORT, deadline=now, now=now, new=new)
    if state is None or state.next_due_at is None:
        return 0
    state.incident = incident
    return _fire([state], now)


def recompute(incident: Incident, *, now: datetime) -> None:
    """After a regrade: re-snapshot each running clock from the new grade's chain and move
    its next due time to the new deadline. Occurrences already fired stay fired."""
    running = EscalationState.objects.select_for_update().filter(
        incident=incident, ended_at__isnull=True, target__in=MILESTONE_TARGETS
    )
    for state in running:
        found = chain_for(incident.grade, state.target)
        if found is None:
            state.next_due_at, state.ended_at, state.end_reason = None, now, "regraded"
        else:
            state.chain, state.snapshot = found
            state.deadline = getattr(incident, f"{state.target}_deadline")
            state.next_due_at = due_of(state.snapshot, state.deadline, state.next_seq)
        state.save(
            update_fields=[
                "chain",
                "snapshot",
                "deadline",
                "next_due_at",
                "ended_at",
                "end_reason",
            ]
        )
    if incident.grade == Grade.I:
        alert_hq_now(incident, now=now)


def acknowledge(
    incident: Incident, *, actor: Actor, now: datetime | None = None
) -> EscalationState:
    """A manager takes the escalation of the running clock in hand: its remaining steps and
    reminders stop (the milestone's deadline still counts). Confirming is the way to end a
    confirm clock, so this refuses one."""
    now = now or timezone.now()
    access.require_perm(actor, "incidents.dispatch_incident")
    with transaction.atomic():
        state = (
            EscalationState.objects.select_for_update()
            .filter(incident=incident, ended_at__isnull=True, target__in=MILESTONE_TARGETS)
            .order_by("-started_at")
            .first()
        )
        if state is None or state.fired_count == 0:
            raise Conflict(_("Nothing to acknowledge: the incident is not escalated."))
        if state.target == Target.CONFIRM:
            raise Conflict(_("Confirm the incident to end its escalation."))
        state.acknowledged_at, state.acknowledged_by = now, actor
        state.next_due_at, state.ended_at, state.end_reason = None, now, "acknowledged"
        state.save(
            update_fields=[
                "acknowledged_at",
                "acknowledged_by",
                "next_due_at",
                "ended_at",
                "end_reason",
            ]
        )
        said = timeline.Said(gettext_noop("Escalation acknowledged."))
        links = {"acknowledged": state.target}
        timeline.write([timeline.note(incident, actor=actor, at=now, text=said, links=links)])
    return state


# --- the sweep ------------------------------------------------------------------------------


# What the sweep reads of each due clock and its incident (not the report's long texts).
STATE_FIELDS = (
    "incident",
    "target",
    "snapshot",
    "deadline",
    "next_seq",
    "next_due_at",
    "fired_count",
    "last_fired_seq",
    "ended_at",
    "end_reason",
    *(
        f"incident__{f}"
        for f in (
            "number",
            "title",
            "grade",
            "status",
            "team",
            "assignee",
            "category",
            "reported_at",
            "confirm_deadline",
            "escalation_level",
        )
    ),
    "incident__category__owning_team_kind",
)


def escalate_due(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Fire every occurrence due at ``now`` (default: the clock, re-read per batch).

    Each batch is one transaction: claim up to ``batch_size`` due clocks with FOR UPDATE SKIP
    LOCKED (racing sweeps take disjoint rows), fire them, advance them. A clock whose next
    occurrences are all due (the sweep was not running) fires once: see ``plan``.
    Returns the number of occurrences fired.
    """
    batch_size = batch_size or settings.ESCALATION_BATCH_SIZE
    total = 0
    for _batch in range(100_000):
        at = now or timezone.now()
        with transaction.atomic():
            states = list(
                EscalationState.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_due_at__lte=at)
                .select_related("incident__category")
                .only(*STATE_FIELDS)
                .order_by("next_due_at")[:batch_size]
            )
            if not states:
                break
            total += _fire(states, at)
        # Loop even after a short batch: clocks fall due while a long sweep runs.
    return total


# A catch-up never looks further ahead than this many occurrences (weeks of reminders).
MAX_CATCH_UP = 10_000


@dataclass(frozen=True)
class CatchUp:
    """What a claimed clock fires now: ``seq`` (with ``audiences``), and the occurrences
    it supersedes (missed while the sweep was not running). ``last`` is the last due one."""

    seq: int
    audiences: list[str]
    superseded: list[tuple[int, datetime]]
    last: int


def plan(state: EscalationState, now: datetime) -> CatchUp:
    """The occurrences of ``state`` due at ``now``. One due: it fires. Several (an outage or
    a restart): the highest missed step fires once, or, if only reminders were missed, the
    latest reminder; the others are superseded. The one that fires addresses everyone the
    missed ones would have, so nobody who should know is left out and nobody is told twice."""
    snapshot, n_steps = state.snapshot, len(state.snapshot.get("steps") or [])
    # A claimed clock always has its next due time.
    due = [(state.next_seq, cast(datetime, state.next_due_at))]
    while len(due) < MAX_CATCH_UP:
        at = due_of(snapshot, state.deadline, due[-1][0] + 1)
        if at is None or at > now:
            break
        due.append((due[-1][0] + 1, at))
    steps = [seq for seq, _at in due if seq <= n_steps]
    chosen = max(steps) if steps else due[-1][0]
    audiences: list[str] = []
    for seq, _at in due:
        audiences += [a for a in occurrence(snapshot, seq).audiences if a not in audiences]
    return CatchUp(
        seq=chosen,
        audiences=audiences,
        superseded=[(seq, at) for seq, at in due if seq != chosen],
        last=due[-1][0],
    )


def _fire(states: list[EscalationState], now: datetime) -> int:
    """Fire what is due of each (locked) state. Runs inside the caller's atomic."""
    from notifications.services import notify_escalations

    fires, events, steps = [], [], []
    by_level: dict[int, list[int]] = defaultdict(list)
    for state in states:
        incident = state.incident
        if incident.status not in OPEN_STATUSES:
            state.next_due_at, state.ended_at, state.end_reason = None, now, "closed"
            continue
        todo = plan(state, now)
        seq = todo.seq
        # ``plan`` chose an occurrence that is due, so it has a due time.
        due = cast(datetime, due_of(state.snapshot, state.deadline, seq))
        occ = occurrence(state.snapshot, seq)
        level = 0 if state.target == Target.REPORT else occ.level
        step = FiredStep(
            incident,
            state.target,
            seq,
            level,
            todo.audiences,
            occ.is_reminder,
            due,
            now,
            state.deadline,
            tuple(missed for missed, _at in todo.superseded),
        )
        steps.append(step)
        fires.append(_ledger_row(state, seq, level, due, now))
        fires.extend(
            _ledger_row(state, missed, level, at, now, superseded_by=seq)
            for missed, at in todo.superseded
        )
        events.append(
            timeline.escalated(
                incident,
                at=now,
                target=state.target,
                level=level,
                step=seq,
                reminder=occ.is_reminder,
                due_at=due,
                late_seconds=step.late_seconds,
                chain=state.snapshot.get("name", ""),
                superseded=[missed for missed, _at in todo.superseded],
            )
        )
        if level:
            by_level[level].append(incident.pk)
        state.next_seq = todo.last + 1
        state.fired_count += 1
        state.last_fired_seq = seq
        state.next_due_at = due_of(state.snapshot, state.deadline, todo.last + 1)
        if state.next_due_at is None:
            state.ended_at, state.end_reason = now, "chain_done"
    _insert_fires(fires)
    timeline.write(events)
    for level, ids in by_level.items():
        # Conditional: never lowers the level, and a replay writes nothing.
        Incident.objects.filter(pk__in=ids, escalation_level__lt=level).update(
            escalation_level=level
        )
    _save_states(states)
    notify_escalations(steps, now=now)
    return len(steps)


def _ledger_row(state, seq, level, due, now, *, superseded_by=None) -> EscalationFire:
    """The ledger row of occurrence ``seq``: fired now, or superseded by another."""
    is_reminder = occurrence(state.snapshot, seq).is_reminder
    return EscalationFire(
        state=state,
        incident=state.incident,
        target=state.target,
        seq=seq,
        level=level if superseded_by is None else _level_of(state, seq),
        is_reminder=is_reminder,
        due_at=due,
        fired_at=now,
        outcome=Outcome.FIRED if superseded_by is None else Outcome.SUPERSEDED,
        superseded_by=superseded_by,
        reason="" if superseded_by is None else SupersededReason.CATCH_UP,
    )


def _level_of(state, seq) -> int:
    return 0 if state.target == Target.REPORT else occurrence(state.snapshot, seq).level


def _insert_fires(fires: list[EscalationFire]) -> None:
    if accelerated():
        from escalation import bulk_pg

        bulk_pg.insert_fires(fires)
    else:
        EscalationFire.objects.bulk_create(fires)


def _save_states(states: list[EscalationState]) -> None:
    if accelerated():
        from escalation import bulk_pg

        bulk_pg.save_states(states)
    else:
        EscalationState.objects.bulk_update(
            states,
            ["next_seq", "next_due_at", "fired_count", "last_fired_seq", "ended_at", "end_reason"],
        )
