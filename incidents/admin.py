"""The Django admin for the incidents app.

The admin is a caller like any other: every change of an incident's status, grade, facts or
directives goes through ``incidents.services``. Status, milestones and deadlines are
read-only here; the timeline (``IncidentEvent``) can be read but never added to, changed or
deleted; incidents are cancelled, never deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.web import SERVICE_ERRORS, error_text, run_per_row
from incidents import services
from incidents.models import (
    OPEN_STATUSES,
    Category,
    Directive,
    DirectiveNote,
    DirectiveStatus,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    ResponsePolicy,
)
from teams.models import RESPONSE_GROUP_KINDS, TeamKind

# --- reference data ----------------------------------------------------------------------


class CategoryForm(forms.ModelForm):
    concerned_team_kinds = forms.MultipleChoiceField(
        label=_("groups concerned"),
        choices=[(k.value, k.label) for k in RESPONSE_GROUP_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Response groups given a directive for Level II incidents."),
    )

    class Meta:
        model = Category
        fields = (
            "slug",
            "name",
            "name_zh",
            "description",
            "owning_team_kind",
            "concerned_team_kinds",
            "is_active",
            "position",
        )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = (
        "name",
        "name_zh",
        "slug",
        "owning_team_kind",
        "concerned",
        "is_active",
        "position",
        "incident_count",
    )
    list_editable = ("is_active", "position")
    list_filter = ("is_active", "owning_team_kind")
    search_fields = ("name", "name_zh", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_incidents=Count("incidents"))

    @admin.display(description=_("groups concerned"))
    def concerned(self, obj: Category) -> str:
        labels = dict(TeamKind.choices)
        return ", ".join(str(labels.get(k, k)) for k in obj.concerned_team_kinds or [])

    @admin.display(description=_("incidents"), ordering="_incidents")
    def incident_count(self, obj) -> int:
        return obj._incidents


@admin.register(ResponsePolicy)
class ResponsePolicyAdmin(admin.ModelAdmin):
    list_display = ("grade", "confirm_minutes", "arrive_minutes", "resolve_minutes")
    list_editable = ("confirm_minutes", "arrive_minutes", "resolve_minutes")
    ordering = ("grade",)


# --- incidents ------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """Shown, never added to, changed or deleted here."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = IncidentEvent
    fields = ("created_at", "kind", "actor", "shown_text", "data")
    readonly_fields = fields
    ordering = ("created_at", "id")
    verbose_name_plural = _("timeline")

    @admin.display(description=_("text"))
    def shown_text(self, obj: IncidentEvent) -> str:
        return obj.display_text  # the system's own words in the reader's language

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class DirectiveInline(ReadOnlyInline):
    model = Directive
    fields = ("team", "status", "due_at", "instruction", "completed_at")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("team")


class PhotoInline(ReadOnlyInline):
    model = IncidentPhoto
    fields = ("thumbnail", "caption", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def thumbnail(self, obj: IncidentPhoto) -> str:
        if not obj.image:
            return "—"
        return format_html(
            '<a href="{0}" target="_blank" rel="noopener"><img src="{0}" alt="" '
            'style="max-height:80px;max-width:120px"></a>',
            obj.image.url,
        )


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.overdue(now)
        if self.value() == "no":
            return queryset.not_overdue(now)
        return queryset


class EscalatedFilter(admin.SimpleListFilter):
    title = _("escalated")
    parameter_name = "escalated"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(escalation_level__gt=0)
        if self.value() == "no":
            return queryset.filter(escalation_level=0)
        return queryset


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=5000
    )


