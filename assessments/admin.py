"""Admin for every assessments model. Reviews and answers are read here; state changes
that carry rules (submitting, answering a survey, signing off) go through the services."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments import services
from assessments.models import (
    Assessment,
    CorrectiveAction,
    Drill,
    DrillMeasurement,
    SignOff,
    Survey,
    TechnicianSignOff,
)
from core.web import run_per_row


class CorrectiveActionInline(admin.TabularInline):
    model = CorrectiveAction
    fk_name = "assessment"
    extra = 0
    fields = ("description", "owner", "due_date", "status", "completed_at")
    readonly_fields = ("completed_at",)
    autocomplete_fields = ("owner",)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("incident", "grade", "status", "author", "submitted_at")
    list_filter = ("status", "incident__grade")
    search_fields = ("incident__number", "incident__title", "cause", "summary")
    raw_id_fields = ("incident",)
    readonly_fields = ("status", "author", "created_at", "updated_at", "submitted_at")
    inlines = [CorrectiveActionInline]
    list_select_related = ("incident", "author")

    @admin.display(description=_("grade"), ordering="incident__grade")
    def grade(self, obj):
        return obj.incident.get_grade_display()

    def has_add_permission(self, request):  # created from the incident page / API
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_submitted:
            return False
        return super().has_change_permission(request, obj)


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(admin.ModelAdmin):
    list_display = ("description_short", "source", "owner", "due_date", "status", "is_late")
    list_filter = ("status", "due_date")
    search_fields = ("description", "finding", "owner__username")
    autocomplete_fields = ("owner",)
    raw_id_fields = ("assessment", "drill")
    readonly_fields = ("created_at", "completed_at", "last_reminded_at")
    actions = ["mark_done"]
    list_select_related = ("owner", "assessment__incident", "drill")

    @admin.display(description=_("action"))
    def description_short(self, obj):
        return obj.description[:80]

    @admin.display(description=_("source"))
    def source(self, obj):
        return obj.assessment.incident.number if obj.assessment_id else obj.drill

    @admin.display(description=_("overdue"), boolean=True)
    def is_late(self, obj):
        return obj.is_overdue(timezone.localdate())

    @admin.action(description=_("Mark selected actions done"))
    def mark_done(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda action: services.set_action_status(action, actor=request.user, status="done"),
            done=lambda n: ngettext("%d action done.", "%d actions done.", n) % n,
            label=lambda action: action.description[:60],
        )


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = (
        "incident",
        "language",
        "created_at",
        "expires_at",
        "sent_at",
        "answered_at",
        "rating",
    )
    list_filter = ("language", "rating")
    search_fields = ("incident__number",)
    raw_id_fields = ("incident",)
    readonly_fields = ("incident", "token", "created_at", "answered_at", "rating", "comment")
    fields = (
        "incident",
        "language",
        "created_at",
        "expires_at",
        "sent_at",
        "answered_at",
        "rating",
        "comment",
    )

    def has_add_permission(self, request):  # created on resolution
        return False


@admin.register(SignOff)
class SignOffAdmin(admin.ModelAdmin):
    list_display = ("incident", "signer_name", "signed_at", "captured_by", "has_signature")
    search_fields = ("incident__number",)  # the signer's name is encrypted (core/crypto.py)
    readonly_fields = (
        "incident",
        "signer_name",
        "preview",
        "no_signature_reason",
        "signed_at",
        "captured_by",
    )
    exclude = ("signature",)

    @admin.display(description=_("signature"), boolean=True)
    def has_signature(self, obj):
        return bool(obj.signature)

    @admin.display(description=_("signature"))
    def preview(self, obj):
        if not obj.signature:
            return "—"
        return format_html(
            '<img src="{}" style="max-height:120px;background:#fff">', obj.signature.url
        )

    def has_add_permission(self, request):  # captured on the technician's phone
        return False


@admin.register(TechnicianSignOff)
class TechnicianSignOffAdmin(admin.ModelAdmin):
    list_display = ("incident", "technician", "signed_at")
    search_fields = ("incident__number", "technician__username")
    readonly_fields = ("incident", "technician", "preview", "signed_at")
    exclude = ("signature",)

    @admin.display(description=_("signature"))
    def preview(self, obj):
        return format_html(
            '<img src="{}" style="max-height:120px;background:#fff">', obj.signature.url
        )

    def has_add_permission(self, request):  # signed on the technician's phone
        return False


class DrillMeasurementInline(admin.TabularInline):
    model = DrillMeasurement
    extra = 0


class DrillActionInline(CorrectiveActionInline):
    fk_name = "drill"
    fields = ("finding", "description", "owner", "due_date", "status", "completed_at")


@admin.register(Drill)
class DrillAdmin(admin.ModelAdmin):
    list_display = ("title", "scheduled_at", "grade", "status", "conducted_at")
    list_filter = ("status", "grade")
    search_fields = ("title", "scenario", "findings")
    filter_horizontal = ("participants", "teams")
    readonly_fields = ("created_by", "created_at")
    inlines = [DrillMeasurementInline, DrillActionInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.created_at = timezone.now()
        super().save_model(request, obj, form, change)
