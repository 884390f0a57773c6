from django.contrib import admin

from field.models import LastPosition, SyncedAction


@admin.register(SyncedAction)
class SyncedActionAdmin(admin.ModelAdmin):
    """Read-only: what the phones sent is evidence, never edited."""

    list_display = ("incident", "kind", "outcome", "user", "device_at", "acted_at", "far")
    list_filter = ("kind", "outcome", "far")
    raw_id_fields = ("incident", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LastPosition)
class LastPositionAdmin(admin.ModelAdmin):
    list_display = ("user", "latitude", "longitude", "accuracy_m", "at")
    raw_id_fields = ("user", "incident")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
