"""The internal gRPC door against REST's post detail route, in one run on this machine.

    .venv/bin/python bench/bench_grpc.py [--seconds 10] [--concurrency 4] [--http-workers 1]

Starts gunicorn (`--http-workers` sync workers) and `manage.py grpcserver` (one process,
GRPC_WORKERS threads) on loopback ports 18310/18311, both with production settings
(DEBUG=false, psycopg pool, Redis cache, JSON logs at INFO to /dev/null), on their own
database (cs_grpc_bench, created and migrated on first run). Then, one after the other:

- REST `GET /api/v1/posts/{id}` with wrk (`--concurrency` connections);
- the same route from a Python client: `--concurrency` threads, each with its own
  keep-alive connection (the same client shape as the gRPC rows);
- gRPC GetPost and CheckPermission (member.kick on a target member: RBAC + hierarchy) from
  `--concurrency` threads, each with its own channel.

Every call acts for the same user (JWT over REST, x-user-id over gRPC; both count a view).
Prints one JSON line per measurement: p50/p99 in ms, calls per second, and the CPU time
the serving processes spent per call (from /proc: on a shared, busy machine latency and
throughput depend on what else runs, CPU per call much less).
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
HTTP_PORT, GRPC_PORT = 18310, 18311
TOKEN = "bench-grpc-service-token-0123456789abcdef"
# The bench's one caller, granted every method and acting for users (GRPC_CREDENTIALS_FILE).
CREDENTIALS = Path(os.environ.get("TMPDIR", "/tmp")) / "cs-bench-grpc-credentials.json"
CREDENTIALS.write_text(json.dumps({"services": [{"name": "bench", "methods": ["*"], "acts_for_users": True,
                                                 "secret_sha256": [hashlib.sha256(TOKEN.encode()).hexdigest()]}]}))
ENV = {
    "DJANGO_SETTINGS_MODULE": "community_service.settings_test",
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cs_grpc_bench"),
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    "CACHE_KEY_PREFIX": "grpc-bench",
    "DB_POOL_ENABLED": "true",  # production: a psycopg pool per process
    "GRPC_CREDENTIALS_FILE": str(CREDENTIALS),
    "GRPC_WORKERS": "8",
    "LOG_LEVEL": "INFO",
}
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

import grpc  # noqa: E402
from django.core.management import call_command  # noqa: E402

from community_service.devtools.cli import _ensure_database  # noqa: E402
from community_service.grpc_api.gen.community.v1 import communities_pb2, communities_pb2_grpc, posts_pb2, posts_pb2_grpc  # noqa: E402  # noqa: E402

SLUG = "grpc-bench"


def prepare() -> dict[str, str]:
    from rest_framework_simplejwt.tokens import AccessToken

    from communities.models import Community
    from communities.services import community_create
    from content.models import Post, PostStatus
    from members.models import User
    from members.services.memberships import member_join

    call_command("migrate", verbosity=0)
    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        owner = User.objects.create_user(email="bench-owner@example.com", username="bench-owner", password="x" * 12)
        community = community_create(owner=owner, name="gRPC bench", community_type="public", slug=SLUG)
        for name in ("reader", "target"):
            user = User.objects.create_user(email=f"bench-{name}@example.com", username=f"bench-{name}",
                                            password="x" * 12)
            member_join(community=community, user=user)
        Post.objects.create(community=community, author=owner, title="Benchmark post", content="Hello " * 50,
                            status=PostStatus.PUBLISHED, published_at=community.created_at)
    reader = User.objects.get(username="bench-reader")
    return {
        "community_id": str(community.pk),
        "post_id": str(Post.objects.filter(community=community).values_list("pk", flat=True).first()),
        "reader_id": str(reader.pk),
        "owner_id": str(community.owner_id),
        "target_id": str(User.objects.get(username="bench-target").pk),
        "jwt": str(AccessToken.for_user(reader)),
    }


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on {port}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's workers), from /proc."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        pids += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def measured(server_pid: int, run: Callable[[], dict]) -> dict:
    before = cpu_seconds(server_pid)
    result = run()
    result["server_cpu_ms_per_call"] = round((cpu_seconds(server_pid) - before) * 1000 / max(result["calls"], 1), 2)
    return result


def summary(name: str, samples: list[float], elapsed: float, errors: int = 0) -> dict:
    samples.sort()
    return {"measurement": name, "calls": len(samples), "errors": errors,
            "p50_ms": round(statistics.median(samples) * 1000, 2),
            "p99_ms": round(samples[int(len(samples) * 0.99) - 1] * 1000, 2),
            "calls_per_s": round(len(samples) / elapsed)}


def run_threads(name: str, concurrency: int, seconds: float, make_call: Callable[[], Callable[[], None]]) -> dict:
    """`concurrency` threads, each with its own connection (make_call()), calling until time is up."""
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    stop_at = [0.0]

    def worker() -> None:
        call = make_call()
        for _ in range(20):  # warm up the connection, caches and the server's threads
            call()
        mine, failed = [], 0
        start.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            try:
                call()
            except Exception:  # boundary: count it, keep measuring
                failed += 1
                continue
            mine.append(time.perf_counter() - began)
        with lock:
            samples.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds + 60  # until every thread has warmed up
    start.wait()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    for thread in threads:
        thread.join()
    return summary(name, samples, time.perf_counter() - began, errors[0])


def wrk(path: str, jwt: str, concurrency: int, seconds: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{seconds}s", "--latency",
         "-H", f"Authorization: Bearer {jwt}", f"http://127.0.0.1:{HTTP_PORT}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"measurement": "REST GET /posts/{id} (wrk)", "calls": int(re.search(r"(\d+) requests in", output)[1]),
            "errors": int(non_2xx[1]) if non_2xx else 0, "p50_ms": latency("50"), "p99_ms": latency("99"),
            "calls_per_s": round(float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--http-workers", type=int, default=1)
    args = parser.parse_args()
    _ensure_database("postgresql://postgres@127.0.0.1:5432/postgres", ENV["DATABASE_URL"].rsplit("/", 1)[1])
    ids = prepare()
    env = {**os.environ, **ENV}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env, "cwd": BASE_DIR}
    servers = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "community_service.wsgi", "-b", f"127.0.0.1:{HTTP_PORT}",
                          "-w", str(args.http_workers)], **quiet),
        subprocess.Popen([sys.executable, "manage.py", "grpcserver", "--host", "127.0.0.1", "--port", str(GRPC_PORT)],
                         **quiet),
    ]
    try:
        wait_for_port(HTTP_PORT)
        wait_for_port(GRPC_PORT)
        print(json.dumps({"setup": {"cores": os.cpu_count(), "concurrency": args.concurrency,
                                    "http_workers": args.http_workers, "grpc_threads": int(ENV["GRPC_WORKERS"]),
                                    "seconds": args.seconds}}))
        path = f"/api/v1/posts/{ids['post_id']}"
        http_pid, grpc_pid = servers[0].pid, servers[1].pid
        print(json.dumps(measured(http_pid, lambda: wrk(path, ids["jwt"], args.concurrency, args.seconds))),
              flush=True)

        def rest_call() -> Callable[[], None]:
            connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=5)
            headers = {"Authorization": f"Bearer {ids['jwt']}"}

            def call() -> None:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(response.status)
            return call

        print(json.dumps(measured(http_pid, lambda: run_threads(
            "REST GET /posts/{id} (Python client)", args.concurrency, args.seconds, rest_call))), flush=True)

        service = [("authorization", f"Bearer {TOKEN}")]

        def grpc_call(rpc: str) -> Callable[[], Callable[[], None]]:
            def make() -> Callable[[], None]:
                channel = grpc.insecure_channel(f"127.0.0.1:{GRPC_PORT}")
                if rpc == "GetPost":
                    method = posts_pb2_grpc.PostServiceStub(channel).GetPost
                    request = posts_pb2.GetPostRequest(post_id=ids["post_id"])
                    metadata = [*service, ("x-user-id", ids["reader_id"])]
                else:
                    method = communities_pb2_grpc.CommunityServiceStub(channel).CheckPermission
                    request = communities_pb2.CheckPermissionRequest(
                        user_id=ids["owner_id"], community_id=ids["community_id"], permission="member.kick",
                        target_user_id=ids["target_id"])
                    metadata = service
                return lambda: method(request, metadata=metadata, timeout=5)
            return make

        for rpc in ("GetPost", "CheckPermission"):
            print(json.dumps(measured(grpc_pid, lambda rpc=rpc: run_threads(
                f"gRPC {rpc}", args.concurrency, args.seconds, grpc_call(rpc)))), flush=True)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
