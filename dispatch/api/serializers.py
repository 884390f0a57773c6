from rest_framework import serializers


class CandidateSerializer(serializers.Serializer):
    """One ranked technician or partner team and why it stands where it does."""

    rank = serializers.IntegerField(help_text="1 is the recommendation; 0 if left out.")
    kind = serializers.ChoiceField(choices=["technician", "partner"])
    user = serializers.IntegerField(source="user_id", allow_null=True)
    team = serializers.IntegerField(source="team_id", allow_null=True)
    name = serializers.CharField()
    team_name = serializers.CharField()
    score = serializers.FloatField(help_text="Lower is better (docs/dispatch.md).")
    distance_km = serializers.FloatField(allow_null=True)
    position_source = serializers.CharField(
        help_text='"field": the phone\'s last position; "centre": the team\'s site; "": none.'
    )
    on_duty = serializers.BooleanField(allow_null=True)
    open_jobs = serializers.IntegerField()
    hv_valid_until = serializers.DateField(source="hv_until", allow_null=True)
    skills = serializers.ListField(child=serializers.CharField())
    excluded = serializers.CharField(help_text="Why a hard filter left it out; empty if ranked.")
    reasons = serializers.ListField(child=serializers.CharField())


class RankingSerializer(serializers.Serializer):
    incident = serializers.IntegerField(source="incident_id")
    needs_hv_qualification = serializers.BooleanField(source="needs_hv")
    powertrain = serializers.CharField()
    candidates = CandidateSerializer(many=True)
    excluded = CandidateSerializer(many=True)
