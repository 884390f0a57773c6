"""The technician's phone syncs its queue of actions here: each is applied through the
incident services (arrive, note, photo, resolve) or, for another app's action (part used,
sign-off), through the service named in ``settings.FIELD_SYNC_HANDLERS``. No rule of those
services is repeated here; this module adds only what the phone brings: an idempotency key,
the phone's time and its position.

Time (``acted_time``). An action is recorded at the time the technician acted, the phone's
timestamp, bounded:

1. the phone's clock is compared with ours when the batch arrives (``sent_at``, the
   phone's clock at sending, against receipt). Within ``FIELD_CLOCK_SKEW_SECONDS`` (120 s
   by default: network latency of a slow sync, never a wrong clock) the phone's times are
   taken as they are; beyond it the phone's clock is wrong but its elapsed time is right, so
   every time of the batch is shifted by the measured offset (rule ``skew``);
2. never after the server received it (rule ``future``): no action is in the future;
3. never before the job's previous step (its report, confirmation, dispatch, arrival) or
   the technician's previous synced action on it (rule ``before_previous``): the order of
   events stays true.

Both the phone's time (``device_at``) and the server's (``received_at``) are kept on the
``SyncedAction`` with the time used (``acted_at``) and the rule that bounded it. ServiceNow's
mobile offline sync records the device time the same way.

Idempotency: every action carries a key from the phone; (user, key) is unique on
``SyncedAction``, written in the action's transaction, so a retry gets the first answer
(``duplicate``) and never applies the action twice. A user's actions are applied one at a
time (the user's row is locked for each), so two syncs of one queue racing from two tabs
cannot both apply an action.

Conflicts: the job was given to someone else, cancelled, resolved or closed meanwhile, or
its status no longer allows the action: the action is not applied; the answer says why and
a ``conflict`` row keeps the answer for a retry. An invalid action (a position of 0,0, an
accuracy of 50 km, no text) is ``rejected`` with field errors and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from core.types import Actor
from field import geo, messages
from field.models import ActionKind, LastPosition, Outcome, PositionStatus, SyncedAction
from incidents import access
from incidents import services as incident_services
from incidents.exceptions import InvalidTransition
from incidents.forms import PhotoForm
from incidents.models import Incident

# Kinds whose position is the technician's at the site: the arrival's distance is judged.
POSITIONED = {ActionKind.ARRIVE, ActionKind.RESOLVE, ActionKind.SIGN_OFF}


@dataclass(frozen=True)
class Position:
    latitude: Decimal
    longitude: Decimal
    accuracy_m: float


@dataclass
class QueuedAction:
    """One action of the phone's queue, as read from the request (``read_action``)."""

    key: str
    kind: str
    job: int
    device_at: datetime
    position_status: str
    position: Position | None
    data: dict
    fingerprint: str
    file: Any = None


@dataclass
class Answer:
    key: str
    status: str  # applied, duplicate, conflict, rejected
    message: str = ""
    errors: dict = field(default_factory=dict)
    record: SyncedAction | None = None

    def as_json(self) -> dict:
        out: dict[str, Any] = {"key": self.key, "status": self.status}
        if self.message:
            out["message"] = self.message
        if self.errors:
            out["errors"] = self.errors
        if self.record is not None:
            r = self.record
            out.update(
                job=r.incident_id,
                kind=r.kind,
                outcome=r.outcome,
                device_at=r.device_at.isoformat(),
                acted_at=r.acted_at.isoformat(),
                time_rule=r.time_rule,
                distance_m=r.distance_m,
                far=r.far,
            )
        return out


# --- reading the phone's input ----------------------------------------------------------


def _invalid(name: str, message: str) -> ValidationError:
    return ValidationError({name: [message]})


