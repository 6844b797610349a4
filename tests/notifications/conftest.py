from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], AbstractContextManager]:
    """Run what a block enqueues after commit (subscriber dispatch, fan-out, mail) as a real
    commit would: the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _outbox_broker_log(settings) -> Iterator[None]:
    settings.EVENT_BROKER_TYPE = "log"
    yield
