from rest_framework import serializers

from community_service.api.fields import StrictCharField
from communities.models import AuditAction, AuditLogEntry
from content.models import Report, ReportCategory, ReportEntry, ReportStatus, ReportTarget


class ReportInputSerializer(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=ReportTarget.choices)
    target_id = serializers.UUIDField(help_text="Post or comment id; for a member, their user id.")
    category = serializers.ChoiceField(choices=ReportCategory.choices)
    text = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class ReportEntrySerializer(serializers.ModelSerializer):
    reporter_id = serializers.UUIDField(read_only=True)
    reporter_username = serializers.CharField(source="reporter.username", read_only=True)

    class Meta:
        model = ReportEntry
        fields = ["id", "reporter_id", "reporter_username", "category", "text", "created_at"]
        read_only_fields = fields


class ReportOutputSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)
    resolved_by_id = serializers.UUIDField(read_only=True, allow_null=True)
    entries = ReportEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = ["id", "community_id", "target_type", "target_id", "status", "reporter_count", "last_reported_at",
                  "resolved_by_id", "resolution_note", "resolved_at", "created_at", "entries"]
        read_only_fields = fields


class ReportSubmittedSerializer(serializers.Serializer):
    """What a reporter learns: their report is in (not who else reported)."""

    id = serializers.UUIDField()
    target_type = serializers.ChoiceField(choices=ReportTarget.choices)
    target_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ReportStatus.choices)


class ReportCloseInputSerializer(serializers.Serializer):
    note = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")


class AuditActorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()


class AuditLogEntrySerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)
    actor = AuditActorSerializer(read_only=True, allow_null=True)
    action = serializers.ChoiceField(choices=AuditAction.choices, read_only=True)

    class Meta:
        model = AuditLogEntry
        fields = ["id", "community_id", "actor", "action", "target_type", "target_id", "reason", "created_at"]
        read_only_fields = fields
