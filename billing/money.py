"""Validation of amounts and currencies, shared by serializers and services."""

from decimal import Decimal

from django.conf import settings

from billing.currencies import CURRENCY_CODES, currency_places
from community_service.exceptions import ValidationFailed

CENT = Decimal("0.01")


def max_amount() -> Decimal:
    return Decimal(settings.BILLING_MAX_AMOUNT)


def currency_normalise(value: str, *, field: str = "currency") -> str:
    """An ISO 4217 code in upper case, or ValidationFailed naming `field`."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in CURRENCY_CODES:
        raise ValidationFailed(f"Unknown currency {value!r}: use an ISO 4217 code such as USD or EUR.",
                               field=field, code="unknown_currency")
    return code


def amount_check(amount: Decimal, currency: str, *, field: str = "amount") -> Decimal:
    """Refuse zero, negative, over-limit, or finer-than-the-currency amounts (naming `field`)."""
    if not amount.is_finite():
        raise ValidationFailed("A valid amount is required.", field=field, code="invalid")
    if amount <= 0:
        raise ValidationFailed("Must be greater than 0.", field=field, code="min_value")
    if amount > max_amount():
        raise ValidationFailed(f"Must be at most {max_amount()}.", field=field, code="max_value")
    places = currency_places(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise ValidationFailed(f"{currency} amounts have at most {places} decimal places.", field=field,
                               code="max_decimal_places")
    return amount.quantize(CENT)
