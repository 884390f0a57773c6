"""Assessment API serializers: shapes and types only; the rules live in
assessments.services."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from assessments.models import (
    ActionStatus,
    Assessment,
    CorrectiveAction,
    Drill,
    DrillMeasurement,
    MeasureStep,
    SignOff,
    Survey,
)
from core.api.serializers import ModelSerializer
from incidents.models import Grade, Incident


class MilestoneSerializer(serializers.Serializer):
    step = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)
    minutes = serializers.FloatField(allow_null=True, help_text="From the report.")
    target_minutes = serializers.FloatField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)


class CorrectiveActionSerializer(ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "assessment",
            "drill",
            "finding",
            "description",
            "owner",
            "due_date",
            "status",
            "overdue",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(self.context["today"])


class CorrectiveActionCreateSerializer(serializers.Serializer):
    finding = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField()
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True)
    )
    due_date = serializers.DateField()


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)


class SurveySerializer(ModelSerializer):
    class Meta:
        model = Survey
        fields = [
            "id",
            "incident",
            "language",
            "created_at",
            "expires_at",
            "sent_at",
            "answered_at",
            "rating",
            "response_speed",
            "technician_attitude",
            "repair_quality",
            "comment",
            "reminded_at",
        ]
        read_only_fields = fields


class SignOffSerializer(ModelSerializer):
    signature = serializers.ImageField(read_only=True, use_url=True)

    class Meta:
        model = SignOff
        fields = ["signer_name", "signature", "no_signature_reason", "signed_at", "captured_by"]
        read_only_fields = fields


class AssessmentSerializer(ModelSerializer):
    """The read representation (also returned by every write)."""

    incident_number = serializers.CharField(source="incident.number", read_only=True)
    grade = serializers.CharField(source="incident.grade", read_only=True)
    efficiency = serializers.SerializerMethodField()
    escalation_steps = serializers.IntegerField(source="incident.escalation_level", read_only=True)
    survey = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "incident",
            "incident_number",
            "grade",
            "status",
            "cause",
            "customer_feedback",
            "summary",
            "efficiency",
            "escalation_steps",
            "survey",
            "actions",
            "author",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_efficiency(self, obj) -> list[dict]:
        from assessments.services import efficiency

        return MilestoneSerializer(efficiency(obj.incident), many=True).data

    def get_survey(self, obj) -> dict | None:
        survey = Survey.objects.filter(incident_id=obj.incident_id).first()
        return SurveySerializer(survey).data if survey else None

    def get_actions(self, obj) -> list[dict]:
        return CorrectiveActionSerializer(obj.actions.all(), many=True, context=self.context).data


class AssessmentWriteSerializer(serializers.Serializer):
    cause = serializers.CharField(required=False, allow_blank=True, default="")
    customer_feedback = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(required=False, default=False)


class AssessmentCreateSerializer(AssessmentWriteSerializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["incident"].queryset = Incident.objects.restrict(request.user)


class DrillMeasurementSerializer(ModelSerializer):
    step = serializers.ChoiceField(choices=MeasureStep.choices)

    class Meta:
        model = DrillMeasurement
        fields = ["step", "label", "target_minutes", "measured_minutes"]


class DrillSerializer(ModelSerializer):
    # A drill's grade is optional: "" is a valid value and must be in the schema's enum.
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True, read_only=True)
    measurements = DrillMeasurementSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Drill
        fields = [
            "id",
            "title",
            "scenario",
            "grade",
            "scheduled_at",
            "location",
            "participants",
            "teams",
            "status",
            "findings",
            "conducted_at",
            "measurements",
            "actions",
            "created_at",
        ]
        read_only_fields = fields

    def get_actions(self, obj) -> list[dict]:
        return CorrectiveActionSerializer(obj.actions.all(), many=True, context=self.context).data


class DrillCreateSerializer(ModelSerializer):
    class Meta:
        model = Drill
        fields = ["title", "scenario", "grade", "scheduled_at", "location", "participants", "teams"]


class DrillResultsSerializer(serializers.Serializer):
    measurements = DrillMeasurementSerializer(many=True)
    findings = serializers.CharField(required=False, allow_blank=True, default="")
