"""The request id reaches Celery tasks (through a real broker and worker) and outbox events."""

import io
import json
import logging
import time

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from community_service.observability.logging import JsonFormatter
from community_service.observability.request_context import request_id_var
from community_service.outbox.models import OutboxEvent
from tests.conftest import client_for
from tests.factories import CommunityFactory, member_add
from tests.routes import url_for

seen: list[str | None] = []
# A Celery app of its own on the test Redis (the project's runs eagerly in tests); the
# request-id hooks are Celery signals, so they serve every app in the process alike.
broker_app = Celery("tests-request-id", broker=settings.REDIS_URL, set_as_current=False)


@broker_app.task(name="tests.remember_request_id")
def remember_request_id() -> None:
    logging.getLogger("tests.task").info("task ran")
    seen.append(request_id_var.get())


@pytest.fixture
def worker():
    with start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def test_a_task_queued_during_a_request_logs_with_that_requests_id(worker):
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())
    task_logger = logging.getLogger("tests.task")
    task_logger.addHandler(handler)
    seen.clear()
    token = request_id_var.set("req-celery-1")
    try:
        remember_request_id.apply_async()
    finally:
        request_id_var.reset(token)
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    task_logger.removeHandler(handler)
    assert seen == ["req-celery-1"]
    # The task's JSON log line names the request too (formatted in the worker, as it is emitted).
    line = next(json.loads(line) for line in lines.getvalue().splitlines() if '"task ran"' in line)
    assert line["request_id"] == "req-celery-1"


@pytest.mark.django_db
def test_an_outbox_event_carries_the_request_id_of_its_write():
    community = CommunityFactory()
    api = client_for(member_add(community))
    response = api.post(url_for("post-list", community_pk=community.pk), {"title": "t", "content": "c"},
                        HTTP_X_REQUEST_ID="req-outbox-7")
    assert response.status_code == 201
    assert OutboxEvent.objects.get(event_type="post.created").metadata["request_id"] == "req-outbox-7"
