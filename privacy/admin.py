"""The reveal, access and erasure logs (read-only), and the "erase personal data" action on
the incidents' admin list, with a confirmation page that asks for the reason."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.web import SERVICE_ERRORS, error_text
from incidents.models import Incident
from privacy import services
from privacy.models import AccessLog, Erasure, RevealLog


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RevealLog)
class RevealLogAdmin(_ReadOnly):
    list_display = ("created_at", "user", "incident", "field", "reason")
    list_filter = ("field",)
    date_hierarchy = "created_at"
    search_fields = ("=user__username", "=incident__number", "reason")
    list_select_related = ("user", "incident")
    raw_id_fields = ("user", "incident")


@admin.register(AccessLog)
class AccessLogAdmin(_ReadOnly):
    list_display = ("created_at", "user", "kind", "incident_id", "rows")
    list_filter = ("kind",)
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    show_full_result_count = False


@admin.register(Erasure)
class ErasureAdmin(_ReadOnly):
    list_display = ("created_at", "incident", "actor", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("incident", "actor")
    raw_id_fields = ("incident", "actor")


@admin.action(description=gettext_lazy("Erase the customer's personal data"))
def erase_personal_data(modeladmin, request, queryset):
    """First a confirmation page (what goes, what stays, a reason); its POST erases."""
    if not request.user.has_perm("privacy.erase_customer_data"):
        raise PermissionDenied
    reason = request.POST.get("reason", "").strip()
    if request.POST.get("confirm") == "yes" and reason:
        try:
            done = services.erase_customer_data(queryset, actor=request.user, reason=reason)
        except SERVICE_ERRORS as exc:
            modeladmin.message_user(request, error_text(exc), messages.ERROR)
            return None
        modeladmin.message_user(
            request,
            _("Personal data erased from %(n)d incident(s).") % {"n": len(done)},
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Erase the customer's personal data"),
        "incidents": list(queryset[:200]),
        "count": queryset.count(),
        "queryset": queryset,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "missing_reason": request.POST.get("confirm") == "yes",
    }
    return TemplateResponse(request, "privacy/admin/erase_confirmation.html", context)


incident_admin = admin.site.get_model_admin(Incident)
incident_admin.actions = (*(incident_admin.actions or ()), erase_personal_data)
