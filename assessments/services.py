"""Every state change of the assessments app: assessments, corrective actions, surveys,
sign-offs and drills. Views, the API, admin actions and tasks call these functions only."""

from __future__ import annotations

import base64
import binascii
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from assessments import customer_tasks
from assessments.exceptions import (
    AlreadySubmitted,
    NotAssessable,
    SignOffExists,
    SurveyClosed,
)
from assessments.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    CorrectiveAction,
    Drill,
    DrillMeasurement,
    DrillStatus,
    MeasureStep,
    SignOff,
    Survey,
    TechnicianSignOff,
)
from core import images
from core.types import Actor
from incidents import access
from incidents.models import EventKind, Grade, Incident, Status
from incidents.services import Said, record_event
from messaging import services as messaging

log = logging.getLogger(__name__)

# Grades that cannot be closed before their assessment is submitted (Level III can).
ASSESSMENT_REQUIRED_GRADES = (Grade.I, Grade.II)
ASSESSABLE_STATUSES = (Status.RESOLVED, Status.CLOSED)
# Signatures are taken on the written resolution: the customer signs what was done.
SIGNABLE_STATUSES = (Status.RESOLVED,)
MAX_SIGNATURE_BYTES = 512 * 1024
MAX_SIGNATURE_SIDE = 4000  # pixels: a phone's canvas is well under this
CJK = re.compile(r"[\u3400-\u9fff]")


def _text(value: str | None) -> str:
    return (value or "").strip()


# --- handling efficiency ---------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    step: str
    label: str
    at: datetime | None
    minutes: float | None  # from the report
    target_minutes: float | None
    deadline: datetime | None

    @property
    def met(self) -> bool | None:
        if self.deadline is None or self.at is None:
            return None
        return self.at <= self.deadline


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 60, 1)


def efficiency(incident: Incident) -> list[Milestone]:
    """Time to confirm, dispatch, arrive and resolve, each from the report, against the
    deadlines the incident got from its grade's policy (dispatch has no policy target)."""
    start = incident.reported_at
    rows = [
        ("confirm", _("Confirm"), incident.confirmed_at, incident.confirm_deadline),
        ("dispatch", _("Dispatch"), incident.dispatched_at, None),
        ("arrive", _("Arrive on site"), incident.arrived_at, incident.arrive_deadline),
        ("resolve", _("Resolve"), incident.resolved_at, incident.resolve_deadline),
    ]
    return [
        Milestone(step, label, at, _minutes(start, at), _minutes(start, deadline), deadline)
        for step, label, at, deadline in rows
    ]


# --- assessments -----------------------------------------------------------------------


def save_assessment(
    incident: Incident,
    *,
    actor: Actor,
    cause: str = "",
    customer_feedback: str = "",
    summary: str = "",
    submit: bool = False,
    now: datetime | None = None,
) -> Assessment:
    """Create or update the assessment of a resolved or closed incident; ``submit`` makes it
    final (cause and summary then required). A submitted assessment cannot change.

    Locks the assessment row so that two editors do not both submit."""
    now = now or timezone.now()
    if incident.status not in ASSESSABLE_STATUSES:
        raise NotAssessable()
    cause, summary, customer_feedback = _text(cause), _text(summary), _text(customer_feedback)
    if submit:
        errors = {}
        if not cause:
            errors["cause"] = [_("Describe the cause.")]
        if not summary:
            errors["summary"] = [_("Write a summary.")]
        if errors:
            raise ValidationError(errors)
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().filter(incident=incident).first()
        if assessment is None:
            access.require_perm(actor, "assessments.add_assessment")
            assessment = Assessment(incident=incident, author=actor, created_at=now)
        else:
            access.require_perm(actor, "assessments.change_assessment")
            if assessment.is_submitted:
                raise AlreadySubmitted()
        assessment.cause, assessment.summary = cause, summary
        assessment.customer_feedback = customer_feedback
        assessment.updated_at = now
        if submit:
            assessment.status = AssessmentStatus.SUBMITTED
            assessment.submitted_at = now
        assessment.save()
        if submit:
            record_event(
                incident,
                EventKind.NOTE,
                actor=actor,
                now=now,
                data={"assessment": assessment.pk, "submitted": True},
                text=Said(gettext_noop("Assessment submitted.")),
            )
    return assessment


def require_assessment_to_close(incident: Incident) -> None:
    """close guard: Level I and II incidents need a submitted assessment to close."""
    if incident.grade not in ASSESSMENT_REQUIRED_GRADES:
        return
    if not Assessment.objects.filter(
        incident_id=incident.pk, status=AssessmentStatus.SUBMITTED
    ).exists():
        raise ValidationError(
            _("A Level I or II incident cannot be closed before its assessment is submitted.")
        )


