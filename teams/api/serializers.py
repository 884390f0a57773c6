from rest_framework import serializers

from core.api.serializers import ModelSerializer
from teams.models import Membership, Team


class MemberSerializer(ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["user", "username", "name", "role", "title"]

    def get_name(self, membership) -> str:
        return membership.user.get_full_name() or membership.user.username


class TeamSerializer(ModelSerializer):
    members = MemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "slug",
            "name",
            "name_zh",
            "kind",
            "service_area",
            "phone",
            "is_active",
            "members",
        ]
