import pytest

from billing.providers.breaker import breaker_reset
from billing.providers.sandbox import LEDGER


@pytest.fixture(autouse=True)
def _fresh_provider(settings) -> None:
    # The sandbox 'bank' and the breaker (in Redis) start clean for every test.
    LEDGER.reset()
    breaker_reset(settings.BILLING_DEFAULT_PROVIDER)
    yield
    breaker_reset(settings.BILLING_DEFAULT_PROVIDER)
