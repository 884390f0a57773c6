from django.contrib import admin

from vehicles.models import MileageReading, SanbaoRule, Vehicle, VehicleModel


@admin.register(SanbaoRule)
class SanbaoRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "is_default",
        "replacement_repair_days",
        "replacement_same_problem_repairs",
        "loaner_after_days",
    )


@admin.register(VehicleModel)
class VehicleModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_zh", "powertrain", "sanbao_months", "sanbao_km", "rule")
    list_filter = ("powertrain",)
    search_fields = ("code", "name", "name_zh")


class MileageInline(admin.TabularInline):
    model = MileageReading
    extra = 0


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ("vin", "model", "production_batch", "sale_date", "owner_name")
    list_filter = ("model",)
    list_select_related = ("model",)
    search_fields = ("=vin", "production_batch", "battery_serial")
    inlines = [MileageInline]


@admin.register(MileageReading)
class MileageReadingAdmin(admin.ModelAdmin):
    list_display = ("vehicle", "km", "read_at")
    list_select_related = ("vehicle",)
    search_fields = ("=vehicle__vin",)
    raw_id_fields = ("vehicle",)
