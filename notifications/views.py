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
from notifications.models import Channel, Notification, NotificationPreference

PAGE_SIZE = 30


@login_required
def notification_list(request):
    inbox = (
        Notification.objects.filter(user=request.user, channel=Channel.INAPP)
        .select_related("incident")
        .order_by("-created_at", "-id")
    )
    page = Paginator(inbox, PAGE_SIZE).get_page(request.GET.get("page"))
    pref = NotificationPreference.objects.filter(user=request.user).first()
    form = PreferenceForm(
        initial={
            "language": pref.language if pref else settings.LANGUAGE_CODE,
            "email_enabled": pref.email_enabled if pref else True,
        }
    )
    return render(request, "notifications/list.html", {"page": page, "form": form})


@login_required
@require_POST
def mark_read(request):
    ids = request.POST.getlist("id")
    ids = [int(i) for i in ids if i.isdigit()] if ids else None
    services.mark_read(request.user, ids=ids)
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
    """incidents.extensions.detail_panels: who was told, when, on which channel, delivered?"""
    told = list(
        incident.notifications.select_related("user", "endpoint").order_by("created_at", "id")[:300]
    )
    if not told:
        return None
    return "notifications/panel.html", {"told": told}
