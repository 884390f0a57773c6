from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "read_only",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("read_only",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)

    def has_add_permission(self, request):
        return False  # keys are made on the profile page or with create_api_token


@admin.action(description=gettext_lazy("Email a link to set a new password"))
def send_password_reset_link(modeladmin, request, queryset):
    sent = [
        u.get_username() for u in queryset if services.send_password_reset(u, actor=request.user)
    ]
    skipped = queryset.count() - len(sent)
    if sent:
        modeladmin.message_user(
            request,
            _("A link to set a new password was emailed to: %(users)s.")
            % {"users": ", ".join(sent)},
        )
    if skipped:
        modeladmin.message_user(
            request,
            _("%(count)s user(s) have no email address or no password login: no link sent.")
            % {"count": skipped},
            level=messages.WARNING,
        )


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, plus the password reset link. Locked-out accounts are unlocked
    under Axes > Access attempts; a lost authenticator under OTP TOTP > TOTP devices."""

    actions = [send_password_reset_link]


class TotpDeviceForm(forms.ModelForm):
    class Meta:
        model = TOTPDevice
        fields = ("name", "confirmed")
        labels = {"name": gettext_lazy("Name"), "confirmed": gettext_lazy("Confirmed")}
        help_texts = {"name": "", "confirmed": ""}


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """Authenticator devices, without their keys (django-otp's own admin shows each key as
    a QR code): an administrator removes a lost phone's device and the user enrols anew;
    devices are made only on the enrolment page."""

    form = TotpDeviceForm
    list_display = ("owner", "device_name", "created", "last_used", "is_confirmed")
    search_fields = ("user__username",)

    @admin.display(description=gettext_lazy("User"), ordering="user__username")
    def owner(self, obj):  # django-otp's field has no translatable name
        return obj.user

    @admin.display(description=gettext_lazy("Name"), ordering="name")
    def device_name(self, obj):
        return obj.name

    @admin.display(description=gettext_lazy("Created"), ordering="created_at")
    def created(self, obj):
        return obj.created_at

    @admin.display(description=gettext_lazy("Last used"), ordering="last_used_at")
    def last_used(self, obj):
        return obj.last_used_at

    @admin.display(description=gettext_lazy("Confirmed"), boolean=True, ordering="confirmed")
    def is_confirmed(self, obj):
        return obj.confirmed

    def has_add_permission(self, request):
        return False