def check_position(raw: Any) -> tuple[str, Position | None]:
    """The position an action carries: ``{"status": "ok", "latitude", "longitude",
    "accuracy"}`` (WGS-84 degrees, metres), or ``{"status": "denied" | "unavailable"}`` when
    the technician refused or the phone had none (recorded, never blocking). Nonsense is
    refused: out of range, exactly 0,0 (a phone's empty fix), no accuracy, or an accuracy
    worse than ``FIELD_MAX_ACCURACY_M``."""
    if not raw:
        return PositionStatus.NONE, None
    if not isinstance(raw, dict):
        raise _invalid("position", _("The position could not be read."))
    status = raw.get("status") or PositionStatus.OK
    if status in (PositionStatus.DENIED, PositionStatus.UNAVAILABLE, PositionStatus.NONE):
        return status, None
    if status != PositionStatus.OK:
        raise _invalid("position", _("The position could not be read."))
    try:
        lat = Decimal(str(raw["latitude"])).quantize(Decimal("0.000001"))
        lon = Decimal(str(raw["longitude"])).quantize(Decimal("0.000001"))
        accuracy = float(raw["accuracy"])
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise _invalid("position", _("The position could not be read.")) from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _invalid(
            "position",
            _("A latitude is between -90 and 90 and a longitude between -180 and 180."),
        )
    if abs(lat) < Decimal("0.0001") and abs(lon) < Decimal("0.0001"):
        raise _invalid(
            "position", _("The position 0, 0 is not a real fix: switch location on and retry.")
        )
    if not accuracy > 0 or accuracy != accuracy:  # NaN, zero or negative
        raise _invalid("position", _("The position has no accuracy."))
    limit = settings.FIELD_MAX_ACCURACY_M
    if accuracy > limit:
        raise _invalid(
            "position",
            _("The position is accurate only to %(m)s m; at most %(max)s m is accepted.")
            % {"m": f"{accuracy:,.0f}", "max": f"{limit:,}"},
        )
    return PositionStatus.OK, Position(lat, lon, accuracy)


def parse_time(value: Any, name: str = "device_at") -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or timezone.is_naive(moment):
        raise _invalid(name, _("Send the time as ISO 8601 with its UTC offset."))
    return moment


