"""HTTP benchmark of the request path (issues 12 and 41): the shipped stack, wrk, one table.

    python bench/bench_http.py [--rounds 3] [--duration 5] [--nginx] [--peer]
                               [--server granian|gunicorn] [--worker-class sync|gthread] [--threads 4]
    python bench/bench_http.py --compare-with DIR [--rounds 7]

What it does, in one run:
1. installs wrk from Debian's packages if it is missing (apt-get; needs root);
2. creates the database BENCH_DATABASE_URL (default cs_bench_http) if missing, migrates it,
   and fills it once with 100,000 communities by generate_series SQL (reused afterwards);
3. starts the web server the way community_service/deploy/entrypoint.sh does (granian, 4
   worker processes; or gunicorn's 4 sync workers with --server gunicorn; DEBUG=false,
   Redis cache at BENCH_REDIS_URL or REDIS_URL, which is flushed) three times side by side:
   as shipped, with CACHE_DEFAULT_TTL=0 (no body is stored: every list read is a miss), and
   without throttling (to price the throttle);
   with --nginx, also the shipped nginx.conf with Debian's nginx in front of the shipped
   server (bench/nginx_local.py; its anonymous rate raised, wrk being one address); with
   --peer, also the FastAPI service of ../shared/peers/fastapi (its run.sh; PEER_VENV);
4. runs `wrk -t1 -c32` against /health, a community detail cache hit, the same hit without
   throttling, the same hit signed in (a bearer token of a seeded user), a detail cache miss
   (each request a different community, cache flushed first), list page 1 and page 500 (both
   misses), the same routes through nginx and on the peer, interleaved for --rounds rounds;
5. prints the median req/s and p99 per route and the issue's ratios (per round, then the
   median), each target marked met or not.

--compare-with DIR runs another checkout (a `git worktree add --detach` of an older commit)
beside this one, each on its own database, the same routes interleaved (the pair's order
swapped every round), and prints per route the req/s ratio and the servers' CPU time per
request (from /proc), which other tenants' load moves far less than req/s.

Throttling runs at full cost but with rates so high nothing is refused (wrk counts any
non-2xx/3xx answer, and the script fails the run if there was one).
"""

# Why this is long: one script for the whole request path (seed, servers, nginx, the peer, an
# older checkout) so that every figure of docs/performance.md's table comes from one run.

import argparse
import contextlib
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

from nginx_local import LocalNginx  # bench/nginx_local.py: the shipped nginx.conf on this machine
from web_server import web_command  # bench/web_server.py: the entrypoint's command

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
COMMUNITIES = 100_000
DEEP_PAGE = 500  # page_size 20: rows 9,980-9,999, the deepest page the list serves (MAX_PAGE_OFFSET)


def sh(*args: str, env: dict | None = None, check: bool = True, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, check=check, capture_output=True, text=True)


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


