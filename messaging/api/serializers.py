"""The customer-message log as the API shows it: the address masked, never in clear."""

from importlib import import_module

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import DateTimeField
from messaging.models import CustomerMessage, Reason
from messaging.providers import mask


class CustomerMessageSerializer(serializers.ModelSerializer):
    # Empty until something held the message back or failed it: the schema says so (a
    # read-only model field would lose allow_blank and its blank choice).
    reason = serializers.ChoiceField(choices=Reason.choices, allow_blank=True, read_only=True)
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
        """Masked always; empty for a caller who may not see this customer (privacy)."""
        request = self.context.get("request")
        policy = import_module(settings.CUSTOMER_DATA_POLICY)
        if request is not None and policy.customer_hidden(request.user, message.incident):
            return ""
        return mask(message.address)