def _fingerprint(raw: dict, file) -> str:
    body = {k: raw.get(k) for k in ("kind", "job", "device_at", "data", "position")}
    if file is not None:
        body["file"] = [getattr(file, "name", ""), getattr(file, "size", 0)]
    text = json.dumps(body, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def read_action(raw: Any, files=None) -> QueuedAction:
    """One queued action from the phone's JSON (and its file, for a photo); ValidationError
    says what is wrong with it."""
    if not isinstance(raw, dict):
        raise _invalid("action", _("Each action is an object."))
    key = str(raw.get("key") or "").strip()
    if not key or len(key) > 64 or not key.isprintable():
        raise _invalid("key", _("Each action needs a key of 1 to 64 characters."))
    kind = raw.get("kind")
    if kind not in ActionKind.values:
        raise _invalid("kind", _("Unknown action."))
    try:
        job = int(raw.get("job") or "")
    except (TypeError, ValueError) as exc:
        raise _invalid("job", _("Unknown job.")) from exc
    data = raw.get("data") or {}
    if not isinstance(data, dict):
        raise _invalid("data", _("The action's data could not be read."))
    file = files.get(f"file:{key}") if files is not None else None
    status, position = check_position(raw.get("position"))
    return QueuedAction(
        key=key,
        kind=kind,
        job=job,
        device_at=parse_time(raw.get("device_at")),
        position_status=status,
        position=position,
        data=data,
        fingerprint=_fingerprint(raw, file),
        file=file,
    )


# --- time -------------------------------------------------------------------------------


def clock_offset(sent_at: datetime | None, received_at: datetime) -> timedelta:
    """How far the phone's clock is behind ours, if past FIELD_CLOCK_SKEW_SECONDS; else 0."""
    if sent_at is None:
        return timedelta(0)
    offset = received_at - sent_at
    if abs(offset) <= timedelta(seconds=settings.FIELD_CLOCK_SKEW_SECONDS):
        return timedelta(0)
    return offset


def acted_time(
    device_at: datetime, *, received_at: datetime, offset: timedelta, floor: datetime | None
) -> tuple[datetime, str]:
    """The time an action is recorded at, and the rule that bounded it (module docstring)."""
    moment, rule = device_at + offset, "skew" if offset else ""
    if moment > received_at:
        moment, rule = received_at, "future"
    if floor is not None and moment < floor:
        moment, rule = floor, "before_previous"
    return moment, rule


def _floor(incident: Incident, user, batch_floor: datetime | None) -> datetime | None:
    steps = [
        incident.reported_at,
        incident.confirmed_at,
        incident.dispatched_at,
        incident.arrived_at,
        batch_floor,
        SyncedAction.objects.filter(incident=incident, user=user, outcome=Outcome.APPLIED)
        .order_by("-acted_at")
        .values_list("acted_at", flat=True)
        .first(),
    ]
    return max((s for s in steps if s is not None), default=None)


# --- the actions ------------------------------------------------------------------------

Handler = Callable[..., dict]


def _arrive(incident, *, actor, now, data, file) -> dict:
    incident_services.arrive_incident(incident, actor=actor, note=data.get("note", ""), now=now)
    return {}


def _resolve(incident, *, actor, now, data, file) -> dict:
    incident_services.resolve_incident(
        incident, actor=actor, resolution=str(data.get("resolution") or ""), now=now
    )
    return {}


def _note(incident, *, actor, now, data, file) -> dict:
    event = incident_services.add_note(
        incident, actor=actor, text=str(data.get("text") or ""), now=now
    )
    return {"event": event.pk}


def _photo(incident, *, actor, now, data, file) -> dict:
    # The page's photo form reads the image (core.images: header checked, metadata dropped).
    files = MultiValueDict({"image": [file]} if file else {})
    form = PhotoForm({"caption": data.get("caption") or ""}, files)
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    photo = incident_services.add_photo(
        incident,
        actor=actor,
        image=form.cleaned_data["image"],
        caption=form.cleaned_data["caption"],
        now=now,
    )
    return {"photo": photo.pk}


HANDLERS: dict[str, Handler] = {
    ActionKind.ARRIVE: _arrive,
    ActionKind.RESOLVE: _resolve,
    ActionKind.NOTE: _note,
    ActionKind.PHOTO: _photo,
}


def handler_for(kind: str) -> Handler:
    """The incident actions here; another app's (part used, sign-off) from
    ``settings.FIELD_SYNC_HANDLERS``: field sits below spareparts and assessments."""
    if kind in HANDLERS:
        return HANDLERS[kind]
    return import_string(settings.FIELD_SYNC_HANDLERS[kind])


def conflict_of(user, kind: str, incident: Incident) -> str:
    """Why ``kind`` may no longer be applied to ``incident`` by ``user`` (a message id of
    field.messages), or "" when nothing changed under the technician's feet."""
    if incident.status == "cancelled":
        return "cancelled"
    if not access.can(user, "own_job", incident):
        return "reassigned"
    if kind in (ActionKind.ARRIVE, ActionKind.RESOLVE) and incident.status in (
        "resolved",
        "closed",
    ):
        return incident.status
    return ""


def _conflict_from(exc: Exception, incident: Incident) -> str:
    if isinstance(exc, PermissionDenied):
        return "reassigned"
    if isinstance(exc, InvalidTransition) and exc.status in ("cancelled", "resolved", "closed"):
        return exc.status
    name = type(exc).__name__
    if name == "SignOffExists":
        return "signed"
    if name in ("NotEnoughStock", "StockError"):
        return "stock"
    return "not_allowed"


# --- syncing ----------------------------------------------------------------------------


def sync_actions(
    user,
    raws: list,
    *,
    files=None,
    sent_at: datetime | None = None,
    received_at: datetime | None = None,
) -> list[Answer]:
    """Apply the phone's queued actions in the order sent; one answer per action.

    Each action is applied in its own transaction (a refusal of one does not undo the
    others: they are separate things the technician did). Preconditions: ``user`` is
    authenticated. Locks: the user's row, per action (see the module docstring)."""
    received_at = received_at or timezone.now()
    offset = clock_offset(sent_at, received_at)
    floors: dict[int, datetime] = {}
    answers = []
    for raw in raws[: settings.FIELD_SYNC_MAX_ACTIONS]:
        key = str(raw.get("key") or "") if isinstance(raw, dict) else ""
        try:
            item = read_action(raw, files)
            answer = _apply(user, item, received_at=received_at, offset=offset, floors=floors)
        except ValidationError as exc:
            answer = Answer(key, "rejected", _("Not recorded: correct it and try again."))
            answer.errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        answers.append(answer)
    for raw in raws[settings.FIELD_SYNC_MAX_ACTIONS :]:
        key = str(raw.get("key") or "") if isinstance(raw, dict) else ""
        answers.append(Answer(key, "later", _("Too many actions at once: sent again next time.")))
    return answers


def _apply(user, item: QueuedAction, *, received_at, offset, floors) -> Answer:
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        existing = SyncedAction.objects.filter(user=user, key=item.key).first()
        if existing is not None:
            return _replay(existing, item)
        incident = access.restrict(Incident.objects.all(), user).filter(pk=item.job).first()
        if incident is None:
            raise _invalid("job", _("Unknown job."))
        acted_at, rule = acted_time(
            item.device_at,
            received_at=received_at,
            offset=offset,
            floor=_floor(incident, user, floors.get(incident.pk)),
        )
        record = SyncedAction(
            user=user,
            key=item.key,
            fingerprint=item.fingerprint,
            kind=item.kind,
            incident=incident,
            device_at=item.device_at,
            received_at=received_at,
            acted_at=acted_at,
            time_rule=rule,
            position_status=item.position_status,
        )
        _place(record, item.position, incident)
        reason = conflict_of(user, item.kind, incident)
        if not reason:
            try:
                with transaction.atomic():  # a refusal undoes the service's own writes only
                    record.result = handler_for(item.kind)(
                        incident, actor=user, now=acted_at, data=item.data, file=item.file
                    )
            except (Conflict, PermissionDenied) as exc:
                reason = _conflict_from(exc, incident)
        record.outcome = Outcome.CONFLICT if reason else Outcome.APPLIED
        record.message = reason
        record.save()
        if not reason:
            floors[incident.pk] = acted_at
            _remember_position(user, item.position, acted_at, incident)
    return _answer(record)


def _replay(existing: SyncedAction, item: QueuedAction) -> Answer:
    if existing.fingerprint != item.fingerprint:
        raise _invalid("key", _("This key was already used for another action."))
    answer = _answer(existing)
    answer.status = "duplicate"
    return answer


def _answer(record: SyncedAction) -> Answer:
    if record.outcome == Outcome.CONFLICT:
        return Answer(record.key, "conflict", messages.text(record.message), record=record)
    return Answer(record.key, "applied", record=record)


def _place(record: SyncedAction, position: Position | None, incident: Incident) -> None:
    if position is None:
        return
    record.latitude, record.longitude = position.latitude, position.longitude
    record.accuracy_m = position.accuracy_m
    if incident.latitude is None or incident.longitude is None:
        return
    metres = geo.distance_m(
        float(position.latitude),
        float(position.longitude),
        float(incident.latitude),
        float(incident.longitude),
    )
    record.distance_m = round(metres)
    record.far = record.kind == ActionKind.ARRIVE and metres > settings.FIELD_FAR_ARRIVAL_M


def _remember_position(user, position: Position | None, at: datetime, incident) -> None:
    if position is None:
        return
    values = {
        "latitude": position.latitude,
        "longitude": position.longitude,
        "accuracy_m": position.accuracy_m,
        "at": at,
        "incident": incident,
    }
    updated = LastPosition.objects.filter(user=user, at__lte=at).update(**values)
    if not updated and not LastPosition.objects.filter(user=user).exists():
        LastPosition.objects.create(user=user, **values)


def record_position(user: Actor, position: Position, *, at: datetime) -> None:
    """A position the phone reports without an action (the demo, a future background ping)."""
    if user is None:
        return
    with transaction.atomic():
        _remember_position(user, position, at, None)


# --- what the pages show ----------------------------------------------------------------


def arrival_of(incident: Incident) -> SyncedAction | None:
    """The applied arrival the phone synced for ``incident``, if any (the latest)."""
    return (
        SyncedAction.objects.filter(
            incident=incident, kind=ActionKind.ARRIVE, outcome=Outcome.APPLIED
        )
        .order_by("-acted_at")
        .first()
    )