# --- corrective actions ----------------------------------------------------------------


def add_corrective_action(
    *,
    actor: Actor,
    description: str,
    owner,
    due_date: date,
    assessment: Assessment | None = None,
    drill: Drill | None = None,
    finding: str = "",
    now: datetime | None = None,
) -> CorrectiveAction:
    """Add a corrective action to an assessment or to a drill (a finding that becomes an
    action). Submitted assessments still take actions: they are follow-up work."""
    now = now or timezone.now()
    access.require_perm(actor, "assessments.add_correctiveaction")
    description = _text(description)
    errors = {}
    if not description:
        errors["description"] = [_("Say what has to be done.")]
    if owner is None or not owner.is_active:
        errors["owner"] = [_("Choose an active owner.")]
    if due_date is None:
        errors["due_date"] = [_("Give a due date.")]
    if (assessment is None) == (drill is None):
        errors["__all__"] = [_("An action belongs to one assessment or one drill.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action = CorrectiveAction.objects.create(
            assessment=assessment,
            drill=drill,
            description=description,
            owner=owner,
            due_date=due_date,
            finding=_text(finding),
            created_at=now,
        )
        if assessment is not None:
            record_event(
                assessment.incident,
                EventKind.NOTE,
                actor=actor,
                now=now,
                data={"corrective_action": action.pk},
                text=Said(
                    gettext_noop("Corrective action: %(d)s (due %(due)s)"),
                    d=description,
                    due=due_date.isoformat(),
                ),
            )
    return action


def set_action_status(
    action: CorrectiveAction, *, actor: Actor, status: str, now: datetime | None = None
) -> CorrectiveAction:
    """Move a corrective action. Its owner or a user who may change actions may."""
    now = now or timezone.now()
    if status not in ActionStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if actor is not None and actor.pk != action.owner_id:
        access.require_perm(actor, "assessments.change_correctiveaction")
    done = status == ActionStatus.DONE
    with transaction.atomic():
        CorrectiveAction.objects.filter(pk=action.pk).update(
            status=status, completed_at=now if done else None
        )
    action.refresh_from_db()
    return action


def overdue_actions(today: date | None = None):
    today = today or timezone.localdate()
    return CorrectiveAction.objects.overdue(today).select_related("owner")


def remind_overdue_actions(*, now: datetime | None = None) -> int:
    """Remind the owners of overdue corrective actions, at most once per reminder interval
    per action. The conditional UPDATE claims each action, so two workers running this at
    once send one reminder, not two. Mail goes out after commit. Returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    interval = timedelta(hours=settings.CORRECTIVE_ACTION_REMINDER_HOURS)
    due = overdue_actions(today).filter(
        Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - interval)
    )
    sent = 0
    for action in due.order_by("pk")[:500]:
        with transaction.atomic():
            claimed = (
                CorrectiveAction.objects.filter(pk=action.pk, status__in=OPEN_ACTION_STATUSES)
                .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - interval))
                .update(last_reminded_at=now)
            )
            if claimed:
                sent += 1
                transaction.on_commit(partial(_send_reminder, action, today))
    return sent


def _send_reminder(action: CorrectiveAction, today: date) -> None:
    if not action.owner.email:
        return
    with override(settings.LANGUAGE_CODE):
        subject = _("Overdue corrective action: %(d)s") % {"d": action.description[:60]}
        body = _(
            "The corrective action “%(d)s” was due on %(due)s and is %(days)s day(s) late.\n"
            "Please complete it or update its status: %(url)s"
        ) % {
            "d": action.description,
            "due": action.due_date.isoformat(),
            "days": (today - action.due_date).days,
            "url": f"{settings.SITE_URL}/assessments/actions/",
        }
    try:
        send_mail(subject, body, None, [action.owner.email])
    except OSError:  # the reminder is retried after the interval; never fail the sweep
        log.exception("could not mail reminder for corrective action %s", action.pk)


# --- customer satisfaction survey ------------------------------------------------------


def customer_language(incident: Incident) -> str:
    """The customer's language: their record's, else Chinese when their name or the report
    is written in it."""
    customer = getattr(incident, "customer", None) if incident.customer_id else None
    if customer is not None and customer.language in dict(settings.LANGUAGES):
        return customer.language
    text = f"{incident.customer_name} {incident.title}"
    if CJK.search(text):
        return "zh-hans"
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in dict(settings.LANGUAGES) else "en"


def create_survey(
    incident: Incident, *, now: datetime | None = None, language: str | None = None
) -> Survey:
    """The incident's survey with a fresh unguessable token; the existing one if any. A new
    one is sent to the customer with the resolved message (``send_survey``)."""
    now = now or timezone.now()
    survey, created = Survey.objects.get_or_create(
        incident=incident,
        defaults={
            "token": secrets.token_urlsafe(32),
            "language": language or customer_language(incident),
            "created_at": now,
            "expires_at": now + timedelta(days=settings.SURVEY_VALID_DAYS),
        },
    )
    if created:
        send_survey(survey, now=now)
    return survey


def on_resolve(incident: Incident, *, actor: Actor, now: datetime) -> None:
    """transition_hooks['resolve']: every resolved incident gets its survey link."""
    create_survey(incident, now=now)


def survey_url(survey: Survey) -> str:
    return f"{settings.SITE_URL}/assessments/survey/{survey.token}/"


def _tell(incident: Incident, kind: str, params: dict[str, str], *, key: str, now) -> list:
    """Queue a customer message (once per ``key``) in a savepoint: a failure is logged and
    never undoes the resolve."""
    try:
        with transaction.atomic():
            return messaging.tell_customer(incident, kind, params, key=key, now=now)
    except Exception:  # the link stays on the incident page for the dispatcher
        log.exception("could not queue the %s message of incident %s", kind, incident.pk)
        return []


def send_survey(survey: Survey, *, now: datetime | None = None) -> bool:
    """The resolved message, with the summary and the survey link, through the customer
    message outbox (kind ``resolved``, once). ``sent_at`` is set when a message was queued;
    otherwise the incident page shows the link for the dispatcher to send by hand."""
    now = now or timezone.now()
    incident = survey.incident
    summary = (incident.resolution or incident.title or "").strip()[:200]
    params = {"number": incident.number or "", "summary": summary, "survey_url": survey_url(survey)}
    queued = _tell(incident, "resolved", params, key=f"resolved:{incident.pk}", now=now)
    if queued:
        Survey.objects.filter(pk=survey.pk, sent_at__isnull=True).update(sent_at=now)
    return bool(queued)


def surveys_to_remind(now: datetime):
    """Unanswered, unexpired surveys SURVEY_REMINDER_HOURS old, not yet reminded (the
    partial index survey_to_remind)."""
    return Survey.objects.filter(
        answered_at__isnull=True,
        reminded_at__isnull=True,
        created_at__lte=now - timedelta(hours=settings.SURVEY_REMINDER_HOURS),
        expires_at__gt=now,
    )


def remind_surveys(*, now: datetime | None = None, limit: int = 500) -> int:
    """Beat: the one reminder of an unanswered survey. Each survey is claimed by a
    conditional UPDATE on ``reminded_at IS NULL``, so overlapping runs remind once (and the
    message's key makes the outbox write it once). Returns how many were reminded."""
    now = now or timezone.now()
    reminded = 0
    for survey in surveys_to_remind(now).select_related("incident")[:limit]:
        with transaction.atomic():
            claimed = Survey.objects.filter(
                pk=survey.pk, reminded_at__isnull=True, answered_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            params = {"number": survey.incident.number or "", "survey_url": survey_url(survey)}
            _tell(
                survey.incident,
                "survey_reminder",
                params,
                key=f"survey_reminder:{survey.pk}",
                now=now,
            )
        reminded += 1
    return reminded


def mark_survey_sent(survey: Survey, *, actor: Actor, now: datetime | None = None) -> Survey:
    """The dispatcher sent the link by hand (phone, SMS, WeChat)."""
    now = now or timezone.now()
    access.require_perm(actor, "assessments.change_survey")
    Survey.objects.filter(pk=survey.pk, sent_at__isnull=True).update(sent_at=now)
    survey.refresh_from_db()
    return survey


def open_survey(token: str, *, now: datetime | None = None) -> Survey | None:
    """The survey behind ``token`` (None when no survey has it). Closed surveys are
    returned too: the page tells the customer why it cannot be answered."""
    if not token or len(token) > 64:
        return None
    return Survey.objects.select_related("incident").filter(token=token).first()


def _score(value, field: str, *, required: bool) -> int | None:
    if value in (None, "") and not required:
        return None
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({field: [_("Choose 1 to 5 stars.")]})
    return score


def answer_survey(
    token: str,
    *,
    rating,
    response_speed=None,
    technician_attitude=None,
    repair_quality=None,
    comment: str = "",
    now: datetime | None = None,
) -> Survey:
    """Record the customer's answer, once, before expiry: the overall ``rating`` (required)
    and the dimensions the survey asks (1-5 each). A conditional UPDATE makes a double
    submit (two taps, two tabs) store one answer and refuse the other. A low score (any
    dimension at or below SURVEY_LOW_SCORE) opens a follow-up for customer service."""
    now = now or timezone.now()
    scores = {
        "rating": _score(rating, "rating", required=True),
        "response_speed": _score(response_speed, "response_speed", required=False),
        "technician_attitude": _score(technician_attitude, "technician_attitude", required=False),
        "repair_quality": _score(repair_quality, "repair_quality", required=False),
    }
    comment = _text(comment)[:2000]
    survey = open_survey(token, now=now)
    if survey is None:
        raise Survey.DoesNotExist
    with transaction.atomic():
        updated = Survey.objects.filter(
            pk=survey.pk, answered_at__isnull=True, expires_at__gt=now
        ).update(answered_at=now, comment=comment, **scores)
        if not updated:
            raise SurveyClosed()
        record_event(
            survey.incident,
            EventKind.NOTE,
            actor=None,
            now=now,
            data={"survey": survey.pk, "rating": scores["rating"]},
            text=Said(gettext_noop("Customer rated the service %(r)s/5."), r=scores["rating"]),
        )
        survey.refresh_from_db()
        low = survey.lowest_score()
        if low is not None and low <= settings.SURVEY_LOW_SCORE:
            customer_tasks.open_follow_up(survey, now=now)
    return survey


# --- sign-off --------------------------------------------------------------------------


def _decode_png(data_url: str) -> bytes:
    """The PNG bytes of a canvas ``data:image/png;base64,...`` URL, checked to be a real,
    non-blank PNG of a sane size."""
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise ValidationError({"signature": [_("The signature must be a PNG image.")]})
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError({"signature": [_("The signature could not be read.")]}) from exc
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise ValidationError({"signature": [_("The signature image is too large.")]})
    unreadable = _("The signature could not be read.")
    # The size comes from the header: a small PNG may hold a huge image (a bomb), refused
    # before it is decoded.
    image = images.open_checked(raw, field="signature", unreadable=unreadable)
    if image.width > MAX_SIGNATURE_SIDE or image.height > MAX_SIGNATURE_SIDE:
        raise ValidationError({"signature": [_("The signature image is too large.")]})
    if image.format != "PNG":
        raise ValidationError({"signature": [_("The signature must be a PNG image.")]})
    image = images.decode(image, field="signature", unreadable=unreadable)
    alpha = image.convert("RGBA").getchannel("A")
    if alpha.getbbox() is None:
        raise ValidationError(
            {"signature": [_("The signature is empty: ask the customer to sign.")]}
        )
    return raw


def can_sign_off(user: Actor, incident: Incident) -> bool:
    """The customer signs on the phone of someone on the job (or the desk's, a manager's)."""
    return access.can(user, "sign_off", incident)


def record_signoff(
    incident: Incident,
    *,
    actor: Actor,
    signer_name: str = "",
    signature: str = "",
    no_signature_reason: str = "",
    now: datetime | None = None,
) -> SignOff:
    """The customer signs on the technician's phone, below the work summary, or the
    technician says why not.

    Preconditions: the incident is resolved (its resolution is written); no sign-off yet."""
    now = now or timezone.now()
    access.require(actor, "sign_off", incident)
    _require_resolution(incident)
    signer_name, reason = _text(signer_name)[:120], _text(no_signature_reason)
    png = None
    if signature:
        png = _decode_png(signature)
        if not signer_name:
            raise ValidationError({"signer_name": [_("Write the signer's name.")]})
    elif not reason:
        raise ValidationError(
            {
                "no_signature_reason": [
                    _("Capture the customer's signature or say why there is none.")
                ]
            }
        )
    with transaction.atomic():
        if SignOff.objects.select_for_update().filter(incident=incident).exists():
            raise SignOffExists()
        signoff = SignOff(
            incident=incident,
            signer_name=signer_name if png else "",
            no_signature_reason="" if png else reason,
            signed_at=now,
            captured_by=actor,
        )
        if png:
            stamp = now.strftime("%Y%m%d%H%M%S")
            signoff.signature.save(f"signature-{stamp}.png", ContentFile(png), save=False)
        signoff.save()
        text = (
            # Not the signer's name: the timeline is kept for good, the name is erasable
            # personal data, encrypted on the sign-off (issue 13).
            Said(gettext_noop("Signed off by the customer."))
            if png
            else Said(gettext_noop("No customer signature: %(r)s"), r=reason)
        )
        record_event(
            incident, EventKind.NOTE, actor=actor, now=now, data={"signoff": signoff.pk}, text=text
        )
    return signoff


def _require_resolution(incident: Incident) -> None:
    if incident.status not in SIGNABLE_STATUSES or not incident.resolution.strip():
        raise NotAssessable(_("Signatures are taken once the resolution is written."))


def may_sign_as_technician(user: Actor, incident: Incident) -> bool:
    """The assigned technician; with no one assigned, a member of the incident's team."""
    return user is not None and access.can(user, "own_job", incident)


def record_technician_signoff(
    incident: Incident, *, actor: Actor, signature: str, now: datetime | None = None
) -> TechnicianSignOff:
    """The technician signs the service report on their phone, once, after resolving.

    Preconditions: resolved with a resolution; the actor is the assigned technician (no one
    signs in their name). Locks the incident's signature row so a double tap stores one."""
    now = now or timezone.now()
    if actor is None:  # no one signs in the technician's name
        raise access.denied("own_job")
    access.require(actor, "own_job", incident)
    _require_resolution(incident)
    if not signature:
        raise ValidationError({"signature": [_("Sign in the box first.")]})
    png = _decode_png(signature)
    with transaction.atomic():
        if TechnicianSignOff.objects.select_for_update().filter(incident=incident).exists():
            raise SignOffExists(_("The technician has already signed this report."))
        signed = TechnicianSignOff(incident=incident, technician=actor, signed_at=now)
        stamp = now.strftime("%Y%m%d%H%M%S")
        signed.signature.save(f"technician-{stamp}.png", ContentFile(png), save=False)
        signed.save()
        record_event(
            incident,
            EventKind.NOTE,
            actor=actor,
            now=now,
            data={"technician_signoff": signed.pk},
            text=Said(gettext_noop("The technician signed the service report.")),
        )
    return signed


# --- drills ----------------------------------------------------------------------------


def plan_drill(
    *,
    actor: Actor,
    title: str,
    scenario: str,
    scheduled_at: datetime,
    grade: str = "",
    location: str = "",
    participants=(),
    teams=(),
    now: datetime | None = None,
) -> Drill:
    now = now or timezone.now()
    access.require_perm(actor, "assessments.add_drill")
    title, scenario = _text(title), _text(scenario)
    errors = {}
    if not title:
        errors["title"] = [_("Give the drill a title.")]
    if not scenario:
        errors["scenario"] = [_("Describe the scenario.")]
    if scheduled_at is None:
        errors["scheduled_at"] = [_("Give the date of the drill.")]
    if grade and grade not in Grade.values:
        errors["grade"] = [_("Choose Level I, II or III.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        drill = Drill.objects.create(
            title=title,
            scenario=scenario,
            scheduled_at=scheduled_at,
            grade=grade,
            location=_text(location),
            created_by=actor,
            created_at=now,
        )
        drill.participants.set(participants)
        drill.teams.set(teams)
    return drill


def record_drill_results(
    drill: Drill,
    *,
    actor: Actor,
    measurements: list[dict],
    findings: str = "",
    now: datetime | None = None,
) -> Drill:
    """Record a drill as done with its measured response times (each a dict with step,
    label, target_minutes, measured_minutes) and its findings. Replaces earlier results."""
    now = now or timezone.now()
    access.require_perm(actor, "assessments.change_drill")
    if drill.status == DrillStatus.CANCELLED:
        raise NotAssessable(_("A cancelled drill has no results."))
    rows = []
    for m in measurements:
        if m.get("step") not in MeasureStep.values:
            raise ValidationError({"measurements": [_("Unknown step.")]})
        try:
            measured = float(m["measured_minutes"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                {"measurements": [_("Give each measured time in minutes.")]}
            ) from exc
        if measured < 0:
            raise ValidationError({"measurements": [_("A time cannot be negative.")]})
        target = m.get("target_minutes")
        rows.append(
            DrillMeasurement(
                drill=drill,
                step=m["step"],
                label=_text(m.get("label"))[:200],
                target_minutes=int(target) if target not in (None, "") else None,
                measured_minutes=round(measured, 1),
            )
        )
    with transaction.atomic():
        drill.measurements.all().delete()
        DrillMeasurement.objects.bulk_create(rows)
        drill.findings = _text(findings)
        drill.status = DrillStatus.DONE
        drill.conducted_at = drill.conducted_at or now
        drill.save(update_fields=["findings", "status", "conducted_at"])
    return drill
