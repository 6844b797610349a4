"""Search at scale over HTTP: wrk against the shipped web server (DEBUG=false, the Dockerfile's command).

    .venv/bin/python bench/bench_search.py [--communities 1000000] [--posts 5000000]
        [--jobs 2] [--duration 5] [--rounds 3] [--connections 2] [--workers 4] [--port 18401]
        [--load-only]

1. Data (once, reused): its own database (BENCH_DATABASE_URL, default cs_search_bench),
   migrated; communities and posts in mixed Russian and English (half the communities are
   `ru`, half `en`; code words such as "python" in both) streamed with COPY by --jobs
   processes, with a progress bar. The search triggers index every row as it arrives; the
   secondary indexes are dropped for the load and rebuilt afterwards (faster than keeping
   them up to date row by row). The biggest community holds 10 % of the posts.
2. Server: granian with the flags and the 4 workers community_service/deploy/entrypoint.sh
   gives it (bench/web_server.py), DEBUG=false, Redis cache with CACHE_DEFAULT_TTL=0 (cache off: every
   request is answered from PostgreSQL), throttling out of the way.
3. For each query (common term, rare term, two-word phrase, typo, prefix) on the community
   list and on the posts of the biggest community: one checked request (status 200, what
   matched), then wrk for --duration seconds, every query once per round for --rounds
   rounds (a slow minute of a shared machine then weighs on all alike); p50/p95/p99 from
   wrk's own histogram, the median of the rounds (each round's p95 is printed too).

wrk is the Debian package; it is installed with apt-get when missing. Prints one JSON
line per measurement and a Markdown table at the end.
"""

# Why this is long: a benchmark that builds its data set, starts the shipped server and prints its table in
# one runnable script.

import argparse
import bisect
import importlib
import json
import multiprocessing
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from web_server import WORKERS, web_command  # the entrypoint's command

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The environment the bench was started with. load() sets Django up with the test settings,
# which write their defaults into os.environ (DB_POOL_ENABLED=false among them); a server
# started from that environment opened a new PostgreSQL connection for every request
# (~10 ms each on the bench machine), so the server gets this copy instead.
LAUNCH_ENV = dict(os.environ)
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cs_search_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
PSYCOPG_URL = DATABASE_URL.replace("postgres://", "postgresql://", 1)
BIGGEST_SLUG = "search-bench-biggest"
BIGGEST = 1  # community number 1: a Russian-speaking one (odd numbers are "ru")

# --- Text: Zipf-distributed words, so some are common and most are rare ------------------
EN_SYL = ["ta", "ro", "mi", "ke", "lo", "sa", "ver", "den", "pol", "tri", "gan", "bel", "cor", "dis", "mon",
          "pre", "sta", "lin", "ter", "ful", "ing", "ment", "tion", "al", "er", "ous", "ic", "ly"]
RU_SYL = ["ка", "ро", "ми", "ле", "на", "ст", "ва", "по", "де", "ры", "ти", "гра", "зна", "бор", "ель",
          "ско", "тье", "ние", "ость", "ок", "ин", "ой", "ать", "ами", "ях", "ого", "ему", "ую"]
EN_REAL = ("community club people project open source code team design music photo travel garden book film "
           "game news science history art cooking running bike city weekend meetup help question answer idea "
           "release update guide tutorial review story learning machine data cloud web mobile server database "
           "security network startup product market money health sport football chess language school").split()
RU_REAL = ("сообщество клуб люди проект открытый код команда дизайн музыка фото путешествия сад книга фильм "
           "игра новости наука история искусство кулинария бег велосипед город выходные встреча помощь вопрос "
           "ответ идея релиз обновление руководство обзор история обучение машинное данные облако сервер база "
           "безопасность сеть стартап продукт рынок деньги здоровье спорт футбол шахматы язык школа "
           "программирование программирования программированию разработка разработку разработки").split()
