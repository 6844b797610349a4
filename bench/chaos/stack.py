"""The drill's own production stack: PostgreSQL, Redis, Tansu, granian, a Celery worker, the relay.

Every part listens on loopback in the port range given (CHAOS_PORT_BASE, default 18400) and
keeps its files in one temporary directory, so the drill stops and restarts them without
touching the machine's shared services.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.web_server import web_command
from tests.outbox.brokers import TansuBroker

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("CHAOS_PG_BIN", "/usr/lib/postgresql/15/bin"))
WEB_WORKERS = 3


def _as_postgres() -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Postgres:
    def __init__(self, workdir: Path, port: int) -> None:
        self.data = workdir / "pgdata"
        self.port = port
        self.log = workdir / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{port}/chaos"

    def _ctl(self, *args: str) -> None:
        subprocess.run([*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def init(self) -> None:
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
            shutil.chown(self.data, "postgres")
        subprocess.run([*_as_postgres(), str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.data}'\n"
                       "shared_buffers = 64MB\nmax_connections = 200\nfsync = on\n")
        self.start()
        subprocess.run([*_as_postgres(), str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", "postgres", "chaos"], check=True)

    def start(self) -> None:
        self._ctl("-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")


class Redis:
    def __init__(self, workdir: Path, port: int) -> None:
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        # SIGKILL: Redis gone at once, its memory lost, as when its machine dies.
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None


class Service:
    """One long-running process of ours, started again after each kill."""

    def __init__(self, name: str, argv: list[str], env: dict, workdir: Path, ready: str | None = None) -> None:
        self.name, self.argv, self.env, self.ready = name, argv, env, ready
        self.log = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        out = self.log.open("ab")
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        out.close()
        if self.ready:
            deadline = time.monotonic() + timeout
            while self.ready.encode() not in self.log.read_bytes().split(b"==> start")[-1]:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} did not start; see {self.log}")
                time.sleep(0.1)

    def mark(self) -> None:
        with self.log.open("ab") as out:
            out.write(b"\n==> start\n")

    def restart(self) -> None:
        self.mark()
        self.start()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def children(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]


class Stack:
    def __init__(self, port_base: int) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="chaos-"))
        self.postgres = Postgres(self.workdir, port_base + 1)
        self.redis = Redis(self.workdir, port_base + 2)
        self.broker = TansuBroker(port=port_base + 3)
        self.web_port = port_base + 4
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL")},
            "ENV_FILE": "none", "DEBUG": "false", "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "chaos-secret-key-not-for-production-0123456789",
            "JWT_SECRET_KEY": "chaos-jwt-secret-key-not-for-production-0123456789",
            "GRPC_SERVICE_TOKEN": "chaos-grpc-service-token-not-for-production-0123",
            "DATABASE_URL": self.postgres.url, "REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis.port}/1", "CACHE_KEY_PREFIX": "chaos",
            "SECURE_SSL_REDIRECT": "false", "EVENT_BROKER_TYPE": "kafka",
            "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap, "OUTBOX_PUBLISH_TIMEOUT": "3",
            "THROTTLE_ANON_RATE": "1000000000/min", "THROTTLE_USER_RATE": "1000000000/min",
            "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
            "PROMETHEUS_MULTIPROC_DIR": str(self.workdir / "prometheus"),
        }
        (self.workdir / "prometheus").mkdir()
        bin_dir = Path(sys.executable).parent
        self.web = Service("web", web_command(self.web_port, workers=WEB_WORKERS), self.env, self.workdir)
        self.worker = Service("worker", [str(bin_dir / "celery"), "-A", "community_service", "worker",
                                         "--loglevel", "INFO", "--concurrency", "2", "--without-gossip",
                                         "--without-mingle"], self.env, self.workdir, ready=" ready.")
        self.relay = Service("relay", [sys.executable, "-m", "bench.chaos.relay"],
                             {**self.env, "DB_POOL_ENABLED": "false", "OUTBOX_RELAY_BATCH_SIZE": "20"},
                             self.workdir, ready="relay ready")

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True)

    def start(self) -> None:
        self.postgres.init()
        self.redis.start()
        self.broker.start()
        migrated = self.manage("migrate", "--no-input", "-v", "0")
        if migrated.returncode:
            raise RuntimeError(migrated.stderr)
        for service in (self.web, self.worker, self.relay):
            service.start()
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/health", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the web server did not answer; see {self.web.log}")

    def stop(self) -> None:
        for service in (self.relay, self.worker, self.web):
            service.stop()
        self.broker.stop()
        self.redis.stop()
        try:
            self.postgres.stop("fast")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.postgres.data, ignore_errors=True)  # the logs stay for a look afterwards
