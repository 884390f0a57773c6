from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notifications.models import (
    DeliveryAttempt,
    IntegrationEvent,
    Notification,
    NotificationPreference,
    WebhookEndpoint,
)


@admin.register(NotificationPreference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "email_enabled")
    raw_id_fields = ("user",)


@admin.register(WebhookEndpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "url", "team", "user", "events", "is_active")
    list_filter = ("kind", "is_active")
    raw_id_fields = ("user",)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "started_at", "duration_ms", "ok", "status_code", "error")

    def has_add_permission(self, request, obj=None):
        return False


class EventFilter(admin.SimpleListFilter):
    """The events on file, by their names in the reader's language."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        labels = dict(IntegrationEvent.choices)
        values = Notification.objects.order_by().values_list("event", flat=True).distinct()
        return [(value, labels.get(value, value)) for value in sorted(values)]

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Every notification, its delivery state and every attempt: the evidence."""

    list_display = (
        "created_at",
        "incident",
        "step",
        "channel",
        "recipient",
        "status",
        "attempts",
        "delivered_at",
        "next_attempt_at",
    )
    list_filter = ("status", "channel", EventFilter)
    search_fields = ("step", "recipient", "title")
    raw_id_fields = ("incident", "user", "endpoint")
    list_select_related = ("incident",)
    # Every field, read-only; the event by its name in the reader's language.
    readonly_fields = [
        "event_name" if f.name == "event" else f.name for f in Notification._meta.fields
    ]
    inlines = [AttemptInline]
    date_hierarchy = "created_at"

    @admin.display(description=_("event"))
    def event_name(self, obj):
        return dict(IntegrationEvent.choices).get(obj.event, obj.event)

    def has_add_permission(self, request):
        return False


@admin.register(DeliveryAttempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("notification", "number", "started_at", "ok", "status_code", "duration_ms")
    list_filter = ("ok",)
    raw_id_fields = ("notification",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
