"""The Django admin for the command structure: teams, memberships and the duty roster."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams.models import DutyShift, Membership, Role, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "title", "title_zh")
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "name_zh",
        "kind",
        "leader",
        "member_count",
        "service_area",
        "phone",
        "is_active",
    )
    list_filter = ("kind", "is_active")
    search_fields = ("name", "name_zh", "slug", "service_area")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("kind", "name")
    inlines = (MembershipInline,)
    fields = ("name", "name_zh", "slug", "kind", "service_area", "phone", "is_active")

    def get_queryset(self, request):
        leaders = Membership.objects.filter(role=Role.LEADER).select_related("user")
        return (
            super()
            .get_queryset(request)
            .annotate(_members=Count("memberships"))
            .prefetch_related(Prefetch("memberships", queryset=leaders, to_attr="_leaders"))
        )

    @admin.display(description=_("leader"))
    def leader(self, obj: Team) -> str:
        leaders = getattr(obj, "_leaders", None) or []
        if not leaders:
            return "—"
        return leaders[0].user.get_full_name() or leaders[0].user.username

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj) -> int:
        return obj._members


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "role", "title_in_language")
    list_filter = ("role", "team__kind", "team")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "team__name",
        "team__name_zh",
        "title",
        "title_zh",
    )
    autocomplete_fields = ("user", "team")
    list_select_related = ("user", "team")
    ordering = ("team__kind", "team__name", "role", "user__username")

    @admin.display(description=_("title"), ordering="title")
    def title_in_language(self, obj: Membership) -> str:
        return obj.title_label


class ShiftWhenFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return (("now", _("On duty now")), ("upcoming", _("Upcoming")), ("past", _("Past")))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "now":
            return queryset.on_duty(now)
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gt=now)
        if self.value() == "past":
            return queryset.filter(ends_at__lte=now)
        return queryset


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "team", "starts_at", "ends_at", "on_duty_now")
    list_filter = (ShiftWhenFilter, "kind", "team")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "team__name",
        "team__name_zh",
    )
    date_hierarchy = "starts_at"
    autocomplete_fields = ("user", "team")
    list_select_related = ("user", "team")
    ordering = ("-starts_at",)

    @admin.display(description=_("on duty now"), boolean=True)
    def on_duty_now(self, obj: DutyShift) -> bool:
        now = timezone.now()
        return obj.starts_at <= now < obj.ends_at
