"""Real deadlocks on the real PostgreSQL: the victim is retried; past the last attempt the
client gets 503 with Retry-After and a `code`, never a 500.

Two threads take two rows in opposite orders, so PostgreSQL must abort one of them
(40P01). Sessions that should lose set a short `deadlock_timeout` (the deadlock check runs
in the session whose timeout fires first); the test database's user is a superuser.
"""

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import F
from rest_framework.test import APIClient

from communities.models import Community
from community_service.api.exception_handler import exception_handler
from community_service.db import transactions as db
from community_service.db.transactions import atomic_with_retry, transient_sqlstate
from community_service.exceptions import WriteContention
from community_service.observability.logging import JsonFormatter
from content.models import Post
from tests.concurrency import run_concurrently
from tests.factories import CommunityFactory, PostFactory, member_add
from tests.races.harness import events_since, outbox_mark, token, url

pytestmark = pytest.mark.django_db(transaction=True)


def _deadlock_timeout(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL deadlock_timeout = '{value}'")


def _bump(community: Community) -> None:
    Community.objects.filter(pk=community.pk).update(post_count=F("post_count") + 1)


def _crossing_writers(a: Community, b: Community, wrap: Callable) -> tuple[list[Callable[[], object]], Counter]:
    """Two writes that bump a then b, and b then a, each holding its first row until the
    other holds its own (on the first run only: a retry goes straight through)."""
    both_hold_one = threading.Barrier(2)
    runs: Counter = Counter()

    def writer(first: Community, second: Community, name: str) -> Callable[[], object]:
        @wrap
        def write() -> str:
            runs[name] += 1
            _deadlock_timeout("50ms")
            _bump(first)
            if runs[name] == 1:
                both_hold_one.wait(timeout=10)
            _bump(second)
            return name

        def call() -> object:
            try:
                return write()
            except Exception as exc:  # the test looks at which error came out
                return exc

        return call

    return [writer(a, b, "ab"), writer(b, a, "ba")], runs


def _two_communities() -> tuple[Community, Community]:
    return CommunityFactory(bootstrap=False), CommunityFactory(bootstrap=False)


def test_the_victim_of_a_real_deadlock_runs_again_and_both_writes_commit(caplog):
    a, b = _two_communities()
    calls, runs = _crossing_writers(a, b, atomic_with_retry)
    with caplog.at_level(logging.INFO, logger="community_service.db"):
        results = run_concurrently(calls)
    assert sorted(results) == ["ab", "ba"]
    assert sorted(runs.values()) == [1, 2]  # exactly one side was aborted and ran again
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.post_count == b.post_count == 2  # nothing lost, nothing doubled
    retried = [r for r in caplog.records if r.getMessage() == "transaction retried after write contention"]
    assert [(r.sqlstate, r.attempt) for r in retried] == [("40P01", 1)]


def test_a_deadlock_on_the_last_attempt_becomes_write_contention_answered_503_with_retry_after(caplog):
    a, b = _two_communities()
    calls, _ = _crossing_writers(a, b, atomic_with_retry(attempts=1))
    with caplog.at_level(logging.WARNING, logger="community_service.db"):
        results = run_concurrently(calls)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], WriteContention)
    assert transient_sqlstate(errors[0].__cause__) == "40P01"
    a.refresh_from_db()
    assert a.post_count == 1  # the victim's first bump was rolled back
    response = exception_handler(errors[0], {})
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.data["code"] == "write_contention"
    assert [r.getMessage() for r in caplog.records] == ["transaction gave up under write contention"]


def test_a_deadlock_outside_a_retrying_service_is_still_503_not_500(caplog):
    a, b = _two_communities()
    calls, _ = _crossing_writers(a, b, transaction.atomic)
    results = run_concurrently(calls)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], OperationalError)
    with caplog.at_level(logging.WARNING, logger="community_service.api.exception_handler"):
        response = exception_handler(errors[0], {})
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.data == {"detail": WriteContention.default_detail, "code": "write_contention"}
    assert [r.sqlstate for r in caplog.records] == ["40P01"]


# Through HTTP: a pin request against a writer that takes the post and then the community,
# against the lock order. The pin holds the community and waits for the post; the writer
# then asks for the community: a deadlock, and the pin (the first to wait) is the victim.


class _JsonLines(logging.Handler):
    """Formats at emit time, in the emitting thread, as the console handler does: the
    request id comes from that thread's request context."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _pin_against_an_out_of_order_writer() -> tuple[object, str, Post, int]:
    """(pin response, its request id, the post afterwards, the outbox mark before the race)."""
    community = CommunityFactory()
    moderator = member_add(community, role="Moderator")
    post = PostFactory(community=community, author=moderator)
    holding, pin_waits = threading.Event(), threading.Event()
    request_id = "deadlock-pin-1"
    mark = outbox_mark()

    def writer() -> None:
        with transaction.atomic():
            _deadlock_timeout("10s")  # never this side's check: the pin request must be the victim
            Post.objects.select_for_update().filter(pk=post.pk).exists()
            holding.set()
            assert pin_waits.wait(timeout=10)
            _bump(community)

    def pin() -> object:
        assert holding.wait(timeout=10)
        api = APIClient()
        api.raise_request_exception = False
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token(moderator)}")
        return api.post(url("post-pin", post_id=post.pk), {}, format="json", HTTP_X_REQUEST_ID=request_id)

    def watch() -> None:
        # Its own connection, in autocommit: every poll sees the current waits.
        assert holding.wait(timeout=10)
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND wait_event_type = 'Lock'")
                if cursor.fetchone()[0]:
                    pin_waits.set()
                    return
                time.sleep(0.005)

    _, response, _ = run_concurrently([writer, pin, watch])
    post.refresh_from_db()
    return response, request_id, post, mark


def test_a_pin_that_loses_a_real_deadlock_is_retried_and_answers_200():
    handler = _JsonLines()
    logging.getLogger("community_service.db").addHandler(handler)
    try:
        response, request_id, post, mark = _pin_against_an_out_of_order_writer()
    finally:
        logging.getLogger("community_service.db").removeHandler(handler)
    assert response.status_code == 200
    assert post.is_pinned
    assert events_since(mark) == {request_id: Counter({"post.moderated": 1})}  # the aborted run left nothing
    assert len(handler.lines) == 1
    assert '"message": "transaction retried after write contention"' in handler.lines[0]
    assert f'"request_id": "{request_id}"' in handler.lines[0] and '"sqlstate": "40P01"' in handler.lines[0]


def test_a_pin_still_deadlocked_after_the_last_attempt_answers_503_with_retry_after_and_its_request_id(
    monkeypatch,
):
    monkeypatch.setattr(db, "ATTEMPTS", 1)
    handler = _JsonLines()
    logging.getLogger("community_service.db").addHandler(handler)
    try:
        response, request_id, post, mark = _pin_against_an_out_of_order_writer()
    finally:
        logging.getLogger("community_service.db").removeHandler(handler)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response["X-Request-ID"] == request_id
    assert response.json()["code"] == "write_contention"
    assert not post.is_pinned
    assert request_id not in events_since(mark)
    assert any('"message": "transaction gave up under write contention"' in line
               and f'"request_id": "{request_id}"' in line for line in handler.lines)
