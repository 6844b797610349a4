from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.models import Payment, Subscription
from billing.serializers.money import PaymentMethodField


class LevelSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    duration_days = serializers.IntegerField()


class PaymentSummarySerializer(serializers.ModelSerializer):
    provider_payment_id = serializers.CharField(
        allow_null=True, read_only=True,
        help_text="The provider's id of this payment (what its webhooks name as `data.payment_id`); null until the "
        "provider has answered.")

    class Meta:
        model = Payment
        fields = ["id", "purpose", "amount", "currency", "credit", "status", "failure_code", "provider",
                  "provider_payment_id", "created_at", "completed_at"]
        read_only_fields = fields


class SubscriptionOutputSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)
    level = LevelSummarySerializer(read_only=True)
    has_access = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField(help_text="The payment this request made (write responses only).")

    class Meta:
        model = Subscription
        fields = ["id", "community_id", "level", "status", "has_access", "starts_at", "expires_at", "cancelled_at",
                  "ended_at", "end_reason", "created_at", "payment"]
        read_only_fields = fields

    def get_has_access(self, subscription: Subscription) -> bool:
        now = self.context["now"]
        return (subscription.ended_at is None and subscription.status in ("active", "cancelled")
                and subscription.expires_at is not None and subscription.expires_at > now)

    @extend_schema_field(PaymentSummarySerializer(allow_null=True))
    def get_payment(self, subscription: Subscription) -> dict | None:
        payment = self.context.get("payment")
        return PaymentSummarySerializer(payment).data if payment is not None else None


class SubscribeInputSerializer(serializers.Serializer):
    level_id = serializers.UUIDField()
    payment_method = PaymentMethodField()


class RenewInputSerializer(serializers.Serializer):
    payment_method = PaymentMethodField()


class UpgradeInputSerializer(serializers.Serializer):
    level_id = serializers.UUIDField(help_text="A more expensive active level of the same community and currency.")
    payment_method = PaymentMethodField()
