"""Community analytics on the large data set, over HTTP, against the production server.

    .venv/bin/python bench/bench_analytics.py [--seconds 15] [--connections 4]

Builds (once: a later run reuses it) a database with `seed_demo --scale large` (community_service_analytics_bench),
runs the periodic rollup once (as beat would), then starts the server the way the container
does (community_service/deploy/entrypoint.sh web: DEBUG=false, Redis cache) four times and
drives each with wrk for the biggest community (scale-1, 400,000 posts): the rollup
dashboard with its cache on, with its cache off (CACHE_ANALYTICS_TTL=0: every request
recomputes from the rollups and the stored window), another range with its cache off (the
distinct counts and rankings computed live), and the naive raw-table query. Prints one JSON
line per measurement and the ratios.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "community_service_analytics_bench")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
VENV_BIN = Path(sys.executable).parent

WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                 + summary.errors.write + summary.errors.timeout
  io.write(string.format('WRK {"requests": %d, "seconds": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, '
    .. '"p99_ms": %.2f, "errors": %d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors))
end
"""


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "JWT_SECRET_KEY": "bench-jwt-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "SECURE_SSL_REDIRECT": "false",
        "THROTTLE_ANON_RATE": "1000000/min",
        "THROTTLE_USER_RATE": "1000000/min",
        "ALLOWED_HOSTS": "*",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def _manage(*args: str) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(), check=True,
                          capture_output=True, text=True).stdout


def prepare() -> tuple[str, str]:
    """The large data set (built once), the big community's id and its owner's token."""
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {DB_NAME}"],
                   capture_output=True)
    _manage("migrate", "--no-input", "-v0")
    built = _manage("shell", "--no-imports", "-c",
                    "from communities.models import Community as C; print(C.objects.filter(slug='scale-1').exists())")
    if built.strip() != "True":
        started = time.perf_counter()
        _manage("seed_demo", "--scale", "large")
        print(json.dumps({"seed_demo_large_seconds": round(time.perf_counter() - started, 1)}))
    # What beat does every ANALYTICS_ROLLUP_SECONDS: today's and yesterday's rollups and the
    # default-range windows (a data set built yesterday has none for today yet).
    started = time.perf_counter()
    _manage("shell", "--no-imports", "-c", "from analytics.services.rollups import rollup_recent; rollup_recent()")
    print(json.dumps({"rollup_recent_seconds": round(time.perf_counter() - started, 1)}))
    out = _manage("shell", "--no-imports", "-c",
                  "from communities.models import Community as C; c = C.objects.get(slug='scale-1');"
                  "print(c.pk, c.owner.email)")
    community_id, owner_email = out.split()
    token = _manage("issue_token", "--user", owner_email).strip()
    return community_id, token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(**extra: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen(
        [str(ROOT / "community_service/deploy/entrypoint.sh"), "web"], cwd=ROOT,
        env=_env(PORT=str(port), APP_PORT=str(port), WORKERS_COUNT="2", **extra),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"{base}/health", timeout=1).status == 200:
                return server, base
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("server did not start")


def _wrk(url: str, token: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "-s", script.name,
         "-H", f"Authorization: Bearer {token}", url],
        capture_output=True, text=True, check=True,
    ).stdout
    result = json.loads(out.split("WRK ", 1)[1])
    result["req_per_s"] = round(result["requests"] / result["seconds"], 1)
    return result


def _flush_cache() -> None:
    """Empty the bench's Redis database: a dashboard cached by an earlier measurement (for
    CACHE_ANALYTICS_TTL) must not answer the uncached one."""
    import redis

    redis.Redis.from_url(_env()["REDIS_URL"]).flushdb()


def measure(label: str, path: str, token: str, args: argparse.Namespace, **env: str) -> dict:
    _flush_cache()
    server, base = _serve(**env)
    try:
        urllib.request.urlopen(urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"}))
        result = {"measurement": label, **_wrk(base + path, token, args.seconds, args.connections)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    community_id, token = prepare()
    dashboard = f"/api/v1/communities/{community_id}/analytics"
    cached = measure("rollups, cached", dashboard, token, args)
    uncached = measure("rollups, uncached", dashboard, token, args, CACHE_ANALYTICS_TTL="0")
    # Another range (the 30 days ending yesterday) has no stored window: its distinct counts
    # and rankings run live, as right after midnight before the periodic task.
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    other_range = f"{dashboard}?from={yesterday - dt.timedelta(days=29)}&to={yesterday}"
    live = measure("rollups, uncached, another range (live rankings)", other_range, token, args,
                   CACHE_ANALYTICS_TTL="0")
    naive = measure("raw tables (naive)", f"/bench/naive/communities/{community_id}/analytics", token, args)
    print(json.dumps({"ratios": {
        "naive_p95_over_uncached_p95": round(naive["p95_ms"] / uncached["p95_ms"], 1),
        "uncached_p95_over_cached_p95": round(uncached["p95_ms"] / cached["p95_ms"], 1),
        "live_rankings_p95_over_uncached_p95": round(live["p95_ms"] / uncached["p95_ms"], 1),
    }}))
    print(json.dumps({"targets": {"uncached_p95_under_50ms": uncached["p95_ms"] < 50,
                                  "cached_p95_under_5ms": cached["p95_ms"] < 5}}))


if __name__ == "__main__":
    main()