# Fields the admin never edits: the services own them.
SERVICE_FIELDS = (
    "number",
    "status",
    "grade",
    "reporter",
    "assignee",
    "team",
    "resolution",
    "cancel_reason",
    "reported_at",
    "confirmed_at",
    "dispatched_at",
    "arrived_at",
    "resolved_at",
    "closed_at",
    "cancelled_at",
    "confirm_deadline",
    "arrive_deadline",
    "resolve_deadline",
    "next_deadline",
    "escalation_level",
    "created_at",
    "updated_at",
)
# Fields set when an incident is logged from the admin (through report_incident).
REPORT_FIELDS = ("title", "category", "grade", "reported_at")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "title",
        "grade",
        "status",
        "category",
        "team",
        "assignee",
        "reported_at",
        "next_deadline",
        "overdue",
        "escalation_level",
    )
    list_display_links = ("number", "title")
    list_filter = (
        "status",
        "grade",
        OverdueFilter,
        EscalatedFilter,
        "category",
        "channel",
        "service_mode",
        "team",
    )
    # The customer's name and phone are encrypted: "=" finds them whole, by blind index.
    search_fields = (
        "=number",
        "=asset_ref",
        "=external_ref",
        "title",
        "=customer_name",
        "=customer_phone",
        "location",
    )
    date_hierarchy = "reported_at"
    list_select_related = ("category", "team", "assignee")
    ordering = ("-reported_at", "-id")
    list_per_page = 50
    show_full_result_count = False  # COUNT(*) over a million rows on every page is wasted
    inlines = (DirectiveInline, PhotoInline, EventInline)
    actions = ("confirm_selected", "close_selected", "cancel_selected")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "title",
                    "category",
                    "grade",
                    "status",
                    "channel",
                    "service_mode",
                    "description",
                )
            },
        ),
        (
            _("Customer and asset"),
            {
                "fields": (
                    "customer_name",
                    "customer_phone",
                    "asset_ref",
                    "location",
                    "latitude",
                    "longitude",
                )
            },
        ),
        (_("Report"), {"fields": ("impact_scope", "initial_handling", "external_ref", "reporter")}),
        (
            _("Handling"),
            {"fields": ("team", "assignee", "resolution", "cancel_reason", "escalation_level")},
        ),
        (
            _("Milestones"),
            {
                "fields": (
                    "reported_at",
                    "confirmed_at",
                    "dispatched_at",
                    "arrived_at",
                    "resolved_at",
                    "closed_at",
                    "cancelled_at",
                )
            },
        ),
        (
            _("Deadlines"),
            {
                "fields": (
                    "confirm_deadline",
                    "arrive_deadline",
                    "resolve_deadline",
                    "next_deadline",
                )
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "category",
                    "grade",
                    "reported_at",
                    "channel",
                    "service_mode",
                    "description",
                )
            },
        ),
        (
            _("Customer and asset"),
            {
                "fields": (
                    "customer_name",
                    "customer_phone",
                    "asset_ref",
                    "location",
                    "latitude",
                    "longitude",
                )
            },
        ),
        (_("Report"), {"fields": ("impact_scope", "initial_handling", "external_ref")}),
    )

    # -- permissions ---------------------------------------------------------------------

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the audit trail is kept: cancel instead

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm("incidents.report_incident")

    def has_confirm_permission(self, request) -> bool:
        return request.user.has_perm("incidents.confirm_incident")

    def has_close_permission(self, request) -> bool:
        return request.user.has_perm("incidents.close_incident")

    # -- forms ---------------------------------------------------------------------------

    def get_changeform_initial_data(self, request):
        return {"reported_at": timezone.now(), **super().get_changeform_initial_data(request)}

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.status not in services.TRANSITIONS["update"]:
            # Closed and cancelled incidents are history.
            return [f.name for f in Incident._meta.concrete_fields if f.name != "id"]
        return SERVICE_FIELDS

    def save_model(self, request, obj, form, change):
        """Log through ``report_incident`` or edit through ``update_incident``; never save()."""
        data = form.cleaned_data
        if not change:
            extra = {
                k: data[k] for k in services.EDITABLE_FIELDS if k in data and k not in REPORT_FIELDS
            }
            incident = services.report_incident(
                actor=request.user,
                title=data["title"],
                category=data["category"],
                grade=data["grade"],
                reported_at=data.get("reported_at"),
                **extra,
            )
            obj.pk = incident.pk
            obj.number = incident.number
            return
        changes = {k: data[k] for k in form.changed_data if k in services.EDITABLE_FIELDS}
        if changes:
            services.update_incident(obj, actor=request.user, **changes)

    def save_related(self, request, form, formsets, change):
        """The inlines are read-only; nothing to save beside the incident."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    # -- list columns ----------------------------------------------------------------------

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Incident) -> bool:
        return obj.is_overdue(timezone.now())

    # -- actions: each calls a service per incident and reports what was refused -----------

    def _run(self, request, queryset, action: str, call) -> None:
        run_per_row(
            self,
            request,
            queryset.order_by("pk"),
            call,
            done=lambda count: (
                ngettext(
                    "%(count)d incident: %(action)s done.",
                    "%(count)d incidents: %(action)s done.",
                    count,
                )
                % {"count": count, "action": action}
            ),
            label=lambda incident: incident.number,
        )

    @admin.action(description=_("Confirm selected incidents"), permissions=["confirm"])
    def confirm_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            _("confirm"),
            lambda i: services.confirm_incident(i, actor=request.user),
        )

    @admin.action(description=_("Close selected incidents"), permissions=["close"])
    def close_selected(self, request, queryset):
        self._run(
            request, queryset, _("close"), lambda i: services.close_incident(i, actor=request.user)
        )

    @admin.action(description=_("Cancel selected incidents…"), permissions=["close"])
    def cancel_selected(self, request, queryset):
        """Asks for the reason on an intermediate page, then cancels each one."""
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._run(
                request,
                queryset,
                _("cancel"),
                lambda i: services.cancel_incident(i, actor=request.user, reason=reason),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Cancel incidents"),
            "opts": self.model._meta,
            "incidents": queryset.order_by("pk"),
            "open_count": queryset.filter(status__in=OPEN_STATUSES).count(),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/incidents/incident/cancel_selected.html", context)


@admin.register(IncidentEvent)
class IncidentEventAdmin(admin.ModelAdmin):
    """The timeline is append-only: view it, search it, never touch it."""

    list_display = ("created_at", "incident", "kind", "actor", "short_text")
    list_filter = ("kind",)
    search_fields = ("=incident__number", "text")
    date_hierarchy = "created_at"
    list_select_related = ("incident", "actor")
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    # The text as the timeline shows it (the system's own words in the reader's language),
    # then the stored data.
    readonly_fields = ("incident", "kind", "actor", "created_at", "shown_text", "data")
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("text"))
    def shown_text(self, obj: IncidentEvent) -> str:
        return obj.display_text

    @admin.display(description=_("text"))
    def short_text(self, obj: IncidentEvent) -> str:
        text = obj.display_text  # the system's own words in the reader's language
        return (text[:80] + "…") if len(text) > 80 else text


# --- directives -----------------------------------------------------------------------


class DirectiveNoteInline(ReadOnlyInline):
    model = DirectiveNote
    fields = ("created_at", "author", "text")
    readonly_fields = fields
    verbose_name_plural = _("progress reported")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class NewProgressInline(admin.StackedInline):
    """One empty row to report progress; saved through ``report_directive_progress``."""

    model = DirectiveNote
    fields = ("text",)
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = _("new progress note")
    verbose_name_plural = _("report progress")

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is not None and obj.status not in (
            DirectiveStatus.DONE,
            DirectiveStatus.CANCELLED,
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin):
    list_display = (
        "incident",
        "team",
        "status",
        "due_at",
        "created_at",
        "completed_at",
        "note_count",
    )
    list_filter = ("status", "team__kind", "team")
    search_fields = (
        "=incident__number",
        "incident__title",
        "instruction",
        "team__name",
        "team__name_zh",
    )
    date_hierarchy = "due_at"
    list_select_related = ("incident", "team")
    ordering = ("due_at", "id")
    show_full_result_count = False
    readonly_fields = (
        "incident",
        "team",
        "status",
        "instruction",
        "due_at",
        "created_at",
        "created_by",
        "completed_at",
    )
    fields = readonly_fields
    inlines = (DirectiveNoteInline, NewProgressInline)
    actions = ("mark_done",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_notes=Count("notes"))

    def has_add_permission(self, request) -> bool:
        return False  # issued by the services from the incident's grade

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_dispatch_permission(self, request) -> bool:
        return request.user.has_perm("incidents.dispatch_incident")

    @admin.display(description=_("notes"), ordering="_notes")
    def note_count(self, obj) -> int:
        return obj._notes

    def save_model(self, request, obj, form, change):
        """The directive's own fields are read-only: nothing to save."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not DirectiveNote:
            return
        for note in formset.save(commit=False):
            try:
                services.report_directive_progress(
                    form.instance, actor=request.user, text=note.text
                )
            except SERVICE_ERRORS as exc:
                self.message_user(
                    request, _("Progress not recorded: %s") % error_text(exc), messages.ERROR
                )

    @admin.action(description=_("Mark selected directives done"), permissions=["dispatch"])
    def mark_done(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset.order_by("pk"),
            lambda directive: services.report_directive_progress(
                directive, actor=request.user, status=DirectiveStatus.DONE
            ),
            done=lambda count: (
                ngettext("%d directive marked done.", "%d directives marked done.", count) % count
            ),
        )


@admin.register(DirectiveNote)
class DirectiveNoteAdmin(admin.ModelAdmin):
    list_display = ("created_at", "directive", "author", "text")
    search_fields = ("=directive__incident__number", "text")
    list_filter = ("directive__team",)
    date_hierarchy = "created_at"
    list_select_related = ("directive__team", "author")
    readonly_fields = ("directive", "author", "text", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IncidentPhoto)
class IncidentPhotoAdmin(admin.ModelAdmin):
    list_display = ("uploaded_at", "incident", "caption", "uploaded_by")
    search_fields = ("=incident__number", "caption")
    date_hierarchy = "uploaded_at"
    list_select_related = ("incident", "uploaded_by")
    readonly_fields = ("incident", "image", "caption", "uploaded_by", "uploaded_at")

    def has_add_permission(self, request) -> bool:
        return False  # added through add_photo, which records the timeline event

    def has_change_permission(self, request, obj=None) -> bool:
        return False
