"""Fire HTTP requests at the same moment from threads and read back what each one committed.

Each request runs on its own thread and PostgreSQL connection (tests/concurrency.py), after
a barrier, so the writes really overlap. Every request carries its own X-Request-ID; the
outbox stores it in each event's metadata, so a test can check that every answered write
left exactly its events, and that a refused or retried one left none.
"""

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rest_framework.test import APIClient

from community_service.observability.request_context import request_id_var
from community_service.outbox.models import OutboxEvent
from members.models import User
from tests.concurrency import run_concurrently
from tests.conftest import create_test_token
from tests.routes import url_for


@dataclass(frozen=True)
class Call:
    """One request of a race: `name` labels it in assertions."""

    name: str
    token: str
    method: str
    url: str
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)  # e.g. {"Idempotency-Key": "k"}


@dataclass(frozen=True)
class Job:
    """Work of a race that is not an authenticated JSON request: a beat task, an admin's
    click, a provider's signed webhook. `run(request_id)` returns the HTTP status it got
    (or None: it returned normally, 200); it tags its outbox events with `request_id`
    (a job that is no request runs with it set as the current request id)."""

    name: str
    run: Callable[[str], int | None]


@dataclass(frozen=True)
class Outcome:
    name: str
    status: int
    request_id: str
    body: Any


def token(user: User) -> str:
    return create_test_token(user.pk)


url = url_for  # the scenarios' short name for it


def meta(headers: dict[str, str]) -> dict[str, str]:
    """Request headers as Django's test client takes them (HTTP_X_NAME=value)."""
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


def _send(call: Call, barrier: threading.Barrier) -> Outcome:
    api = APIClient()
    api.raise_request_exception = False  # a crash must come back as a 500 to count, not raise here
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {call.token}")
    request_id = f"race-{uuid.uuid4().hex}"
    barrier.wait(timeout=30)
    response = getattr(api, call.method)(call.url, call.body or {}, format="json", HTTP_X_REQUEST_ID=request_id,
                                         **meta(call.headers))
    body = getattr(response, "data", None)
    return Outcome(name=call.name, status=response.status_code, request_id=request_id, body=body)


def _run(job: Job, barrier: threading.Barrier) -> Outcome:
    request_id = f"race-{uuid.uuid4().hex}"
    barrier.wait(timeout=30)
    token_ = request_id_var.set(request_id)
    try:
        status = job.run(request_id)
    finally:
        request_id_var.reset(token_)
    return Outcome(name=job.name, status=200 if status is None else status, request_id=request_id, body=None)


def race(calls: list[Call | Job]) -> dict[str, Outcome]:
    """Send every call (and run every job) at once; outcomes by name. Fails on any 5xx, naming the request."""
    barrier = threading.Barrier(len(calls))
    outcomes = run_concurrently([
        (lambda call=call: _send(call, barrier)) if isinstance(call, Call) else (lambda job=call: _run(job, barrier))
        for call in calls
    ])
    server_errors = [(o.name, o.status, o.body) for o in outcomes if o.status >= 500]
    assert not server_errors, server_errors
    return {outcome.name: outcome for outcome in outcomes}


def outbox_mark() -> int:
    """The newest outbox row id: events after it belong to the next race."""
    return OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(mark: int) -> dict[str | None, Counter[str]]:
    """Event types recorded after `mark`, grouped by the request id that recorded them."""
    grouped: dict[str | None, Counter[str]] = {}
    for request_id, event_type in OutboxEvent.objects.filter(id__gt=mark).values_list(
        "metadata__request_id", "event_type"
    ):
        grouped.setdefault(request_id, Counter())[event_type] += 1
    return grouped


def assert_outbox(mark: int, outcomes: dict[str, Outcome],
                  expected: dict[str, list[str] | tuple[list[str], ...]]) -> None:
    """The outbox holds exactly `expected[name]` for each request (a tuple: one of those lists,
    where the interleaving decides), and nothing from anywhere else."""
    events = events_since(mark)
    for name, outcome in outcomes.items():
        wanted = expected.get(name, [])
        choices = wanted if isinstance(wanted, tuple) else (wanted,)
        got = events.pop(outcome.request_id, Counter())
        assert any(got == Counter(choice) for choice in choices), (name, outcome.status, got)
    assert not events, f"events from no request of this race: {events}"
