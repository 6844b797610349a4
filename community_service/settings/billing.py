"""Billing settings (docs/billing.md): payment providers, webhooks, amounts, the provider breaker and expiry."""

from community_service.settings.core import env

# Providers by name -> class path; the sandbox moves no money (make run, tests).
BILLING_PROVIDERS = {"sandbox": "billing.providers.sandbox.SandboxProvider",
                     **env.json("BILLING_PROVIDERS", default={})}
BILLING_DEFAULT_PROVIDER = env.str("BILLING_DEFAULT_PROVIDER", default="sandbox")
BILLING_SANDBOX_WEBHOOK_SECRET = env.str("BILLING_SANDBOX_WEBHOOK_SECRET", default="sandbox-webhook-secret")
# A signed webhook older (or newer) than this is refused, so a captured one cannot be replayed later.
BILLING_WEBHOOK_TOLERANCE_SECONDS = env.int("BILLING_WEBHOOK_TOLERANCE_SECONDS", default=300)
# Upper limit of one donation or level price, in any currency.
BILLING_MAX_AMOUNT = env.str("BILLING_MAX_AMOUNT", default="10000.00")
# Seed 003: the breaker opens after 5 consecutive failures and half-opens after 30 seconds.
BILLING_BREAKER_FAIL_MAX = env.int("BILLING_BREAKER_FAIL_MAX", default=5)
BILLING_BREAKER_RESET_SECONDS = env.int("BILLING_BREAKER_RESET_SECONDS", default=30)
BILLING_EXPIRY_INTERVAL_SECONDS = env.float("BILLING_EXPIRY_INTERVAL_SECONDS", default=60.0)
BILLING_TOP_DONORS = env.int("BILLING_TOP_DONORS", default=10)  # per currency
