from collections.abc import Iterator

import pytest

from tests.outbox.brokers import TansuBroker


@pytest.fixture(scope="module")
def tansu() -> Iterator[TansuBroker]:
    broker = TansuBroker().start()
    yield broker
    broker.stop()
