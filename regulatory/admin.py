from django.contrib import admin

from regulatory.models import (
    Alarm,
    AlarmCase,
    AlarmRule,
    RegulatoryCase,
    RegulatoryReport,
    ReportRule,
)


@admin.register(AlarmRule)
class AlarmRuleAdmin(admin.ModelAdmin):
    list_display = ["alarm_type", "level_1", "level_2", "level_3"]
    search_fields = ["alarm_type"]


@admin.register(ReportRule)
class ReportRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "category",
        "on_flag",
        "first_hours",
        "first_hours_severe",
        "detailed_hours",
        "is_active",
    ]


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ["received_at", "vin", "level", "alarm_type", "outcome", "incident"]
    list_filter = ["outcome", "level"]
    search_fields = ["=vin"]
    raw_id_fields = ["vehicle", "case", "incident", "source"]
    date_hierarchy = "received_at"

    def has_change_permission(self, request, obj=None):
        return False  # an alarm is evidence: kept as received


@admin.register(AlarmCase)
class AlarmCaseAdmin(admin.ModelAdmin):
    list_display = ["vehicle", "alarm_type", "incident", "is_open", "count", "last_at"]
    list_filter = ["is_open"]
    raw_id_fields = ["vehicle", "incident"]

    def has_change_permission(self, request, obj=None):
        return False  # counted by the ingest only


class ReportInline(admin.TabularInline):
    model = RegulatoryReport
    extra = 0
    fields = ("kind", "due_at", "filed_at", "filed_by", "reference")
    readonly_fields = fields
    can_delete = False


@admin.register(RegulatoryCase)
class RegulatoryCaseAdmin(admin.ModelAdmin):
    list_display = ["incident", "rule", "occurred_at", "severe", "started_at"]
    list_filter = ["severe", "rule"]
    raw_id_fields = ["incident", "severe_set_by", "started_by"]
    readonly_fields = [
        "incident",
        "rule",
        "occurred_at",
        "severe",
        "severe_set_at",
        "severe_set_by",
        "started_at",
        "started_by",
    ]
    inlines = [ReportInline]
