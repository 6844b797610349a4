from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.models import Donation
from billing.serializers.money import AmountField, CurrencyField, PaymentMethodField, money_validate
from billing.serializers.subscriptions import PaymentSummarySerializer
from community_service.api.fields import StrictBooleanField, StrictCharField


class DonorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()


class DonationOutputSerializer(serializers.ModelSerializer):
    """`donor` is null for an anonymous donation, except for the donor and donation.view holders."""

    community_id = serializers.UUIDField(read_only=True)
    donor = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField(help_text="The payment this request made (write responses only).")

    class Meta:
        model = Donation
        fields = ["id", "community_id", "donor", "amount", "currency", "message", "is_anonymous", "status",
                  "created_at", "completed_at", "payment"]
        read_only_fields = fields

    @extend_schema_field(PaymentSummarySerializer(allow_null=True))
    def get_payment(self, donation: Donation) -> dict | None:
        payment = self.context.get("payment")
        return PaymentSummarySerializer(payment).data if payment is not None else None

    @extend_schema_field(DonorSerializer(allow_null=True))
    def get_donor(self, donation: Donation) -> dict | None:
        if donation.donor_id is None:
            return None
        if donation.is_anonymous and not self.context.get("see_anonymous") \
                and donation.donor_id != self.context.get("viewer_id"):
            return None
        donor = donation.donor
        assert donor is not None  # donor_id is set
        return {"id": str(donation.donor_id), "username": donor.username}


class DonationInputSerializer(serializers.Serializer):
    amount = AmountField()
    currency = CurrencyField()
    message = StrictCharField(max_length=500, allow_blank=True, required=False, default="")
    is_anonymous = StrictBooleanField(required=False, default=False,
                                      help_text="Hide your name from everyone but you and donation.view holders.")
    payment_method = PaymentMethodField()

    def validate(self, attrs: dict) -> dict:
        return money_validate(attrs, amount_field="amount")


class CurrencyTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    amount = serializers.CharField(help_text="Exact decimal sum of completed donations.")
    count = serializers.IntegerField()
    anonymous_count = serializers.IntegerField()


class TopDonorSerializer(serializers.Serializer):
    currency = serializers.CharField()
    user_id = serializers.UUIDField()
    username = serializers.CharField()
    amount = serializers.CharField()
    count = serializers.IntegerField()


class DonationSummarySerializer(serializers.Serializer):
    totals = CurrencyTotalSerializer(many=True)
    top_donors = TopDonorSerializer(many=True, help_text="Per currency, largest first; anonymous gifts never here.")
