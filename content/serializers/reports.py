from rest_framework import serializers

from communities.models import AuditAction, AuditLogEntry
from community_service.api.fields import StrictCharField
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


class ReportCategoriesSerializer(serializers.Serializer):
    """How many of the item's reports give each category (from the selectors' annotations)."""

    spam = serializers.IntegerField(source="spam_count")
    harassment = serializers.IntegerField(source="harassment_count")
    hate = serializers.IntegerField(source="hate_count")
    nsfw = serializers.IntegerField(source="nsfw_count")
    misinformation = serializers.IntegerField(source="misinformation_count")
    other = serializers.IntegerField(source="other_count")


class _ReportSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)
    resolved_by_id = serializers.UUIDField(read_only=True, allow_null=True)
    claimed_by_id = serializers.UUIDField(read_only=True, allow_null=True,
                                          help_text="The moderator working on this open item (console claim), if any; "
                                                    "the claim holds until claimed_until.")
    categories = ReportCategoriesSerializer(source="*", read_only=True)

    class Meta:
        model = Report
        fields = ["id", "community_id", "target_type", "target_id", "status", "reporter_count", "last_reported_at",
                  "resolved_by_id", "resolution_note", "resolved_at", "claimed_by_id", "claimed_until", "created_at",
                  "categories"]
        read_only_fields = fields


class ReportQueueItemSerializer(_ReportSerializer):
    """A queue row: counts per category and only the latest few reports."""

    recent_entries = ReportEntrySerializer(many=True, read_only=True,
                                           help_text="The latest reports (at most 3), newest first.")

    class Meta(_ReportSerializer.Meta):
        fields = [*_ReportSerializer.Meta.fields, "recent_entries"]
        read_only_fields = fields


class ReportOutputSerializer(_ReportSerializer):
    """One item with every report, oldest first."""

    entries = ReportEntrySerializer(many=True, read_only=True)

    class Meta(_ReportSerializer.Meta):
        fields = [*_ReportSerializer.Meta.fields, "entries"]
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
    is_bot = serializers.BooleanField(help_text="A bot account (docs/api.md, \"Integrations\").")


class AuditLogEntrySerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)
    actor = AuditActorSerializer(read_only=True, allow_null=True)
    action = serializers.ChoiceField(choices=AuditAction.choices, read_only=True)

    class Meta:
        model = AuditLogEntry
        fields = ["id", "community_id", "actor", "action", "target_type", "target_id", "reason", "created_at"]
        read_only_fields = fields
