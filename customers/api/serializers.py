from __future__ import annotations

from rest_framework import serializers

from customers import display
from customers.models import ConsentSource, Customer, Language


class CustomerSerializer(serializers.ModelSerializer):
    """A customer as the caller may see them: name and phones in clear, masked or empty by
    role (privacy, through settings.CUSTOMER_DATA_POLICY)."""

    phones = serializers.SerializerMethodField()
    merged_into: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    # Empty while consent was never asked: the schema says so (a read-only model field
    # would lose allow_blank and its blank choice).
    consent_source = serializers.ChoiceField(
        choices=ConsentSource.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "phones",
            "language",
            "consent",
            "consent_at",
            "consent_source",
            "sms_opt_out",
            "sms_opt_out_at",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_phones(self, customer: Customer) -> list[str]:
        return self._shown(customer).phones

    def _shown(self, customer: Customer) -> display.Shown:
        memo = self.__dict__.setdefault("_shown_memo", {})
        if customer.pk not in memo:
            request = self.context.get("request")
            memo[customer.pk] = display.shown(getattr(request, "user", None), customer)
        return memo[customer.pk]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["name"] = self._shown(instance).name
        return data


class CustomerCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")
    phones = serializers.ListField(
        child=serializers.CharField(max_length=40), min_length=1, max_length=5
    )
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ZH_HANS)
    wechat_id = serializers.CharField(max_length=128, allow_blank=True, required=False, default="")
    consent = serializers.BooleanField(required=False, allow_null=True, default=None)
    consent_source = serializers.ChoiceField(
        choices=ConsentSource.choices, required=False, default=ConsentSource.API
    )
