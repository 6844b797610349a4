from rest_framework import serializers

from billing.models import SubscriptionLevel
from billing.serializers.money import AmountField, CurrencyField, money_validate
from community_service.api.fields import NameField, StrictBooleanField, StrictCharField, UniqueListField


class LevelOutputSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = SubscriptionLevel
        fields = ["id", "community_id", "name", "description", "price", "currency", "duration_days", "benefits",
                  "is_active", "position", "archived_at", "created_at", "updated_at"]
        read_only_fields = fields


class LevelInputSerializer(serializers.Serializer):
    name = NameField(max_length=100)
    description = StrictCharField(max_length=2000, allow_blank=True, required=False, default="")
    price = AmountField()
    currency = CurrencyField()
    duration_days = serializers.IntegerField(min_value=1, max_value=3660)
    benefits = serializers.ListField(child=NameField(max_length=200), max_length=20, required=False,
                                     default=list)
    is_active = StrictBooleanField(required=False, default=True)

    def validate(self, attrs: dict) -> dict:
        level = self.context.get("level")
        return money_validate(attrs, amount_field="price", currency=level.currency if level else None)


class LevelReorderInputSerializer(serializers.Serializer):
    # Each once: the schema says uniqueItems, as the reorder service requires.
    level_ids = UniqueListField(child=serializers.UUIDField(), min_length=1, max_length=100)
