from rest_framework import serializers

from core.api.serializers import ModelSerializer
from spareparts.models import Depot, Part, StockBalance, StockMove


class PartSerializer(ModelSerializer):
    class Meta:
        model = Part
        fields = [
            "id",
            "sku",
            "name",
            "name_zh",
            "category",
            "unit",
            "tracking",
            "unit_cost",
            "is_active",
        ]


class DepotSerializer(ModelSerializer):
    class Meta:
        model = Depot
        fields = ["id", "code", "name", "name_zh", "kind", "team", "address", "is_active"]


class StockSerializer(ModelSerializer):
    """One part at one depot. ``available`` = ``on_hand`` - ``reserved``; ``low`` is true
    while available is below the reorder point."""

    sku = serializers.CharField(source="part.sku", read_only=True)
    depot_code = serializers.CharField(source="depot.code", read_only=True)
    low = serializers.SerializerMethodField()

    class Meta:
        model = StockBalance
        fields = [
            "id",
            "part",
            "sku",
            "depot",
            "depot_code",
            "on_hand",
            "reserved",
            "available",
            "reorder_point",
            "reorder_quantity",
            "low",
        ]

    def get_low(self, obj) -> bool:
        return obj.low_since is not None


class ReserveSerializer(serializers.Serializer):
    """``part`` and ``depot``: ids, or a part's SKU and a depot's code."""

    part = serializers.CharField()
    depot = serializers.CharField()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)

    def _lookup(self, model, value, key: str, field: str):
        value = str(value).strip()
        found = (
            model.objects.filter(pk=int(value)).first()
            if value.isdigit()
            else model.objects.filter(**{f"{key}__iexact": value}).first()
        )
        if found is None or not found.is_active:
            raise serializers.ValidationError(f"Unknown {field}: {value}")
        return found

    def validate_part(self, value):
        return self._lookup(Part, value, "sku", "part")

    def validate_depot(self, value):
        return self._lookup(Depot, value, "code", "depot")


class MoveSerializer(ModelSerializer):
    sku = serializers.CharField(source="part.sku", read_only=True)
    depot_code = serializers.CharField(source="depot.code", read_only=True)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "kind",
            "part",
            "sku",
            "depot",
            "depot_code",
            "quantity",
            "on_hand_delta",
            "reserved_delta",
            "lot",
            "incident",
            "created_at",
            "reason",
        ]


class IncidentPartSerializer(serializers.Serializer):
    part = serializers.IntegerField(source="part_id")
    sku = serializers.CharField(source="part.sku")
    depot = serializers.IntegerField(source="depot_id")
    depot_code = serializers.CharField(source="depot.code")
    reserved = serializers.IntegerField()
    issued = serializers.IntegerField()
