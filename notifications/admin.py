from django.contrib import admin

from notifications.models import (
    DeliveryAttempt,
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
    list_filter = ("status", "channel", "event")
    search_fields = ("step", "recipient", "title")
    raw_id_fields = ("incident", "user", "endpoint")
    list_select_related = ("incident",)
    readonly_fields = [f.name for f in Notification._meta.fields]
    inlines = [AttemptInline]
    date_hierarchy = "created_at"

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
