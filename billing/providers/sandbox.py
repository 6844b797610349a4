"""The built-in `sandbox` provider: no money moves, but it behaves like a real one.

It keeps its charges in memory (per process), honours idempotency keys as Stripe does, and
is told what to do by the payment method token, like a test card number:

| payment_method               | result                                                  |
| ---------------------------- | ------------------------------------------------------- |
| `pm_sandbox_ok` (default)    | succeeded                                               |
| `pm_sandbox_decline`         | declined (`card_declined`)                              |
| `pm_sandbox_pending`         | pending; settle it with a signed webhook                |
| `pm_sandbox_unavailable`     | raises ProviderUnavailable (an outage: trips the breaker) |

Webhooks are signed like Stripe's: header `Sandbox-Signature: t=<unix time>,v1=<hex>`,
where v1 = HMAC-SHA256(BILLING_SANDBOX_WEBHOOK_SECRET, "<t>.<raw body>"), and `t` must be
within BILLING_WEBHOOK_TOLERANCE_SECONDS of now.
"""

import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from billing.providers.base import (
    ChargeResult,
    ChargeStatus,
    InvalidSignature,
    ProviderEvent,
    ProviderUnavailable,
)

SIGNATURE_HEADER = "Sandbox-Signature"
OK, DECLINE = "pm_sandbox_ok", "pm_sandbox_decline"
PENDING, UNAVAILABLE = "pm_sandbox_pending", "pm_sandbox_unavailable"
PAYMENT_METHODS = (OK, DECLINE, PENDING, UNAVAILABLE)


@dataclass
class SandboxLedger:
    """What the sandbox 'bank' did: charges by idempotency key, refunds, calls seen."""

    charges: dict[str, ChargeResult] = field(default_factory=dict)
    amounts: dict[str, tuple[Decimal, str]] = field(default_factory=dict)
    refunds: set[str] = field(default_factory=set)
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.charges.clear()
            self.amounts.clear()
            self.refunds.clear()
            self.calls = 0


LEDGER = SandboxLedger()


class SandboxProvider:
    name = "sandbox"

    def charge(self, *, idempotency_key: str, amount: Decimal, currency: str, payment_method: str,
               description: str) -> ChargeResult:
        with LEDGER.lock:
            LEDGER.calls += 1
            if payment_method == UNAVAILABLE:
                raise ProviderUnavailable("sandbox: told to be unavailable")
            if idempotency_key in LEDGER.charges:  # a retried call: the same charge, not a new one
                return LEDGER.charges[idempotency_key]
            provider_id = f"sbx_{uuid.uuid4().hex}"
            if payment_method == DECLINE:
                result = ChargeResult(ChargeStatus.DECLINED, provider_id, "card_declined", "The card was declined.")
            elif payment_method == PENDING:
                result = ChargeResult(ChargeStatus.PENDING, provider_id)
            else:
                result = ChargeResult(ChargeStatus.SUCCEEDED, provider_id)
            LEDGER.charges[idempotency_key] = result
            LEDGER.amounts[provider_id] = (amount, currency)
            return result

    def refund(self, *, idempotency_key: str, provider_payment_id: str, amount: Decimal, currency: str) -> None:
        with LEDGER.lock:
            LEDGER.calls += 1
            LEDGER.refunds.add(provider_payment_id)

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> ProviderEvent:
        header = headers.get(SIGNATURE_HEADER, "")
        parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
        try:
            timestamp = int(parts.get("t", ""))
        except ValueError:
            raise InvalidSignature("missing or malformed timestamp") from None
        expected = sandbox_signature(body, timestamp)
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            raise InvalidSignature("signature mismatch")
        # An old signed body replayed later is refused even though its signature is good.
        if abs(time.time() - timestamp) > settings.BILLING_WEBHOOK_TOLERANCE_SECONDS:
            raise InvalidSignature("timestamp outside the tolerance")
        try:
            data = json.loads(body)
            return ProviderEvent(
                event_id=str(data["id"]), type=str(data["type"]),
                provider_payment_id=str(data["data"]["payment_id"]),
                failure_code=str(data["data"].get("failure_code", "")),
                failure_message=str(data["data"].get("failure_message", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise InvalidSignature("malformed body") from None


def sandbox_signature(body: bytes, timestamp: int) -> str:
    secret = settings.BILLING_SANDBOX_WEBHOOK_SECRET.encode()
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sandbox_webhook(event_type: str, provider_payment_id: str, *, event_id: str | None = None,
                    timestamp: int | None = None, **data: str) -> tuple[bytes, dict[str, str]]:
    """A signed webhook body and headers, as the sandbox would send them (tests and demos)."""
    body = json.dumps({"id": event_id or f"evt_{uuid.uuid4().hex}", "type": event_type,
                       "data": {"payment_id": provider_payment_id, **data}}).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    return body, {SIGNATURE_HEADER: f"t={timestamp},v1={sandbox_signature(body, timestamp)}"}
