"""The in-app inbox: list, mark as read, preferences. Thin: services do the writes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import services
from notifications.forms import PreferenceForm
from notifications.models import NotificationPreference

PAGE_SIZE = 30


@login_required
def notification_list(request):
    """The inbox: one row per incident (count, unread, the latest), expandable."""
    page = Paginator(services.inbox_groups(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    groups = services.fill_groups(request.user, list(page))
    pref = NotificationPreference.objects.filter(user=request.user).first()
    form = PreferenceForm(
        initial={
            "language": pref.language if pref else settings.LANGUAGE_CODE,
            "email_enabled": pref.email_enabled if pref else True,
        }
    )
    return render(
        request, "notifications/list.html", {"page": page, "groups": groups, "form": form}
    )


@login_required
@require_POST
def mark_read(request):
    ids = request.POST.getlist("id")
    ids = [int(i) for i in ids if i.isdigit()] if ids else None
    incidents = [int(i) for i in request.POST.getlist("incident") if i.isdigit()]
    services.mark_read(request.user, ids=ids, incidents=incidents or None)
    if request.htmx:
        return render(
            request,
            "notifications/partials/bell.html",
            {"unread_notifications": services.unread_count(request.user)},
        )
    return redirect(request.POST.get("next") or "notifications:list")


@login_required
@require_POST
def preferences(request):
    form = PreferenceForm(request.POST)
    if form.is_valid():
        services.set_preferences(request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
    else:
        messages.error(request, _("Check the notification settings."))
    return redirect("notifications:list")


def incident_panel(request, incident):
    """incidents.extensions.detail_panels: who was told, when, on which channel, delivered?
    One line per step; a run of reminders is one line with a count."""
    told = list(
        incident.notifications.select_related("user", "endpoint").order_by("created_at", "id")[:500]
    )
    if not told:
        return None
    return "notifications/panel.html", {"lines": told_lines(told)}


def told_lines(told) -> list[dict]:
    from escalation import labels

    steps: dict[str, dict] = {}
    for n in told:
        line = steps.setdefault(
            n.step,
            {
                "step": n.step,
                "reminder": bool((n.params or {}).get("reminder")),
                "first": n.created_at,
                "last": n.created_at,
                "who": [],
                "rows": [],
                "count": 1,
            },
        )
        line["last"] = n.created_at
        name = (n.user.get_full_name() or n.user.username) if n.user else ""
        if n.endpoint:
            name = f"{name} · {n.endpoint.name}" if name else n.endpoint.name
        if name and name not in line["who"]:
            line["who"].append(name)
        line["rows"].append(n)
    lines: list[dict] = []
    for line in steps.values():
        prev = lines[-1] if lines else None
        target = line["step"].partition(":")[0]
        if (
            line["reminder"]
            and prev is not None
            and prev["reminder"]
            and prev["step"].partition(":")[0] == target
        ):
            prev["count"] += 1
            prev["last"] = line["last"]
            prev["rows"] += line["rows"]
            prev["who"] += [w for w in line["who"] if w not in prev["who"]]
            continue
        lines.append(line)
    for line in lines:
        target = line["step"].partition(":")[0]
        if line["reminder"] and line["count"] > 1:
            line["label"] = f"{labels.target_label(target)}, {labels.reminders(line['count'])}"
        else:
            line["label"] = labels.step_key_label(line["step"], reminder=line["reminder"])
        rows = line["rows"]
        line["delivered"] = sum(r.status == "delivered" for r in rows)
        line["failed"] = sum(r.status == "failed" for r in rows)
        line["pending"] = len(rows) - line["delivered"] - line["failed"]
        line["channels"] = sorted({str(r.get_channel_display()) for r in rows})
    return lines