# Placed at fixed Zipf ranks: "python" common, "programming" fairly common, "kubernetes" rare.
EN_FIXED = {3: "python", 40: "programming", 5000: "kubernetes"}
RU_FIXED = {5: "python", 45: "программирование", 5200: "kubernetes"}
VOCAB_SIZE = 8000
PHRASE_EN, PHRASE_RU = "machine learning", "машинного обучения"
PHRASE_RATE = 0.01  # share of texts that contain the phrase

QUERIES = [
    ("common term", "python"),
    ("rare term", "kubernetes"),
    ("two-word phrase", '"машинное обучение"'),
    ("typo", "pyhton"),
    ("prefix", "prog"),
]
# The biggest community speaks Russian: its search-as-you-type prefix is Russian.
POST_QUERIES = [*QUERIES[:4], ("prefix", "прог")]


def _vocabulary(seed: int, syllables: list[str], real: list[str], fixed: dict[int, str]) -> list[str]:
    rng = random.Random(seed)
    words = list(dict.fromkeys(real))
    seen = set(words) | set(fixed.values())
    while len(words) < VOCAB_SIZE:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    words = [w for w in words if w not in fixed.values()]
    rng.shuffle(words)
    for rank, word in sorted(fixed.items()):
        words.insert(min(rank, len(words)), word)
    return words


class Text:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab = {"en": _vocabulary(1, EN_SYL, EN_REAL, EN_FIXED), "ru": _vocabulary(2, RU_SYL, RU_REAL, RU_FIXED)}
        weights = [1.0 / (rank + 1) for rank in range(VOCAB_SIZE)]
        total, self.cum = 0.0, []
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def words(self, language: str, n: int) -> list[str]:
        vocab, cum, total, rnd = self.vocab[language], self.cum, self.total, self.rng.random
        return [vocab[bisect.bisect(cum, rnd() * total)] for _ in range(n)]

    def sentence(self, language: str, low: int, high: int, *, capital: bool = True) -> str:
        words = self.words(language, self.rng.randint(low, high))
        if self.rng.random() < PHRASE_RATE:
            words.insert(self.rng.randrange(len(words) + 1), PHRASE_RU if language == "ru" else PHRASE_EN)
        if capital:
            words = [w.capitalize() if w == "python" else w for w in words]
            words[0] = words[0].capitalize()
        return " ".join(words)


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


# --- Loading -------------------------------------------------------------------------
def _progress(label: str, done: int, total: int, started: float) -> None:
    width = 30
    share = done / total if total else 1
    rate = done / max(time.monotonic() - started, 1e-6)
    eta = (total - done) / rate if rate else 0
    bar = "#" * int(width * share) + "." * (width - int(width * share))
    sys.stderr.write(f"\r{label:<12} [{bar}] {share:6.1%} {done:>10,}/{total:,}  {rate:,.0f} rows/s  ETA {eta:,.0f}s ")
    sys.stderr.flush()


def _copy_communities(job: int, jobs: int, start: int, stop: int, owner_id: str,
                      queue: "multiprocessing.Queue") -> None:
    import psycopg

    text = Text(seed=1000 + job)
    now = datetime.now(UTC)
    columns = ("id, name, slug, description, community_type, status, owner_id, post_moderation, member_count, "
               "post_count, language, created_at, updated_at")
    with psycopg.connect(PSYCOPG_URL) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY communities_community ({columns}) FROM STDIN") as copy:
            sent = 0
            for n in range(start + job, stop, jobs):
                language = "ru" if n % 2 else "en"
                name = text.sentence(language, 2, 4)
                created = now - timedelta(seconds=n * 7)
                row = (str(uuid.uuid5(uuid.NAMESPACE_URL, f"c{n}")), _copy_text(name), f"c-{n}",
                       _copy_text(text.sentence(language, 8, 20)), "public", "active", owner_id, "f",
                       str(1 + int(10_000 / (1 + n % 5000))), "0", language, created.isoformat(), created.isoformat())
                copy.write("\t".join(row) + "\n")
                sent += 1
                if sent % 5000 == 0:
                    queue.put(5000)
            queue.put(sent % 5000)


