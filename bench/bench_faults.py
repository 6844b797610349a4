"""What a dead dependency costs: reads with Redis gone, writes with the event broker gone.

    .venv/bin/python bench/bench_faults.py [--communities 20000] [--duration 10] [--check]

Over HTTP, with wrk (Debian's package; installed if missing) against gunicorn as the image
runs it (DEBUG=false, 4 sync workers), on its own database (BENCH_DATABASE_URL, default
community_service_faults_bench) with N public communities. One run, these servers in turn:

- redis up:      REDIS_URL = this machine's Redis (the baseline: every read a cache miss);
- redis refused: REDIS_URL = a loopback port nobody listens on (connection refused);
- redis hung:    REDIS_URL = a loopback port that accepts and never answers (timeouts);
- broker up / broker down: EVENT_BROKER_TYPE=rabbitmq, RABBITMQ_URL = this machine's
  RabbitMQ / a dead port; authenticated POST /api/v1/communities, then the outbox is
  counted: every write must have succeeded and left its event pending, none lost.

Reads are real misses: detail walks distinct community ids (more ids than requests) and the
list adds a unique `_miss` parameter, which the list cache key includes. The target
(issue 17): with Redis unreachable, detail and list run at no less than half their cache-miss
rate with Redis up. Ratios are within this run; the machine may be shared.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/community_service_faults_bench")
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
RABBITMQ = os.environ.get("BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
SECRETS = {"SECRET_KEY": "bench-secret-key-0123456789-0123456789-abcdef",
           "JWT_SECRET_KEY": "bench-jwt-secret-key-0123456789-0123456789-abcdef"}

_DONE = """
done = function(summary, latency, requests)
  io.write(string.format('\\nRESULT {"requests": %d, "duration_us": %d, "p99_us": %d, "non_2xx": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""
_DETAIL = """
local ids, i = {}, 0
init = function(args) for line in io.lines(args[1]) do ids[#ids + 1] = line end end
request = function() i = i % #ids + 1; return wrk.format("GET", "/api/v1/communities/" .. ids[i]) end
""" + _DONE
_LIST = """
local i = 0
request = function() i = i + 1; return wrk.format("GET", "/api/v1/communities?page=1&page_size=20&_miss=" .. i) end
""" + _DONE
_WRITE = """
local i = 0
init = function(args) token = args[1] end
request = function()
  i = i + 1
  return wrk.format("POST", "/api/v1/communities", {["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json"}, '{"name": "Bench write ' .. i .. '"}')
end
""" + _DONE


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


def prepare_database(communities: int) -> list[str]:
    url = urlparse(BENCH_DB)
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.path[1:]]).fetchone():
            conn.execute(f'CREATE DATABASE "{url.path[1:]}"')
    env = {**os.environ, "DATABASE_URL": BENCH_DB, "DJANGO_SETTINGS_MODULE": "community_service.settings_test"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    with psycopg.connect(BENCH_DB, autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM communities_community WHERE name LIKE 'Fault bench %%'").fetchone()[0]
        if have < communities:
            owner = conn.execute(
                "INSERT INTO members_user (id, password, is_superuser, username, first_name, last_name, email, "
                "is_staff, is_active, date_joined) VALUES (gen_random_uuid(), '!', false, 'faultbench', '', '', "
                "'faultbench@example.com', false, true, now()) ON CONFLICT (username) DO UPDATE SET is_active = true "
                "RETURNING id").fetchone()[0]
            conn.execute(
                "INSERT INTO communities_community (id, name, slug, description, community_type, status, owner_id, "
                "post_moderation, member_count, post_count, created_at, updated_at) "
                "SELECT gen_random_uuid(), 'Fault bench ' || n, 'fault-bench-' || n, 'A community for the bench', "
                "'public', 'active', %s, false, 1, 0, now(), now() FROM generate_series(%s::int, %s::int) AS n "
                "ON CONFLICT (slug) DO NOTHING", [owner, have + 1, communities])
        conn.execute("DELETE FROM community_service_outboxevent")
        rows = conn.execute("SELECT id FROM communities_community WHERE name LIKE 'Fault bench %%' LIMIT %s",
                            [communities]).fetchall()
    return [str(row[0]) for row in rows]


class HungRedis:
    """Accepts connections and never answers: Redis stuck rather than gone."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.accepted: list[socket.socket] = []
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.sock.getsockname()[1]}/0"

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                continue

    def close(self) -> None:
        self.stop.set()
        for conn in self.accepted:
            conn.close()
        self.sock.close()


class Server:
    def __init__(self, **env: str) -> None:
        self.port = _free_port()
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")},
            **SECRETS, "DEBUG": "false", "ENV_FILE": "none", "DATABASE_URL": BENCH_DB,
            "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "127.0.0.1", "THROTTLE_ANON_RATE": "1000000/min",
            "THROTTLE_USER_RATE": "1000000/min", "EVENT_BROKER_TYPE": "log", "CACHE_KEY_PREFIX": "faultbench",
            "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher", "LOG_LEVEL": "WARNING", **env,
        }
        self.log = tempfile.NamedTemporaryFile(prefix="faults-server-", suffix=".log", delete=False)

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "community_service.wsgi:application", "--bind",
             f"127.0.0.1:{self.port}", "--workers", "4", "--timeout", "30"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2)
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"server did not start; see {self.log.name}")

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(port: int, script: str, args: list[str], duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    out = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{duration}s", "--timeout", "10s", "-s", lua.name, f"http://127.0.0.1:{port}",
         "--", *args], capture_output=True, text=True, check=True,
    ).stdout
    result = json.loads(out.split("RESULT ", 1)[1])
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    return result


def token(port: int) -> str:
    body = json.dumps({"email": "faultwriter@example.com", "username": "faultwriter",
                       "password": "fault-bench-password-2026"}).encode()
    headers = {"Content-Type": "application/json"}
    try:
        response = urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/register", body, headers), timeout=10)
    except urllib.error.HTTPError:  # registered by an earlier run: log in instead
        body = json.dumps({"email": "faultwriter@example.com", "password": "fault-bench-password-2026"}).encode()
        response = urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/token", body, headers), timeout=10)
    return json.load(response)["access"]


def pending_events() -> int:
    with psycopg.connect(BENCH_DB) as conn:
        return conn.execute("SELECT count(*) FROM community_service_outboxevent WHERE status = 'pending' "
                            "AND event_type = 'community.created'").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    options = parser.parse_args()
    ensure_wrk()
    ids = prepare_database(options.communities)
    ids_file = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
    ids_file.write("\n".join(ids))
    ids_file.close()
    import redis

    results: dict[str, dict] = {}
    hung = HungRedis()
    # "no breaker": REDIS_BREAKER_SECONDS=0, every cache call tries Redis again (as before issue 17).
    for label, redis_url, breaker in (("redis up", BENCH_REDIS, "5"), ("redis refused", "redis://127.0.0.1:1/0", "5"),
                                      ("redis hung", hung.url, "5"),
                                      ("refused, no breaker", "redis://127.0.0.1:1/0", "0"),
                                      ("hung, no breaker", hung.url, "0")):
        if label == "redis up":
            redis.Redis.from_url(BENCH_REDIS).flushdb()
        with Server(REDIS_URL=redis_url, REDIS_BREAKER_SECONDS=breaker) as server:
            results[f"detail, {label}"] = wrk(server.port, _DETAIL, [ids_file.name], options.duration)
            if "no breaker" not in label:
                results[f"list, {label}"] = wrk(server.port, _LIST, [], options.duration)
    hung.close()

    writes: dict[str, int] = {}
    for label, broker in (("broker up", RABBITMQ), ("broker down", "amqp://guest:guest@127.0.0.1:1//")):
        with psycopg.connect(BENCH_DB, autocommit=True) as conn:
            conn.execute("DELETE FROM community_service_outboxevent")
        with Server(REDIS_URL=BENCH_REDIS, EVENT_BROKER_TYPE="rabbitmq", RABBITMQ_URL=broker,
                    RABBITMQ_EXCHANGE="faultbench.events", OUTBOX_PUBLISH_TIMEOUT="1") as server:
            results[f"write, {label}"] = wrk(server.port, _WRITE, [token(server.port)], options.duration)
        writes[label] = pending_events()

    print(f"{'run':<24} {'req/s':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, result in results.items():
        print(f"{name:<24} {result['rps']:>8} {result['p99_us'] / 1000:>8.1f} {result['non_2xx']:>8}")
    ratios = {
        f"{route}, {fault} / redis up": results[f"{route}, {fault}"]["rps"] / results[f"{route}, redis up"]["rps"]
        for route in ("detail", "list") for fault in ("redis refused", "redis hung")
    }
    for fault in ("refused, no breaker", "hung, no breaker"):
        ratios[f"detail, {fault} / redis up"] = results[f"detail, {fault}"]["rps"] / results["detail, redis up"]["rps"]
    ratios["write, broker down / broker up"] = results["write, broker down"]["rps"] / results["write, broker up"]["rps"]
    for name, ratio in ratios.items():
        print(f"{name:<40} {ratio:.2f}")
    down = results["write, broker down"]
    print(f"broker down: {down['requests']} writes, {down['non_2xx']} refused, {writes['broker down']} events "
          f"pending in the outbox (broker up: {writes['broker up']} pending)")
    if options.check:
        missed = [name for name, ratio in ratios.items()
                  if name.startswith(("detail", "list")) and "no breaker" not in name and ratio < 0.5]
        if down["non_2xx"] or writes["broker down"] < down["requests"]:
            missed.append("broker down: every write succeeds and its event waits in the outbox")
        if missed:
            sys.exit(f"targets missed: {missed}")


if __name__ == "__main__":
    main()
