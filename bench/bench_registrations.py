"""RSVP under load over HTTP: 200 members register at once for 50 seats, 20 times.

    .venv/bin/python bench/bench_registrations.py [--runs 20] [--members 200] [--seats 50] [--workers 4]
        [--threads 8]

Starts gunicorn (gthread workers, DEBUG=false settings, Redis cache) on a free loopback
port against its own database (community_service_bench_events, created and migrated on
first run), then for every run schedules a fresh event and releases all registration
requests together from client threads (one HTTP connection each), then the same callers
read the event at once (the baseline the registration latency is compared with, as a
ratio within the run). Every run must end with
exactly `seats` going and the rest waitlisted in arrival order (positions 1..N, the first
`seats` arrivals going, registration times in position order) and counters equal to rows.
Prints one JSON line per run and a summary line.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                                    "postgres://postgres@127.0.0.1:5432/community_service_bench_events")
os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CACHE_KEY_PREFIX", "bench-events")
os.environ["DJANGO_SETTINGS_MODULE"] = "community_service.settings_test"
SLUG = "rsvp-bench"
TASK_BROKER_URL = os.environ.get("BENCH_TASK_BROKER_URL", "redis://127.0.0.1:6379/14")


def setup_django() -> None:
    from community_service.devtools.cli import _ensure_database

    _ensure_database("postgresql://postgres@127.0.0.1:5432/postgres", BENCH_DATABASE_URL.rsplit("/", 1)[1])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)


def prepare(members: int) -> tuple[object, list[str]]:
    """The bench community with `members` active members; their access tokens."""
    from django.db.models import F
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import AccessToken

    from communities.models import Community
    from communities.services import community_create
    from members.models import Member, User
    from members.tokens import user_claims

    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        owner = User.objects.create_user(email="rsvp-bench@example.com", username="rsvp-bench",
                                         password="bench-pass-123")
        community = community_create(owner=owner, name="RSVP bench", community_type="public", slug=SLUG)
    have = Member.objects.filter(community=community, is_owner=False).count()
    if have < members:
        role = community.roles.get(name="Member")
        users = User.objects.bulk_create(
            User(username=f"rsvp{n}", email=f"rsvp{n}@example.com") for n in range(have, members))
        rows = Member.objects.bulk_create(
            Member(community=community, user=user, status="active", joined_at=timezone.now()) for user in users)
        Member.roles.through.objects.bulk_create(Member.roles.through(member_id=m.pk, role_id=role.pk) for m in rows)
        Community.objects.filter(pk=community.pk).update(member_count=F("member_count") + len(rows))
    users = [m.user for m in Member.objects.filter(community=community, is_owner=False)
             .select_related("user").order_by("user__username")[:members]]
    tokens = []
    for user in users:
        token = AccessToken.for_user(user)
        for claim, value in user_claims(user).items():
            token[claim] = value
        tokens.append(str(token))
    return community, tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    # Without a pool each request thread holds its own connection: workers × threads must stay
    # well inside max_connections, which the machine's other test sessions share.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "community_service.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
         "--log-level", "warning"],
        # Warnings and errors only: a log line per request would bury the results.
        # A task broker as in production: requests enqueue the outbox publish instead of
        # running it inline (no worker runs; the queue is emptied afterwards).
        cwd=BASE_DIR, env={**os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings_test",
                           "LOG_LEVEL": "WARNING", "CELERY_BROKER_URL": TASK_BROKER_URL,
                           "CELERY_TASK_ALWAYS_EAGER": "false"},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def burst(*, port: int, method: str, path: str, tokens: list[str]) -> tuple[list[tuple[int, float]], float]:
    """Send one request per token at the same moment; (status, ms) per request and the wall time."""
    barrier = threading.Barrier(len(tokens))
    results: list[tuple[int, float]] = [(0, 0.0)] * len(tokens)

    def send(index: int, token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.connect()
        barrier.wait()
        started = time.perf_counter()
        conn.request(method, path, headers={"Authorization": f"Bearer {token}", "Content-Length": "0"})
        response = conn.getresponse()
        response.read()
        results[index] = (response.status, (time.perf_counter() - started) * 1000)
        conn.close()

    threads = [threading.Thread(target=send, args=(i, t)) for i, t in enumerate(tokens)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def percentiles(results: list[tuple[int, float]]) -> tuple[float, float]:
    latencies = sorted(ms for _, ms in results)
    return round(statistics.median(latencies), 1), round(latencies[int(len(latencies) * 0.95) - 1], 1)


def one_run(*, port: int, community: object, tokens: list[str], seats: int) -> dict:
    from django.utils import timezone

    from events.models import Event, Registration

    starts = timezone.now() + timedelta(days=1)
    event = Event.objects.create(community=community, organizer=community.owner, title="Bench meetup",
                                 starts_at=starts, ends_at=starts + timedelta(hours=2), location="Hall",
                                 capacity=seats)
    results, wall = burst(port=port, method="POST", path=f"/api/v1/events/{event.pk}/registration", tokens=tokens)
    # The same callers reading the event at once: the baseline the registrations compare with.
    reads, _ = burst(port=port, method="GET", path=f"/api/v1/events/{event.pk}", tokens=tokens)
    event.refresh_from_db()
    rows = list(Registration.objects.filter(event=event).order_by("position"))
    statuses = [r.status for r in rows]
    exact = (
        [status for status, _ in results] == [201] * len(tokens)
        and [r.position for r in rows] == list(range(1, len(tokens) + 1))
        and statuses == ["going"] * seats + ["waitlisted"] * (len(tokens) - seats)
        and [r.registered_at for r in rows] == sorted(r.registered_at for r in rows)
        and (event.going_count, event.waitlist_count) == (statuses.count("going"), statuses.count("waitlisted"))
        == (seats, len(tokens) - seats)
    )
    p50, p95 = percentiles(results)
    read_p50, read_p95 = percentiles(reads)
    return {"exact": exact and all(status == 200 for status, _ in reads),
            "errors": sum(status != 201 for status, _ in results), "going": event.going_count,
            "waitlisted": event.waitlist_count, "wall_s": round(wall, 2),
            "requests_per_s": round(len(tokens) / wall, 1), "p50_ms": p50, "p95_ms": p95,
            "read_p50_ms": read_p50, "read_p95_ms": read_p95, "p50_ratio_to_read": round(p50 / read_p50, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8, help="per worker")
    args = parser.parse_args()
    setup_django()
    community, tokens = prepare(args.members)
    port = free_port()
    server = start_server(port, args.workers, args.threads)
    try:
        runs = []
        for number in range(1, args.runs + 1):
            result = one_run(port=port, community=community, tokens=tokens, seats=args.seats)
            runs.append(result)
            print(json.dumps({"run": number, **result}), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        import redis

        redis.Redis.from_url(TASK_BROKER_URL).delete("celery")  # the publish tasks nobody ran
    print("summary " + json.dumps({
        "runs": len(runs), "exact_runs": sum(r["exact"] for r in runs),
        "requests_per_s_median": statistics.median(r["requests_per_s"] for r in runs),
        "p50_ms_median": statistics.median(r["p50_ms"] for r in runs),
        "p95_ms_median": statistics.median(r["p95_ms"] for r in runs),
        "read_p50_ms_median": statistics.median(r["read_p50_ms"] for r in runs),
        "p50_ratio_to_read_median": statistics.median(r["p50_ratio_to_read"] for r in runs),
    }))


if __name__ == "__main__":
    main()