def _copy_posts(job: int, jobs: int, start: int, stop: int, communities: int, owner_id: str,
                queue: "multiprocessing.Queue") -> None:
    import psycopg

    text = Text(seed=2000 + job)
    rng = random.Random(3000 + job)
    now = datetime.now(UTC)
    columns = ("id, community_id, author_id, title, content, status, rejection_reason, is_pinned, comments_locked, "
               "like_count, view_count, comment_count, published_at, created_at, updated_at")
    with psycopg.connect(PSYCOPG_URL) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY content_post ({columns}) FROM STDIN") as copy:
            sent = 0
            for n in range(start + job, stop, jobs):
                # 10 % in the biggest community, the rest skewed towards the first communities.
                skewed = int(rng.paretovariate(0.6)) - 1 + rng.randrange(50)
                c = BIGGEST if n % 10 == 0 else min(communities - 1, skewed)
                language = "ru" if c % 2 else "en"
                published = now - timedelta(seconds=n)
                row = (str(uuid.uuid5(uuid.NAMESPACE_URL, f"p{n}")), str(uuid.uuid5(uuid.NAMESPACE_URL, f"c{c}")),
                       owner_id, _copy_text(text.sentence(language, 3, 8)),
                       _copy_text(text.sentence(language, 20, 45)), "published", "", "f", "f",
                       str(n % 97), "0", "0", published.isoformat(), published.isoformat(), published.isoformat())
                copy.write("\t".join(row) + "\n")
                sent += 1
                if sent % 5000 == 0:
                    queue.put(5000)
            queue.put(sent % 5000)


def _run_jobs(label: str, target: object, jobs: int, total: int, args: tuple) -> None:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=target, args=(job, jobs, *args, queue)) for job in range(jobs)]
    started = time.monotonic()
    for process in processes:
        process.start()
    done = 0
    while any(p.is_alive() for p in processes) or not queue.empty():
        try:
            done += queue.get(timeout=0.5)
        except Exception:  # queue.Empty: redraw the bar
            pass
        _progress(label, done, total, started)
    for process in processes:
        process.join()
        if process.exitcode:
            raise SystemExit(f"{label}: a loader process failed ({process.exitcode}).")
    sys.stderr.write("\n")


def _secondary_indexes(cur: object, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes that back no constraint."""
    cur.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = %s AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)""",
        [table],
    )
    return cur.fetchall()


# (table, trigger that adds its words to the typo vocabulary, the migration's backfill SQL)
VOCABULARY = [
    ("communities_community", "communities_search_words",
     importlib.import_module("communities.migrations.0011_community_name_search_words").BACKFILL),
    ("content_post", "content_post_search_words",
     importlib.import_module("content.migrations.0007_post_title_search_words").BACKFILL),
]


