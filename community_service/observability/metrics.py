"""Prometheus metrics: requests, database queries, cache, Celery tasks and the outbox.

Served at `/metrics` in the Prometheus text format, only to a caller presenting
`Authorization: Bearer <METRICS_TOKEN>` (unset: the endpoint is a 404); a Celery worker
serves its task metrics on WORKER_METRICS_PORT, a port of its own, and the gRPC server its
calls (`grpc_calls_total`) on GRPC_METRICS_PORT. Each web server worker
(granian or gunicorn) is its own process, so the entrypoint sets PROMETHEUS_MULTIPROC_DIR
and the view adds up every worker's samples (prometheus-client's multiprocess mode).
"""

import hmac
import os
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from celery.signals import task_failure, task_postrun, task_prerun, task_retry, worker_init
from django.conf import settings
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# `*_created` series double the output and no alert reads them.
disable_created_metrics()

REQUESTS = Counter("http_requests_total", "HTTP requests by route, method and status.",
                   ["route", "method", "status"])
LATENCY = Histogram("http_request_duration_seconds", "Time to answer an HTTP request, by route and method.",
                    ["route", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
DB_QUERIES = Histogram("http_request_db_queries", "Database queries made while answering one request, by route.",
                       ["route"], buckets=(0, 1, 2, 3, 5, 8, 13, 20, 50, 100))
CACHE = Counter("cache_requests_total", "Cache-aside reads by key family and result (hit or miss).",
                ["cache", "result"])
TASKS = Counter("celery_tasks_total", "Celery task runs by task name and outcome (succeeded, failed, retried).",
                ["task", "outcome"])
GRPC_CALLS = Counter("grpc_calls_total", "gRPC calls by calling service (its credential's name, or api-key), "
                     "method and status code.", ["service", "method", "code"])
TASK_DURATION = Histogram("celery_task_duration_seconds", "Celery task run time, by task name.", ["task"])

UNMATCHED = "<unmatched>"


def cache_observe(key: str, *, hit: bool) -> None:
    """Count a cache-aside read; the key family is the key's first segment (`community`, `posts` …)."""
    CACHE.labels(cache=key.split(":", 1)[0], result="hit" if hit else "miss").inc()


def _route(request: HttpRequest) -> str:
    # The URL pattern, not the path: one series per endpoint, whatever the ids in the URL.
    # (A regular-expression pattern's anchors, if one is ever used, are dropped.)
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return UNMATCHED
    return "/" + match.route.removeprefix("^").removesuffix("$")


# Queries of the current request: a box the middleware sets and the connection's wrapper fills.
_query_box: ContextVar[list[int] | None] = ContextVar("metrics_db_queries", default=None)


def _count_query(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
    box = _query_box.get()
    if box is not None:
        box[0] += 1
    return execute(sql, params, many, context)


@receiver(connection_created, dispatch_uid="metrics_count_queries")
def _install_query_counter(sender: Any, connection: Any, **kwargs: Any) -> None:
    # Installed once per connection object (kept across reconnects): cheaper per request
    # than a wrapper entered and left around every request.
    if _count_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_query)


# (route, method, status) -> its series; bounded by the URL patterns, methods and statuses.
_series: dict[tuple[str, str | None, int], tuple[Any, Any, Any]] = {}


class MetricsMiddleware:
    """Times each request and counts its database queries, labelled by URL pattern."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        box = [0]
        token = _query_box.set(box)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            _query_box.reset(token)
        elapsed = time.perf_counter() - started
        queries = box[0]
        key = (_route(request), request.method, response.status_code)
        series = _series.get(key)
        if series is None:  # labels() costs more than the observation itself: resolve each set once
            route, method, status = key
            series = _series[key] = (REQUESTS.labels(route=route, method=method, status=str(status)),
                                     LATENCY.labels(route=route, method=method), DB_QUERIES.labels(route=route))
        series[0].inc()
        series[1].observe(elapsed)
        series[2].observe(queries)
        return response


class OutboxCollector:
    """Outbox backlog and lag, read from PostgreSQL at scrape time (the same numbers as /health/ready)."""

    NAMES = ("outbox_up", "outbox_pending_events", "outbox_failed_events", "outbox_oldest_pending_age_seconds")

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registration asks for the names; without this it would query the database at import.
        for name in self.NAMES:
            yield GaugeMetricFamily(name, name)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from community_service.outbox.selectors import outbox_lag

        try:
            lag = outbox_lag()
        except Exception:  # a scrape must answer even with the database down; `up`-style gauge says so
            yield GaugeMetricFamily("outbox_up", "1 if the outbox could be read.", value=0)
            return
        yield GaugeMetricFamily("outbox_up", "1 if the outbox could be read.", value=1)
        yield GaugeMetricFamily("outbox_pending_events", "Domain events waiting to be published.", value=lag.pending)
        yield GaugeMetricFamily("outbox_failed_events", "Domain events given up on (need a retry).", value=lag.failed)
        yield GaugeMetricFamily("outbox_oldest_pending_age_seconds",
                                "Age of the oldest pending event: the publishing lag.",
                                value=lag.oldest_pending_age_seconds)


_OUTBOX = OutboxCollector()
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    REGISTRY.register(_OUTBOX)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_OUTBOX)
        return registry
    return REGISTRY


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: for Prometheus only (bearer METRICS_TOKEN); a 404 to everyone else."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


@worker_init.connect(dispatch_uid="metrics_worker_http")
def _serve_worker_metrics(**kwargs: Any) -> None:
    """A Celery worker's task metrics live in its own processes: with WORKER_METRICS_PORT set, its
    main process serves them (every child's, summed) on that port, reachable only inside the
    deployment's network (compose publishes no such port)."""
    port = int(os.environ.get("WORKER_METRICS_PORT") or 0)
    if port:
        start_http_server(port, registry=_registry())


def serve_grpc_metrics() -> None:
    """The gRPC server's calls, by calling service, on GRPC_METRICS_PORT (unset: not served)."""
    port = int(os.environ.get("GRPC_METRICS_PORT") or 0)
    if port:
        start_http_server(port, registry=_registry())


# --- Celery task outcomes (in the worker process; eager tasks count in the web process) ---
_task_started: dict[str, float] = {}


@task_prerun.connect(dispatch_uid="metrics_task_prerun")
def _task_prerun(task_id: str, task: Any, **kwargs: Any) -> None:
    _task_started[task_id] = time.perf_counter()


@task_postrun.connect(dispatch_uid="metrics_task_postrun")
def _task_postrun(task_id: str, task: Any, state: str | None = None, **kwargs: Any) -> None:
    started = _task_started.pop(task_id, None)
    if started is not None:
        TASK_DURATION.labels(task=task.name).observe(time.perf_counter() - started)
    if state == "SUCCESS":
        TASKS.labels(task=task.name, outcome="succeeded").inc()


@task_failure.connect(dispatch_uid="metrics_task_failure")
def _task_failure(sender: Any = None, **kwargs: Any) -> None:
    TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="failed").inc()


@task_retry.connect(dispatch_uid="metrics_task_retry")
def _task_retry(sender: Any = None, **kwargs: Any) -> None:
    TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="retried").inc()
