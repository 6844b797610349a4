"""HTTP benchmark of the request path (issue 12): the production server, wrk, one table.

    python bench/bench_http.py [--duration 10] [--worker-class sync|gthread] [--threads 4]
                               [--server granian|gunicorn]

What it does, in one run:
1. installs wrk from Debian's packages if it is missing (apt-get; needs root);
2. creates the database BENCH_DATABASE_URL (default cs_bench_http) if missing, migrates it,
   and fills it once with 100,000 communities by generate_series SQL (reused afterwards);
3. starts the web server the way community_service/deploy/entrypoint.sh does (granian, 4
   worker processes; or gunicorn's 4 sync workers with --server gunicorn; DEBUG=false,
   Redis cache at BENCH_REDIS_URL or REDIS_URL, which is flushed) three times side by side:
   as shipped, with CACHE_DEFAULT_TTL=0 (no body is stored: every list read is a miss), and
   without throttling (to price the throttle);
4. runs `wrk -t1 -c32` against /health, a community detail cache hit, the same hit without
   throttling, the same hit signed in (a bearer token of a seeded user), a detail cache miss
   (each request a different community, cache flushed first), list page 1 and page 500 (both
   misses), interleaved for --rounds rounds;
5. prints the median req/s and p99 per route and the issue's ratios, each marked met or not.

Throttling runs at full cost but with rates so high nothing is refused (wrk counts any
non-2xx/3xx answer, and the script fails the run if there was one).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from web_server import web_command  # bench/web_server.py: the entrypoint's command

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
COMMUNITIES = 100_000
DEEP_PAGE = 500  # page_size 20: rows 9,980-9,999, the deepest page the list serves (MAX_PAGE_OFFSET)


def sh(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=check, capture_output=True, text=True)


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    print("wrk missing: apt-get install wrk", flush=True)
    sh("apt-get", "install", "-y", "-q", "wrk", env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk") or sys.exit("wrk could not be installed (apt-get needs root)")


def base_env(database_url: str, redis_url: str) -> dict:
    return {
        **os.environ,
        "ENV_FILE": "none",
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "JWT_SECRET_KEY": "bench-jwt-secret-key-not-for-production-0123456789",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "bench_http",
        "SECURE_SSL_REDIRECT": "false",
        "EVENT_BROKER_TYPE": "log",
        # Full throttling work, but nothing refused: wrk would count 429s as errors.
        "THROTTLE_ANON_RATE": "1000000000/min",
        "THROTTLE_USER_RATE": "1000000000/min",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
    }


def ensure_database(env: dict) -> None:
    import psycopg

    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    sh(PY, "manage.py", "migrate", "--no-input", env={**env, "DJANGO_SETTINGS_MODULE": "community_service.settings"})
    with psycopg.connect(url, autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM communities_community").fetchone()[0]
        if have >= COMMUNITIES:
            return
        print(f"seeding {COMMUNITIES:,} communities into {name} (once)", flush=True)
        conn.execute("""
            INSERT INTO members_user (id, password, is_superuser, username, first_name, last_name, email,
                                      is_staff, is_active, date_joined)
            SELECT gen_random_uuid(), '!', false, 'owner' || i, '', '', 'owner' || i || '@bench.example',
                   false, true, now()
            FROM generate_series(1, 1000) AS i
            ON CONFLICT DO NOTHING""")
        conn.execute("""
            WITH owners AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM members_user)
            INSERT INTO communities_community (id, name, slug, description, community_type, status, owner_id,
                                               post_moderation, member_count, post_count, language,
                                               created_at, updated_at)
            SELECT gen_random_uuid(), 'Bench community ' || i, 'bench-' || i,
                   'A community made for the HTTP benchmark, number ' || i || '.',
                   CASE mod(i, 10) WHEN 0 THEN 'private' WHEN 1 THEN 'restricted' ELSE 'public' END,
                   'active', owners.id, false, mod(i, 500), mod(i, 50), 'en',
                   now() - make_interval(secs => i), now()
            FROM generate_series(%s, %s) AS i JOIN owners ON owners.n = mod(i, (SELECT count(*) FROM owners))
            ON CONFLICT (slug) DO NOTHING""", (have + 1, COMMUNITIES))
        conn.execute("VACUUM ANALYZE communities_community")


def public_ids(env: dict, limit: int) -> list[str]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT id FROM communities_community WHERE community_type <> 'private' AND deleted_at IS NULL "
            "ORDER BY random() LIMIT %s", (limit,)).fetchall()
    return [str(row[0]) for row in rows]


def flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The web server as community_service/deploy/entrypoint.sh starts it (web), on a free
    port: granian (a Rust HTTP server with a WSGI interface, keep-alive on), or gunicorn with
    the same number of worker processes."""

    def __init__(self, env: dict, *, worker_class: str, threads: int, workers: int, log: Path,
                 server: str = "granian") -> None:
        self.port = free_port()
        self.env = {**env, "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="bench-http-prom-")}
        self.args = web_command(self.port, workers=workers, server=server, worker_class=worker_class,
                                threads=threads)
        self.log = log

    def __enter__(self) -> "Server":
        self.out = self.log.open("ab")
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=self.out, stderr=self.out,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/health", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"the server did not answer /health within 30 s (log: {self.log})")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.out.close()
        shutil.rmtree(self.env["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def wrk(binary: str, url: str, *, duration: int, script: Path | None = None, header: str | None = None) -> dict:
    args = [binary, "-t1", "-c32", f"-d{duration}s", "--latency"]
    if script:
        args += ["-s", str(script)]
    if header:
        args += ["-H", header]
    out = sh(*args, url).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale, "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(0) if socket_errors else "", "raw": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per route, interleaved; the median is shown")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (shipped: sync)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker for gthread")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS_COUNT", 4)))
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian",
                        help="granian as shipped (entrypoint.sh), or gunicorn (WEB_SERVER=gunicorn) to compare")
    options = parser.parse_args()

    binary = ensure_wrk()
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cs_bench_http")
    redis_url = os.environ.get("BENCH_REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    env = base_env(database_url, redis_url)
    ensure_database(env)
    work = Path(tempfile.mkdtemp(prefix="bench-http-"))
    ids = public_ids(env, 60_000)
    # A seeded owner's token (JWT_ACCESS_TOKEN_MINUTES: longer than a run) for the signed-in hit.
    bearer = "Authorization: Bearer " + sh(PY, "manage.py", "issue_token", "--user", "owner1@bench.example",
                                           env=env).stdout.strip()
    hit_id = ids[0]
    miss_lua = work / "miss.lua"
    (work / "ids.txt").write_text("\n".join(ids[1:]) + "\n")
    miss_lua.write_text(
        'local ids = {}\nfor line in io.lines("%s") do ids[#ids + 1] = line end\nlocal i = 0\n'
        'request = function()\n  i = i %% #ids + 1\n'
        '  return wrk.format("GET", "/api/v1/communities/" .. ids[i])\nend\n' % (work / "ids.txt"))
    server_options = {"worker_class": options.worker_class, "threads": options.threads, "workers": options.workers,
                      "log": work / "server.log", "server": options.server}
    results: dict[str, dict] = {}

    kind = "granian (WSGI)" if options.server == "granian" else f"gunicorn {options.worker_class}"
    print(f"{kind}, {options.workers} workers; wrk -t1 -c32 -d{options.duration}s, "
          f"{options.rounds} rounds (median)", flush=True)
    flush_redis(redis_url)
    # Three servers side by side, the routes interleaved round by round: on a shared machine
    # the load of the moment then weighs on every route alike, and the median drops outliers.
    with Server(env, **server_options) as cached, \
            Server({**env, "CACHE_DEFAULT_TTL": "0"}, **server_options) as uncached, \
            Server({**env, "DJANGO_SETTINGS_MODULE": "bench.settings_http_nothrottle"}, **server_options) as open_:
        hit_path = f"/api/v1/communities/{hit_id}"
        plan = [
            ("health", cached, "/health", None, None),
            ("detail_hit", cached, hit_path, None, None),
            ("detail_hit_no_throttle", open_, hit_path, None, None),
            ("detail_hit_signed_in", cached, hit_path, None, bearer),
            ("detail_miss", cached, "", miss_lua, None),
            ("list_page_1", uncached, "/api/v1/communities?page=1&page_size=20", None, None),
            ("list_deep_page", uncached, f"/api/v1/communities?page={DEEP_PAGE}&page_size=20", None, None),
        ]
        runs: dict[str, list[dict]] = {name: [] for name, *_ in plan}
        for round_number in range(1, options.rounds + 1):
            for name, server, path, script, header in plan:
                if script is not None:
                    flush_redis(redis_url)  # every id of the run is read for the first time
                elif name.startswith("detail_hit"):
                    urllib.request.urlopen(server.url + path)  # cached (again, after a flush)
                runs[name].append(wrk(binary, server.url + path, duration=options.duration, script=script,
                                      header=header))
            print(f"  round {round_number}: " + ", ".join(f"{n} {r[-1]['rps']:,.0f}" for n, r in runs.items()),
                  flush=True)
    for name, series in runs.items():
        ordered = sorted(series, key=lambda r: r["rps"])
        results[name] = {**ordered[len(ordered) // 2],
                         "non2xx": sum(r["non2xx"] for r in series),
                         "p99_ms": sorted(r["p99_ms"] for r in series)[len(series) // 2]}

    bad = {name: r["non2xx"] for name, r in results.items() if r["non2xx"]}
    health = results["health"]["rps"]
    rows = [
        ("GET /health", "health"),
        ("GET /api/v1/communities/{id}, cache hit", "detail_hit"),
        ("same, throttling switched off", "detail_hit_no_throttle"),
        ("same, signed in (bearer token)", "detail_hit_signed_in"),
        ("GET /api/v1/communities/{id}, cache miss", "detail_miss"),
        ("GET /api/v1/communities?page=1&page_size=20, cache miss", "list_page_1"),
        (f"GET /api/v1/communities?page={DEEP_PAGE}&page_size=20, cache miss", "list_deep_page"),
    ]
    print("\n| route | req/s | p99 (ms) | of /health |\n| --- | ---: | ---: | ---: |")
    for label, name in rows:
        r = results[name]
        print(f"| `{label}` | {r['rps']:,.0f} | {r['p99_ms']:.1f} | {r['rps'] / health:.0%} |")
    hit, miss = results["detail_hit"]["rps"], results["detail_miss"]["rps"]
    page1, deep = results["list_page_1"]["rps"], results["list_deep_page"]["rps"]
    throttle_cost = results["detail_hit_no_throttle"]["rps"] / hit - 1
    targets = [
        ("cache hit ≥ 75% of /health", hit / health, hit >= 0.75 * health, f"{hit / health:.0%}"),
        ("cache miss ≥ 40% of /health", miss / health, miss >= 0.40 * health, f"{miss / health:.0%}"),
        ("list page 1 ≥ 380 req/s (the FastAPI peer)", page1, page1 >= 380, f"{page1:,.0f} req/s"),
        ("deep page costs ≤ 1.5× page 1", page1 / deep, page1 / deep <= 1.5, f"{page1 / deep:.2f}×"),
        ("throttling adds ≤ 10% to a hit", throttle_cost, throttle_cost <= 0.10, f"{throttle_cost:+.0%}"),
    ]
    print("\n| target | measured | met |\n| --- | ---: | --- |")
    for label, _, met, shown in targets:
        print(f"| {label} | {shown} | {'yes' if met else 'NO'} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"server log and wrk scripts: {work}")
    if bad:
        sys.exit(f"non-2xx/3xx answers during the run: {bad}")


if __name__ == "__main__":
    main()
