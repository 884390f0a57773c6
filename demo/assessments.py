# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""Demo assessments, survey answers, corrective actions and a drill (DEMO ONLY).

``load()`` is called by ``manage.py load_demo`` after the demo incidents exist. Idempotent:
the demo drill is the marker; when it exists nothing is created.
"""

from __future__ import annotations

import base64
import io
import math
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments import services
from assessments.models import ActionStatus, CorrectiveAction, Drill, MeasureStep, Survey
from incidents import services as incident_services
from incidents.models import Grade, Incident, Status
from teams.models import Team

DRILL_TITLE = (
    "Level I drill: bus battery thermal event on the G60 / 一级演练：G60高速大巴电池热失控"
)

REVIEWS = [
    (
        "Battery management firmware mis-read a cell temperature sensor after an OTA update; "
        "the pack derated to limp mode.\n电池管理固件OTA升级后误读电芯温度传感器，整包降功率。",
        "Confirmed in time, but the technician arrived late: the nearest partner tow truck was "
        "on another job.\n确认及时，但技师到场偏晚：最近的合作拖车正在其他任务。",
    ),
    (
        "Charger contactor worn out (batch 2024-07); no damage to the vehicle.\n"
        "充电接触器磨损（2024-07批次），车辆无损。",
        "Handled within every target; the customer praised the phone updates.\n"
        "各项时限均达标；客户对电话进度通报表示满意。",
    ),
    (
        "Controller harness chafed on the chassis bracket; intermittent fault code.\n"
        "控制器线束与底盘支架摩擦，间歇性故障码。",
        "Resolved on the first visit with a module swap.\n首次上门即通过模块更换解决。",
    ),
]
# Each overall rating's dimensions (speed, attitude, quality): the 3 waited long (a slow
# response, 2: customer service follows it up).
DIMENSIONS = {5: (5, 5, 5), 4: (4, 5, 4), 3: (2, 4, 3)}
COMMENTS = [
    (5, "师傅来得很快，解释得很清楚，谢谢！"),
    (4, "Fixed the same day. The phone updates helped."),
    (3, "问题解决了，但等待时间有点长。"),
    (5, ""),
]


def _users() -> dict:
    users = get_user_model().objects.filter(
        username__in=[
            "manager",
            "dispatcher",
            "technician",
            "chen.zhiqiang",
            "liu.fang",
            "zhao.lei",
        ]
    )
    return {u.username: u for u in users}


def load() -> None:
    if Drill.objects.filter(title=DRILL_TITLE).exists():
        return
    users = _users()
    manager = users.get("manager")
    if manager is None:
        return
    now = timezone.now()
    with transaction.atomic():
        _assessments(users, now)
        _action_progress(users, now)
        _survey_answers(now)
        _signatures(now)
        _drill(users, now)


def _assessments(users: dict, now) -> None:
    owners = [users.get(n) or users["manager"] for n in ("chen.zhiqiang", "liu.fang", "manager")]
    done = Incident.objects.filter(
        status__in=[Status.RESOLVED, Status.CLOSED], assessment__isnull=True
    ).order_by("grade", "resolved_at")
    picked = [i for i in done if i.grade in (Grade.I, Grade.II)][:2]
    picked += [i for i in done if i.grade == Grade.III][:1]
    for n, incident in enumerate(picked):
        cause, summary = REVIEWS[n % len(REVIEWS)]
        survey = Survey.objects.filter(incident=incident).first()
        assessment = services.save_assessment(
            incident,
            actor=users["manager"],
            cause=cause,
            summary=summary,
            customer_feedback="客户表示满意，希望加快到场速度。" if n == 0 else "",
            submit=n != 2,
            now=(incident.resolved_at or now) + timedelta(hours=20),
        )
        # One overdue action (due last week) and one on time per assessment.
        services.add_corrective_action(
            actor=users["manager"],
            assessment=assessment,
            owner=owners[n % 3],
            description="Push the corrected BMS firmware to every bus of the batch / "
            "向同批次大巴推送修正后的BMS固件"
            if n == 0
            else "Replace worn contactors at the next service / 下次保养时更换磨损接触器",
            due_date=timezone.localdate(now) - timedelta(days=7 - 3 * n),
            now=now,
        )
        services.add_corrective_action(
            actor=users["manager"],
            assessment=assessment,
            owner=owners[(n + 1) % 3],
            description="Add a second partner tow company on the G60 / G60沿线增加一家合作拖车",
            due_date=timezone.localdate(now) + timedelta(days=21),
            now=now,
        )
        if assessment.is_submitted and incident.status == Status.RESOLVED and survey:
            incident_services.close_incident(
                incident,
                actor=users["manager"],
                note="Assessment done; closed.",
                now=max(now, assessment.submitted_at),
            )


def _action_progress(users: dict, now) -> None:
    """One action done and one in progress, beside the open and overdue ones."""
    actions = list(CorrectiveAction.objects.filter(assessment__isnull=False).order_by("pk"))
    progress = (ActionStatus.DONE, ActionStatus.IN_PROGRESS)
    for action, status in zip(actions[1::2], progress, strict=False):
        services.set_action_status(action, actor=users["manager"], status=status, now=now)


def _survey_answers(now) -> None:
    """Answer all open surveys but the last two, which stay pending (links to send)."""
    open_surveys = list(
        Survey.objects.filter(answered_at__isnull=True, expires_at__gt=now).order_by("pk")
    )
    for survey, (rating, comment) in zip(open_surveys[:-2], COMMENTS, strict=False):
        speed, attitude, quality = DIMENSIONS[rating]
        services.answer_survey(
            survey.token,
            rating=rating,
            response_speed=speed,
            technician_attitude=attitude,
            repair_quality=quality,
            comment=comment,
            now=now,
        )


def _signature_png(seed: int) -> str:
    """A hand-drawn-looking stroke as the canvas would send it (transparent PNG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 220), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [
        (40 + x * 5, 110 + 45 * math.sin(x / (6 + seed)) * math.cos(x / (17 + seed)))
        for x in range(0, 100)
    ]
    draw.line(points, fill=(17, 24, 39, 255), width=4, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _signatures(now) -> None:
    """A resolved job signed by its technician and its customer, on the work summary."""
    incident = (
        Incident.objects.filter(
            status=Status.RESOLVED,
            assignee__isnull=False,
            signoff__isnull=True,
            technician_signoff__isnull=True,
        )
        .exclude(resolution="")
        .select_related("assignee")
        .order_by("resolved_at")
        .first()
    )
    if incident is None:
        return
    signed_at = max(now - timedelta(minutes=5), incident.resolved_at)
    services.record_technician_signoff(
        incident, actor=incident.assignee, signature=_signature_png(1), now=signed_at
    )
    services.record_signoff(
        incident,
        actor=incident.assignee,
        signer_name=incident.customer_name or "客户",
        signature=_signature_png(3),
        now=signed_at,
    )


def _drill(users: dict, now) -> None:
    teams = Team.objects.filter(kind__in=["hq", "tech_support", "customer_service", "logistics"])
    drill = services.plan_drill(
        actor=users["manager"],
        title=DRILL_TITLE,
        grade=Grade.I,
        scenario="A city bus reports a battery over-temperature alarm on the G60 expressway "
        "with 30 passengers on board. HQ runs the Level I response.\n"
        "一辆载有30名乘客的城市大巴在G60高速报电池过温告警，指挥部启动一级响应。",
        scheduled_at=now - timedelta(days=20),
        location="Songjiang depot 松江车场",
        participants=[u for u in users.values()],
        teams=list(teams),
        now=now - timedelta(days=30),
    )
    services.record_drill_results(
        drill,
        actor=users["manager"],
        now=now - timedelta(days=20),
        findings="Hotline to HQ alert took 9 min (target 5). "
        "热线到指挥部告警用时9分钟（目标5分钟）。",
        measurements=[
            {
                "step": MeasureStep.CONFIRM,
                "label": "Hotline → HQ alert / 热线→指挥部告警",
                "target_minutes": 5,
                "measured_minutes": 9,
            },
            {
                "step": MeasureStep.DISPATCH,
                "label": "Technician dispatched / 派出技师",
                "target_minutes": 15,
                "measured_minutes": 12,
            },
            {
                "step": MeasureStep.ARRIVE,
                "label": "On site / 到达现场",
                "target_minutes": 60,
                "measured_minutes": 48,
            },
        ],
    )
    services.add_corrective_action(
        actor=users["manager"],
        drill=drill,
        owner=users.get("liu.fang") or users["manager"],
        finding="HQ alert by phone tree is slow / 电话逐级通知指挥部太慢",
        description="Alert HQ by group message from the desk on every Level I report / "
        "一级事件报告后由系统群发通知指挥部",
        due_date=timezone.localdate(now) + timedelta(days=14),
        now=now,
    )
    # Plus one planned drill ahead.
    services.plan_drill(
        actor=users["manager"],
        title="Level II drill: warehouse forklift charger fire / 二级演练：仓库叉车充电器起火",
        scenario="A forklift charger catches fire in a customer warehouse at night.\n"
        "夜间客户仓库叉车充电器起火。",
        scheduled_at=now + timedelta(days=25),
        grade=Grade.II,
        teams=list(teams)[:2],
        now=now,
    )
