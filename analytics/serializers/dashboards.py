"""The `?from=&to=` input and the three dashboards' shapes (for the schema)."""

from typing import Any

from rest_framework import serializers


class DayRangeInputSerializer(serializers.Serializer):
    """`from` and `to` are Python keywords, so the fields are declared here."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.DateField(required=False, help_text="First day (UTC), default 29 days before `to`."),
            "to": serializers.DateField(required=False, help_text="Last day (UTC), default today."),
        }

    def bounds(self) -> dict[str, Any]:
        return {"since": self.validated_data.get("from"), "until": self.validated_data.get("to")}


class _RangeSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class GrowthDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    joined = serializers.IntegerField()
    left = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Active members at the end of the day.")


class MembersSectionSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Active members now.")
    active_30d = serializers.IntegerField(help_text="Members who posted, commented or liked in the last 30 days.")
    joined_7d = serializers.IntegerField()
    left_7d = serializers.IntegerField()
    joined_30d = serializers.IntegerField()
    left_30d = serializers.IntegerField()
    growth = GrowthDaySerializer(many=True)


class ContentDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    posts = serializers.IntegerField()
    comments = serializers.IntegerField()


class TopPostSerializer(serializers.Serializer):
    post_id = serializers.UUIDField()
    title = serializers.CharField()
    likes = serializers.IntegerField(help_text="Likes given in the range.")
    comments = serializers.IntegerField(help_text="Comments written in the range.")


class ContentSectionSerializer(serializers.Serializer):
    posts = serializers.IntegerField()
    comments = serializers.IntegerField()
    by_day = ContentDaySerializer(many=True)
    top_posts = TopPostSerializer(many=True)


class EngagementSectionSerializer(serializers.Serializer):
    likes = serializers.IntegerField()
    comments_per_post = serializers.FloatField(allow_null=True)
    active_posters = serializers.IntegerField()
    dau_mau = serializers.FloatField(allow_null=True, help_text="Average daily actives / monthly actives (30 days).")


class EventsSectionSerializer(serializers.Serializer):
    upcoming = serializers.IntegerField(help_text="Scheduled events still to start (now, whatever the range).")
    next_starts_at = serializers.DateTimeField(allow_null=True)
    upcoming_going = serializers.IntegerField(help_text="Going RSVPs on the upcoming events.")
    waitlisted = serializers.IntegerField(help_text="Waitlisted RSVPs on the upcoming events: unmet demand.")
    full_upcoming = serializers.IntegerField(help_text="Upcoming events with every seat taken.")
    held = serializers.IntegerField(help_text="Events that started in the range and were held (ongoing or completed).")
    cancelled = serializers.IntegerField(help_text="Events that were to start in the range and were cancelled.")
    going_at_held = serializers.IntegerField(help_text="Going RSVPs on the held events.")
    attendance_rate = serializers.FloatField(
        allow_null=True, help_text="Going RSVPs / seats, over the held events with a capacity (no check-in exists); "
        "null without such events.")


class MemberEventsSerializer(serializers.Serializer):
    attended_all_time = serializers.IntegerField(help_text="Held events the member was going to.")
    attended_in_range = serializers.IntegerField(help_text="The same, for events that started in the range.")
    upcoming_going = serializers.IntegerField()
    upcoming_waitlisted = serializers.IntegerField()


class DonationTotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    donations = serializers.IntegerField(help_text="Donations settled in the range.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunds = serializers.IntegerField()
    refunded = serializers.DecimalField(max_digits=14, decimal_places=2)
    net = serializers.DecimalField(max_digits=14, decimal_places=2)


class DashboardTopDonorSerializer(serializers.Serializer):
    currency = serializers.CharField()
    user_id = serializers.UUIDField()
    username = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Net of refunds, in the range.")


class LevelSubscriptionsSerializer(serializers.Serializer):
    level_id = serializers.UUIDField()
    name = serializers.CharField()
    currency = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    active = serializers.IntegerField()


class CurrencyAmountSerializer(serializers.Serializer):
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class SubscriptionsNowSerializer(serializers.Serializer):
    active_by_level = LevelSubscriptionsSerializer(many=True)
    monthly_recurring_revenue = CurrencyAmountSerializer(
        many=True, help_text="Per currency: each active subscription's price × 30 / its level's duration_days."
    )


class MoneySectionSerializer(serializers.Serializer):
    by_currency = DonationTotalsSerializer(many=True)
    top_donors = DashboardTopDonorSerializer(many=True,
                                             help_text="Top 5 per currency; anonymous donations never appear.")
    subscriptions = SubscriptionsNowSerializer(help_text="As they stand now, whatever the range.")


class CommunityAnalyticsSerializer(_RangeSerializer):
    community_id = serializers.UUIDField()
    members = MembersSectionSerializer()
    content = ContentSectionSerializer()
    engagement = EngagementSectionSerializer()
    events = EventsSectionSerializer()
    money = MoneySectionSerializer()


class PostDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    likes = serializers.IntegerField()
    comments = serializers.IntegerField()


class PostAnalyticsSerializer(_RangeSerializer):
    post_id = serializers.UUIDField()
    views = serializers.IntegerField()
    likes = serializers.IntegerField()
    comments = serializers.IntegerField()
    engagement_rate = serializers.FloatField(allow_null=True, help_text="(likes + comments) / views.")
    by_day = PostDaySerializer(many=True)


class ActivityTotalsSerializer(serializers.Serializer):
    posts = serializers.IntegerField()
    comments = serializers.IntegerField()
    likes_given = serializers.IntegerField()
    likes_received = serializers.IntegerField()


class MemberDonationsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    all_time = serializers.DecimalField(max_digits=14, decimal_places=2)
    in_range = serializers.DecimalField(max_digits=14, decimal_places=2)


class MemberSubscriptionSerializer(serializers.Serializer):
    subscription_id = serializers.UUIDField()
    level_id = serializers.UUIDField()
    level = serializers.CharField()
    status = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class MemberMoneySerializer(serializers.Serializer):
    donations = MemberDonationsSerializer(many=True, help_text="Net of refunds, anonymous donations included.")
    subscription = MemberSubscriptionSerializer(allow_null=True)


class MemberAnalyticsSerializer(_RangeSerializer):
    member_id = serializers.UUIDField()
    community_id = serializers.UUIDField()
    user_id = serializers.UUIDField()
    all_time = ActivityTotalsSerializer()
    in_range = ActivityTotalsSerializer()
    active_days_in_range = serializers.IntegerField()
    events = MemberEventsSerializer()
    money = MemberMoneySerializer()