def load(communities: int, posts: int, jobs: int) -> dict:
    import django
    import psycopg

    from community_service.devtools.cli import _ensure_database

    _ensure_database("postgresql://postgres@127.0.0.1:5432/postgres", urllib.parse.urlparse(DATABASE_URL).path[1:])
    os.environ["DJANGO_SETTINGS_MODULE"] = "community_service.settings_test"
    os.environ["DATABASE_URL"] = DATABASE_URL
    django.setup()
    from django.core.management import call_command

    from members.models import User

    call_command("migrate", verbosity=0)
    owner = User.objects.filter(username="search-bench").first() or User.objects.create_user(
        email="search-bench@example.com", username="search-bench", password="search-bench-pass-1")
    timings: dict = {}
    with psycopg.connect(PSYCOPG_URL, autocommit=True) as conn, conn.cursor() as cur:
        have_c = cur.execute("SELECT count(*) FROM communities_community").fetchone()[0]
        have_p = cur.execute("SELECT count(*) FROM content_post").fetchone()[0]
        if have_c >= communities and have_p >= posts:
            return {"reused": True, "communities": have_c, "posts": have_p}
        if have_c or have_p:
            raise SystemExit("The bench database holds a different scale: drop it (dropdb cs_search_bench) and rerun.")
        saved = _secondary_indexes(cur, "communities_community") + _secondary_indexes(cur, "content_post")
        for name, _ in saved:
            cur.execute(f'DROP INDEX "{name}"')
        # The typo vocabulary's row triggers run after the statement, one lookup per word of
        # every row: over 20 minutes for 5,000,000 titles, against one set-based pass after.
        for table, trigger, _ in VOCABULARY:
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        started = time.monotonic()
        _run_jobs("communities", _copy_communities, jobs, communities, (0, communities, str(owner.pk)))
        timings["communities_copy_s"] = round(time.monotonic() - started, 1)
        cur.execute("UPDATE communities_community SET slug = %s, name = 'Python и данные: большое сообщество' "
                    "WHERE slug = %s", [BIGGEST_SLUG, f"c-{BIGGEST}"])
        started = time.monotonic()
        _run_jobs("posts", _copy_posts, jobs, posts, (0, posts, communities, str(owner.pk)))
        timings["posts_copy_s"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        cur.execute("SET maintenance_work_mem = '1GB'")
        for i, (_name, definition) in enumerate(saved, 1):
            _progress("indexes", i - 1, len(saved), started)
            cur.execute(definition)
        _progress("indexes", len(saved), len(saved), started)
        sys.stderr.write("\n")
        for table, trigger, backfill in VOCABULARY:
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            cur.execute(backfill)  # what the migration that added the trigger runs
        cur.execute("UPDATE communities_community c SET post_count = p.n FROM "
                    "(SELECT community_id, count(*) n FROM content_post GROUP BY community_id) p "
                    "WHERE p.community_id = c.id")
        cur.execute("VACUUM ANALYZE communities_community")
        cur.execute("VACUUM ANALYZE content_post")
        timings["indexes_and_analyze_s"] = round(time.monotonic() - started, 1)
    return {"reused": False, "communities": communities, "posts": posts, **timings}


# --- Measuring -----------------------------------------------------------------------
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT {\\"requests\\": %d, \\"seconds\\": %.2f, \\"errors\\": %d, \\"non2xx\\": %d, "
    .. "\\"p50_ms\\": %.1f, \\"p95_ms\\": %.1f, \\"p99_ms\\": %.1f, \\"max_ms\\": %.1f}\\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    print("wrk is missing: installing the Debian package ...", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env={**os.environ,
                   "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk") or sys.exit("wrk could not be installed.")


def server_env() -> dict[str, str]:
    """The web server's environment: the shipped settings with the cache off, whatever the
    bench was launched from."""
    return {
        **LAUNCH_ENV,
        "DJANGO_SETTINGS_MODULE": "community_service.settings",
        "ENV_FILE": "none",  # no developer's .env
        # As shipped, whatever launched the bench: `make bench` runs it from pytest, whose
        # Django setup (settings_test) has already turned the pool off in os.environ.
        "DB_POOL_ENABLED": "true",
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-0123456789-0123456789-abcdef",
        "JWT_SECRET_KEY": "bench-jwt-secret-key-0123456789-0123456789-abc",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "search-bench",
        "CACHE_DEFAULT_TTL": "0",  # cache off: nothing is kept, every request reaches PostgreSQL
        "SECURE_SSL_REDIRECT": "false",
        "EVENT_BROKER_TYPE": "log",
        "THROTTLE_ANON_RATE": "10000000/min",
        "THROTTLE_USER_RATE": "10000000/min",
    }


def start_server(port: int, workers: int) -> subprocess.Popen:
    command = web_command(port, workers=workers)  # the shipped server (bench/web_server.py)
    server = subprocess.Popen(command, cwd=ROOT, env=server_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the web server did not answer /health.")


def measure(wrk: str, url: str, *, duration: int, connections: int, script: str) -> dict:
    output = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", script, url],
        capture_output=True, text=True, check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=5_000_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per query, interleaved; medians are shown")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--port", type=int, default=18401)
    parser.add_argument("--load-only", action="store_true")
    args = parser.parse_args()

    loaded = load(args.communities, args.posts, args.jobs)
    print(json.dumps({"data": loaded}), flush=True)
    if args.load_only:
        return
    wrk = ensure_wrk()
    server = start_server(args.port, args.workers)
    rows = []
    try:
        from communities.models import Community

        biggest = Community.objects.get(slug=BIGGEST_SLUG)
        base = f"http://127.0.0.1:{args.port}/api/v1"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(LUA)
        # Baselines in the same run (the machine may be shared): the same lists without a search.
        plan = [(target, "baseline: no search", "", f"{base}{path}?" + urllib.parse.urlencode(params))
                for target, path, params in (("communities", "/communities", {}),
                                             ("posts of the biggest community", f"/communities/{biggest.pk}/posts",
                                              {"cursor": "", "ordering": "new"}))]
        plan += [(target, label, query, f"{base}{path}?" + urllib.parse.urlencode({"search": query}))
                 for target, path, queries in (
                     ("communities", "/communities", QUERIES),
                     ("posts of the biggest community", f"/communities/{biggest.pk}/posts", POST_QUERIES))
                 for label, query in queries]
        checked = {}
        for *_, url in plan:
            with urllib.request.urlopen(url, timeout=30) as response:  # checked request, and a warm-up
                checked[url] = json.load(response)
            for _ in range(5):
                urllib.request.urlopen(url, timeout=30).read()
        # Rounds: every query once per round, in turn, so a slow minute of a shared machine
        # weighs on all of them alike; each figure is the median of the rounds' figures.
        runs: dict[str, list[dict]] = {url: [] for *_, url in plan}
        for round_number in range(1, args.rounds + 1):
            for *_, url in plan:
                runs[url].append(measure(wrk, url, duration=args.duration, connections=args.connections,
                                         script=lua.name))
            print(json.dumps({"round": round_number, "p95_ms": [runs[url][-1]["p95_ms"] for *_, url in plan]}),
                  flush=True)
        for target, label, query, url in plan:
            series = runs[url]
            result = {key: statistics.median(run[key] for run in series)
                      for key in ("p50_ms", "p95_ms", "p99_ms", "rps")}
            result.update({key: sum(run[key] for run in series) for key in ("requests", "seconds", "errors", "non2xx")},
                          max_ms=max(run["max_ms"] for run in series), rounds_p95_ms=[run["p95_ms"] for run in series])
            body = checked[url]
            if query:
                row = {"target": target, "query": label, "q": query, "match": body["match"], "total": body["total"],
                       "total_capped": body["total_capped"],
                       "top": body["items"][0]["highlight"] if body["items"] else None, **result}
                print(json.dumps(row, ensure_ascii=False), flush=True)
            else:
                row = {"target": target, "query": label, "q": "", "match": "-", "total": "-", "total_capped": False,
                       **result}
                print(json.dumps({"baseline": True, **row}, ensure_ascii=False), flush=True)
            rows.append(row)
        os.unlink(lua.name)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print("\n| target | query | `search` | match | total | req/s | p50 ms | p95 ms (× baseline) | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    baseline = {r["target"]: r["p95_ms"] for r in rows if r["q"] == ""}
    for r in rows:
        total = f"> {r['total']}" if r["total_capped"] else str(r["total"])
        r["p95_ms"] = f"{r['p95_ms']} ({r['p95_ms'] / baseline[r['target']]:.1f}×)"
        print(f"| {r['target']} | {r['query']} | `{r['q']}` | {r['match']} | {total} | {r['rps']} | {r['p50_ms']} | "
              f"**{r['p95_ms']}** | {r['p99_ms']} |")


if __name__ == "__main__":
    main()
