from django.contrib import admin

from escalation.models import EscalationChain, EscalationFire, EscalationState, EscalationStep


class StepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0


@admin.register(EscalationChain)
class ChainAdmin(admin.ModelAdmin):
    list_display = ("name", "grade", "target", "repeat_every_minutes", "is_active")
    list_filter = ("grade", "target", "is_active")
    inlines = [StepInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Engine state: written by the services only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EscalationState)
class StateAdmin(ReadOnlyAdmin):
    list_display = (
        "incident",
        "target",
        "deadline",
        "next_seq",
        "next_due_at",
        "fired_count",
        "ended_at",
        "end_reason",
    )
    list_filter = ("target", "end_reason")
    raw_id_fields = ("incident",)
    list_select_related = ("incident",)


@admin.register(EscalationFire)
class FireAdmin(ReadOnlyAdmin):
    list_display = (
        "incident",
        "target",
        "seq",
        "level",
        "is_reminder",
        "due_at",
        "fired_at",
        "outcome",
        "superseded_by",
        "late_seconds",
    )
    list_filter = ("target", "outcome", "level", "is_reminder")
    raw_id_fields = ("incident", "state")
    list_select_related = ("incident",)
    date_hierarchy = "fired_at"
