"""Money fields: a decimal string (or JSON number) with at most two places, and an ISO 4217 code."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.settings import api_settings

from billing.money import amount_check, currency_normalise
from billing.providers.sandbox import OK, PAYMENT_METHODS
from community_service.api.fields import StrictCharField, StrictDecimalField
from community_service.exceptions import ValidationFailed

# What the schema promises a valid amount string looks like: positive, digits, then up to two
# decimals; not 0, no sign, no exponent, no spaces. The field does not match strings against
# it: a value outside it is refused with the code of the rule it breaks, as the same JSON
# number would be (StrictDecimalField; min_value, max_value and the currency's places in
# money_validate), not a blanket `invalid`.
AMOUNT_PATTERN = r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,9}(\.[0-9]{1,2})?)$"


class AmountField(StrictDecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "A decimal string such as \"12.50\" (a JSON number is accepted too): more than "
                                       "0, at most BILLING_MAX_AMOUNT (10000.00 by default), at most 2 decimal places "
                                       "(0 for JPY and the like).")
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


class AmountFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "billing.serializers.money.AmountField"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "pattern": AMOUNT_PATTERN} if direction == "request" else schema


def CurrencyField(**kwargs: Any) -> StrictCharField:  # noqa: N802 - a field factory reads like a field
    return StrictCharField(min_length=3, max_length=3, help_text="ISO 4217 code, e.g. USD, EUR, JPY.", **kwargs)


def PaymentMethodField() -> StrictCharField:  # noqa: N802
    return StrictCharField(
        max_length=255, required=False, default=OK,
        help_text="A payment method token from the provider's client SDK. The sandbox provider takes "
        f"{', '.join(PAYMENT_METHODS)} (default {OK}).",
    )


def money_validate(attrs: dict, *, amount_field: str, currency: str | None = None) -> dict:
    """Normalise the currency and check the amount against it, as a serializer error naming the field."""
    try:
        code = currency_normalise(attrs["currency"]) if "currency" in attrs else currency
        if "currency" in attrs:
            attrs["currency"] = code
        if amount_field in attrs and code:
            attrs[amount_field] = amount_check(attrs[amount_field], code, field=amount_field)
    except ValidationFailed as exc:
        # currency_normalise and amount_check always name their field.
        field = exc.field or api_settings.NON_FIELD_ERRORS_KEY
        raise serializers.ValidationError({field: [serializers.ErrorDetail(exc.detail, exc.code)]}) from None
    return attrs
