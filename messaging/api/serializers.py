"""The customer-message log as the API shows it: the address masked, never in clear."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import DateTimeField
from messaging.models import CustomerMessage
from messaging.providers import mask


class CustomerMessageSerializer(serializers.ModelSerializer):
    occasion = serializers.CharField(source="key")
    to = serializers.SerializerMethodField(help_text="The address, masked (138****8000).")
    created_at = DateTimeField()
    sent_at = DateTimeField(allow_null=True)
    next_attempt_at = DateTimeField(allow_null=True)

    class Meta:
        model = CustomerMessage
        fields = [
            "id",
            "occasion",
            "kind",
            "channel",
            "provider",
            "to",
            "language",
            "legally_required",
            "status",
            "reason",
            "provider_reason",
            "provider_message_id",
            "attempts",
            "next_attempt_at",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields

    @extend_schema_field(str)
    def get_to(self, message: CustomerMessage) -> str:
        return mask(message.address)