def ensure_database(env: dict, root: Path = ROOT) -> None:
    """Migrates the database with the code of `root` (this checkout, or --compare-with's)."""
    import psycopg

    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    sh(PY, "manage.py", "migrate", "--no-input", env={**env, "DJANGO_SETTINGS_MODULE": "community_service.settings"},
       cwd=root)
    with psycopg.connect(url, autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM communities_community").fetchone()[0]
        if have >= COMMUNITIES:
            return
        print(f"seeding {COMMUNITIES:,} communities into {name} (once)", flush=True)
        # token_generation (members 0006) has no database default; an older checkout (--compare-with) lacks it.
        generation = conn.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'members_user' "
                                  "AND column_name = 'token_generation'").fetchone()
        conn.execute(f"""
            INSERT INTO members_user (id, password, is_superuser, username, first_name, last_name, email,
                                      is_staff, is_active, date_joined{', token_generation' if generation else ''})
            SELECT gen_random_uuid(), '!', false, 'owner' || i, '', '', 'owner' || i || '@bench.example',
                   false, true, now(){', 0' if generation else ''}
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
                 server: str = "granian", root: Path = ROOT) -> None:
        self.port = free_port()
        self.root = root
        self.env = {**env, "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="bench-http-prom-")}
        self.args = web_command(self.port, workers=workers, server=server, worker_class=worker_class,
                                threads=threads)
        self.log = log

    def __enter__(self) -> "Server":
        self.out = self.log.open("ab")
        self.proc = subprocess.Popen(self.args, cwd=self.root, env=self.env, stdout=self.out, stderr=self.out,
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
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "requests": requests, "p99_ms": float(p99.group(1)) * scale,
            "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(0) if socket_errors else "", "raw": out}


class Variant:
    """One checkout's code on its own database (migrated by that code, seeded alike): the
    servers' environment, the community a hit reads, the ids a miss walks, a bearer token."""

    def __init__(self, label: str, root: Path, database_url: str, redis_url: str, work: Path) -> None:
        self.label, self.root = label, root
        # Own key prefix: two versions of the code may store different bodies in one Redis.
        self.env = {**base_env(database_url, redis_url), "CACHE_KEY_PREFIX": f"bench_http_{label}"}
        ensure_database(self.env, root)
        ids = public_ids(self.env, 60_000)
        # A seeded owner's token (JWT_ACCESS_TOKEN_MINUTES: longer than a run) for the signed-in hit.
        self.bearer = "Authorization: Bearer " + sh(PY, "manage.py", "issue_token", "--user", "owner1@bench.example",
                                                    env=self.env, cwd=root).stdout.strip()
        self.hit_path = f"/api/v1/communities/{ids[0]}"
        (work / f"ids-{label}.txt").write_text("\n".join(ids[1:]) + "\n")
        self.miss_lua = work / f"miss-{label}.lua"
        self.miss_lua.write_text(
            'local ids = {}\nfor line in io.lines("%s") do ids[#ids + 1] = line end\nlocal i = 0\n'
            'request = function()\n  i = i %% #ids + 1\n'
            '  return wrk.format("GET", "/api/v1/communities/" .. ids[i])\nend\n' % (work / f"ids-{label}.txt"))


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of the live processes of a process group: a server and its workers."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ... utime (11), stime (12)
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def run_rounds(binary: str, plan: list[tuple], *, rounds: int, duration: int, redis_url: str,
               groups: dict[str, int] | None = None) -> dict[str, list[dict]]:
    """wrk over every (name, server url, path, wrk script, header) of `plan`, interleaved round
    by round (on a shared machine the load of the moment weighs on every route alike). Within a
    round, entries sharing a route (the same name before ':') swap order every round. With
    `groups` (server url → process group), each run also gets the server's CPU µs per request,
    which other tenants' load moves far less than req/s."""
    runs: dict[str, list[dict]] = {name: [] for name, *_ in plan}
    for round_number in range(1, rounds + 1):
        ordered = plan if round_number % 2 else _swap_pairs(plan)
        for name, url, path, script, header in ordered:
            if script is not None:
                flush_redis(redis_url)  # every id of the run is read for the first time
            elif "hit" in name:
                urllib.request.urlopen(url + path)  # cached (again, after a flush)
            pgid = (groups or {}).get(url)
            before = group_cpu_seconds(pgid) if pgid else 0.0
            result = wrk(binary, url + path, duration=duration, script=script, header=header)
            if pgid:
                result["cpu_us"] = (group_cpu_seconds(pgid) - before) / max(result["requests"], 1) * 1e6
            runs[name].append(result)
        print(f"  round {round_number}: " + ", ".join(f"{n} {r[-1]['rps']:,.0f}" for n, r in runs.items()),
              flush=True)
    return runs


def _swap_pairs(plan: list[tuple]) -> list[tuple]:
    out: list[tuple] = []
    for entry in plan:
        if out and out[-1][0].split(":")[0] == entry[0].split(":")[0]:
            out.insert(len(out) - 1, entry)
        else:
            out.append(entry)
    return out


def median_of(series: list[dict]) -> dict:
    ordered = sorted(series, key=lambda r: r["rps"])
    return {**ordered[len(ordered) // 2], "non2xx": sum(r["non2xx"] for r in series),
            "p99_ms": sorted(r["p99_ms"] for r in series)[len(series) // 2]}


COMPARED_ROUTES = [
    ("health", "GET /health"),
    ("detail_hit", "GET /api/v1/communities/{id}, cache hit"),
    ("detail_hit_signed_in", "same, signed in (bearer token)"),
    ("detail_miss", "GET /api/v1/communities/{id}, cache miss"),
    ("list_page_1", "GET /api/v1/communities?page=1&page_size=20, cache miss"),
    ("list_deep_page", f"GET /api/v1/communities?page={DEEP_PAGE}&page_size=20, cache miss"),
]


def compare(binary: str, options: argparse.Namespace, env_urls: tuple[str, str], work: Path,
            server_options: dict) -> dict[str, list[dict]]:
    """This checkout against --compare-with's, the same routes interleaved in one run."""
    database_url, redis_url = env_urls
    other = Path(options.compare_with).resolve()
    variants = [Variant("this", ROOT, database_url, redis_url, work),
                Variant("other", other, database_url + "_compare", redis_url, work)]
    print(f"comparing {ROOT} ({sh('git', 'rev-parse', '--short', 'HEAD').stdout.strip()}) with {other} "
          f"({sh('git', 'rev-parse', '--short', 'HEAD', cwd=other).stdout.strip()})", flush=True)
    flush_redis(redis_url)
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(Server(env, **server_options, root=v.root))
                   for v in variants for env in (v.env, {**v.env, "CACHE_DEFAULT_TTL": "0"})]
        plan = []
        for name, _ in COMPARED_ROUTES:
            for i, v in enumerate(variants):
                cached, uncached = servers[2 * i], servers[2 * i + 1]
                path = {"detail_hit": v.hit_path, "detail_hit_signed_in": v.hit_path, "detail_miss": "",
                        "list_page_1": "/api/v1/communities?page=1&page_size=20",
                        "list_deep_page": f"/api/v1/communities?page={DEEP_PAGE}&page_size=20"}.get(name, "/health")
                url = uncached.url if name.startswith("list") else cached.url
                plan.append((f"{name}:{v.label}", url, path, v.miss_lua if name == "detail_miss" else None,
                             v.bearer if name == "detail_hit_signed_in" else None))
        runs = run_rounds(binary, plan, rounds=options.rounds, duration=options.duration, redis_url=redis_url,
                          groups={s.url: s.proc.pid for s in servers})
    print("\n| route | this req/s | other req/s | this ÷ other, req/s (median of rounds; range) | "
          "server CPU µs/request, this / other | this ÷ other, CPU per request (median; range) |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, label in COMPARED_ROUTES:
        this, that = runs[f"{name}:this"], runs[f"{name}:other"]
        ratios = sorted(a["rps"] / b["rps"] for a, b in zip(this, that, strict=True))
        cpu = sorted(a["cpu_us"] / b["cpu_us"] for a, b in zip(this, that, strict=True))
        cpu_this, cpu_that = (sorted(r["cpu_us"] for r in series)[len(series) // 2] for series in (this, that))
        print(f"| `{label}` | {median_of(this)['rps']:,.0f} | {median_of(that)['rps']:,.0f} | "
              f"{ratios[len(ratios) // 2]:.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f}) | "
              f"{cpu_this:,.0f} / {cpu_that:,.0f} | "
              f"{cpu[len(cpu) // 2]:.2f} ({cpu[0]:.2f}-{cpu[-1]:.2f}) |")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per route, interleaved; the median is shown")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (shipped: sync)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker for gthread")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS_COUNT", 4)))
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian",
                        help="granian as shipped (entrypoint.sh), or gunicorn (WEB_SERVER=gunicorn) to compare")
    parser.add_argument("--nginx", action="store_true",
                        help="also measure through the shipped nginx.conf (Debian's /usr/sbin/nginx) in front of "
                             "the shipped server")
    parser.add_argument("--peer", action="store_true",
                        help="also measure the FastAPI peer (../shared/peers/fastapi) in the same run")
    parser.add_argument("--compare-with", metavar="DIR",
                        help="another checkout (e.g. a `git worktree add --detach` of an older commit): its "
                             "server against this one's, route by route in the same run, on a database of its own")
    options = parser.parse_args()
    # A TERM (or an INT in a background job, which ignores INT) still stops the servers on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    binary = ensure_wrk()
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cs_bench_http")
    redis_url = os.environ.get("BENCH_REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    work = Path(tempfile.mkdtemp(prefix="bench-http-"))
    server_options = {"worker_class": options.worker_class, "threads": options.threads, "workers": options.workers,
                      "log": work / "server.log", "server": options.server}
    kind = "granian (WSGI)" if options.server == "granian" else f"gunicorn {options.worker_class}"
    print(f"{kind}, {options.workers} workers; wrk -t1 -c32 -d{options.duration}s, "
          f"{options.rounds} rounds (median)", flush=True)
    if options.compare_with:
        runs = compare(binary, options, (database_url, redis_url), work, server_options)
        bad = {name: r["non2xx"] for name, r in ((n, median_of(s)) for n, s in runs.items()) if r["non2xx"]}
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; logs: {work}")
        if bad:
            sys.exit(f"non-2xx/3xx answers during the run: {bad}")
        return

    this = Variant("this", ROOT, database_url, redis_url, work)
    flush_redis(redis_url)
    list_1, list_deep = "/api/v1/communities?page=1&page_size=20", f"/api/v1/communities?page={DEEP_PAGE}&page_size=20"
    with contextlib.ExitStack() as stack:
        cached = stack.enter_context(Server(this.env, **server_options))
        uncached = stack.enter_context(Server({**this.env, "CACHE_DEFAULT_TTL": "0"}, **server_options))
        open_ = stack.enter_context(Server({**this.env, "DJANGO_SETTINGS_MODULE": "bench.settings_http_nothrottle"},
                                           **server_options))
        plan = [
            ("health", cached.url, "/health", None, None),
            ("detail_hit", cached.url, this.hit_path, None, None),
            ("detail_hit_no_throttle", open_.url, this.hit_path, None, None),
            ("detail_hit_signed_in", cached.url, this.hit_path, None, this.bearer),
            ("detail_miss", cached.url, "", this.miss_lua, None),
            ("list_page_1", uncached.url, list_1, None, None),
            ("list_deep_page", uncached.url, list_deep, None, None),
        ]
        if options.nginx:
            # The shipped nginx.conf in front of the shipped server; its anonymous rate raised
            # (wrk is one address sending thousands a second), everything else as shipped.
            front = stack.enter_context(LocalNginx(upstream_port=cached.port, listen_port=port_in_range(),
                                                   anonymous_rate="1000000r/s"))
            require_nginx_hit(front.url + this.hit_path)
            plan += [
                ("nginx_health", front.url, "/health", None, None),
                ("nginx_detail_anonymous", front.url, this.hit_path, None, None),
                ("nginx_detail_signed_in", front.url, this.hit_path, None, this.bearer),
                ("nginx_list_page_1", front.url, list_1, None, None),
            ]
        if options.peer:
            peer = stack.enter_context(Peer(port_in_range(), redis_url, work))
            peer_hit = f"/api/v1/communities/{peer.hit_id}"
            plan += [
                ("peer_health", peer.url, "/health", None, None),
                ("peer_detail_hit", peer.url, peer_hit, None, None),
                ("peer_detail_miss", peer.url, f"{peer_hit}?nocache=1", None, None),
                ("peer_list_page_1", peer.url, list_1, None, None),
                ("peer_list_deep_page", peer.url, list_deep, None, None),
            ]
        runs = run_rounds(binary, plan, rounds=options.rounds, duration=options.duration, redis_url=redis_url)
    results = {name: median_of(series) for name, series in runs.items()}
    bad = {name: r["non2xx"] for name, r in results.items() if r["non2xx"]}
    print_tables(results, runs)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"server log and wrk scripts: {work}")
    if bad:
        sys.exit(f"non-2xx/3xx answers during the run: {bad}")


ROWS = [  # label, ours directly, ours through nginx, the FastAPI peer directly
    ("`GET /health`", "health", "nginx_health", "peer_health"),
    ("community detail, anonymous, cache hit", "detail_hit", "nginx_detail_anonymous", "peer_detail_hit"),
    ("same, throttling switched off", "detail_hit_no_throttle", None, None),
    ("same, signed in (bearer token)", "detail_hit_signed_in", "nginx_detail_signed_in", None),
    ("community detail, cache miss", "detail_miss", None, "peer_detail_miss"),
    ("list page 1 (miss directly)", "list_page_1", "nginx_list_page_1", "peer_list_page_1"),
    (f"list page {DEEP_PAGE} (miss)", "list_deep_page", None, "peer_list_deep_page"),
]


def print_tables(results: dict[str, dict], runs: dict[str, list[dict]]) -> None:
    """The request-path table (docs/performance.md) and the issue's targets, as ratios of one run."""
    def cell(name: str | None) -> str:
        if name is None or name not in results:
            return "—"
        return f"{results[name]['rps']:,.0f} ({results[name]['p99_ms']:.0f} ms)"

    def ratio(ours: str, theirs: str) -> float | None:
        """Median over rounds of the per-round ratio (both ran minutes apart at most)."""
        if ours not in runs or theirs not in runs:
            return None
        values = sorted(a["rps"] / b["rps"] for a, b in zip(runs[ours], runs[theirs], strict=True))
        return values[len(values) // 2]

    print("\nreq/s (p99), medians over rounds\n\n| route | ours, directly | ours, through nginx | FastAPI peer | "
          "ours ÷ peer (best of ours) |\n| --- | ---: | ---: | ---: | ---: |")
    for label, direct, front, peer in ROWS:
        best = max((n for n in (direct, front) if n in results), key=lambda n: results[n]["rps"])
        shown = ratio(best, peer) if peer else None
        print(f"| {label} | {cell(direct)} | {cell(front)} | {cell(peer)} | "
              f"{'—' if shown is None else f'{shown:.0%}'} |")
    targets = []
    deep_cost = ratio("list_page_1", "list_deep_page")
    targets.append((f"list page {DEEP_PAGE} costs ≤ 1.5× page 1", deep_cost <= 1.5, f"{deep_cost:.2f}×"))
    throttle = ratio("detail_hit_no_throttle", "detail_hit")
    targets.append(("throttling's cost on a hit (no target)", True, f"{throttle - 1:+.0%}"))
    if (cached_vs_peer := ratio("nginx_detail_anonymous", "peer_detail_hit")) is not None:
        targets.append(("detail anonymous through nginx ≥ 1.5× the peer's hit", cached_vs_peer >= 1.5,
                        f"{cached_vs_peer:.2f}×"))
    if (lists := ratio("list_page_1", "peer_list_page_1")) is not None:
        targets.append(("list page 1 (miss, directly) ≥ the peer's", lists >= 1.0, f"{lists:.2f}×"))
    print("\n| target (ratios within the run, median of rounds) | measured | met |\n| --- | ---: | --- |")
    for label, met, shown in targets:
        print(f"| {label} | {shown} | {'yes' if met else 'NO'} |")


def port_in_range() -> int:
    """A free port from BENCH_PORTS (default 18600-18699: the range this machine's engineers gave us)."""
    low, high = (int(p) for p in os.environ.get("BENCH_PORTS", "18600-18699").split("-"))
    for port in range(low, high + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {low}-{high} (BENCH_PORTS)")


def require_nginx_hit(url: str) -> None:
    """The anonymous detail is served from nginx's cache (else the row would measure the app)."""
    statuses = []
    for _ in range(3):
        with urllib.request.urlopen(url) as response:
            statuses.append(response.headers.get("X-Cache-Status"))
    if statuses[-1] != "HIT":
        sys.exit(f"nginx did not cache the anonymous detail: X-Cache-Status {statuses}")


class Peer:
    """The FastAPI service (../shared/peers/fastapi: the seed's stack; its README and run.sh say
    how it starts) on `port`, its cache in the bench's Redis database (keys `community:{id}`,
    apart from ours), its own database `peer`. PEER_VENV and PEER_DIR are passed through."""

    def __init__(self, port: int, redis_url: str, work: Path) -> None:
        self.dir = Path(os.environ.get("PEER_DIR", ROOT.parent / "shared" / "peers" / "fastapi"))
        self.url = f"http://127.0.0.1:{port}"
        self.pidfile = work / "peer.pid"
        self.env = {**os.environ, "PORT": str(port), "PEER_REDIS_URL": redis_url, "PIDFILE": str(self.pidfile),
                    "LOGFILE": str(work / "peer.log"), "WORKERS": "4"}

    def __enter__(self) -> "Peer":
        print(f"starting the FastAPI peer from {self.dir} on {self.url}", flush=True)
        subprocess.run(["bash", str(self.dir / "run.sh")], env=self.env, check=True, capture_output=True)
        import json

        with urllib.request.urlopen(f"{self.url}/api/v1/communities?page=1&page_size=20") as response:
            self.hit_id = json.load(response)["items"][0]["id"]
        return self

    def __exit__(self, *exc: object) -> None:
        pid = int(self.pidfile.read_text())
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


if __name__ == "__main__":
    main()
