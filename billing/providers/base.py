"""The payment provider interface: a charge, a refund, and the provider's signed webhooks.

A provider is an outside party. Our code talks to it only through this interface and only
through the circuit breaker (billing/providers/breaker.py). See docs/billing.md for how a
real provider (Stripe) plugs in.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class ChargeStatus(StrEnum):
    SUCCEEDED = "succeeded"  # money taken
    DECLINED = "declined"  # the provider refused (card declined): a business answer, not an outage
    PENDING = "pending"  # settles later (3-D Secure, bank transfer): a webhook tells the result


@dataclass(frozen=True)
class ChargeResult:
    status: ChargeStatus
    provider_payment_id: str
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook: `type` is payment.succeeded | payment.failed | payment.refunded."""

    event_id: str
    type: str
    provider_payment_id: str
    failure_code: str = ""
    failure_message: str = ""


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered with a server error; nothing was charged.

    Counts as a failure for the circuit breaker.
    """


class InvalidSignature(Exception):
    """A webhook whose signature, timestamp or body does not verify."""


class PaymentProvider(Protocol):
    name: str

    def charge(self, *, idempotency_key: str, amount: Decimal, currency: str, payment_method: str,
               description: str) -> ChargeResult:
        """Take money. `idempotency_key` (our payment id) makes a retried call charge at most once."""

    def refund(self, *, idempotency_key: str, provider_payment_id: str, amount: Decimal, currency: str) -> None:
        """Give a completed charge back in full. Raises ProviderUnavailable."""

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> ProviderEvent:
        """Verify the signature over the raw body and parse it. Raises InvalidSignature."""
