"""The in-app inbox: list, mark as read, preferences. Thin: services do the writes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import safe_next
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
    return redirect(safe_next(request, reverse("notifications:list")))


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
