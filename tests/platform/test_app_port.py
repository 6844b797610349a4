"""APP_PORT (the seed's; PORT is an alias) is the port make run and the container listen on."""

import importlib.util
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from community_service.devtools import cli as devtools


def test_make_run_listens_on_app_port_then_port_then_8000(monkeypatch, tmp_path):
    monkeypatch.setattr(devtools, "BASE_DIR", tmp_path)
    monkeypatch.delenv("APP_PORT", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert devtools.app_port() == "8000"
    # .env holds production values; make run reads only the environment.
    (tmp_path / ".env").write_text("# production\nAPP_PORT=8100\n")
    assert devtools.app_port() == "8000"
    monkeypatch.setenv("PORT", "8200")
    assert devtools.app_port() == "8200"
    monkeypatch.setenv("APP_PORT", "8300")
    assert devtools.app_port() == "8300"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_the_entrypoint_serves_on_app_port_with_either_server_and_stops_on_sigterm(server, tmp_path, db):
    # As the container runs it (granian by default, WEB_SERVER=gunicorn the alternative), on
    # PORT when APP_PORT is unset; no migration, test settings and database (`db`: it exists).
    from django.db import connection

    db = connection.settings_dict
    port = _free_port()
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "PORT": str(port), "WEB_SERVER": server,
           "WORKERS_COUNT": "1", "MIGRATE_ON_START": "false", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
           "DJANGO_SETTINGS_MODULE": "community_service.settings_test",
           "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
                           f"{db['PORT'] or 5432}/{db['NAME']}"}
    entrypoint = Path(settings.BASE_DIR) / "community_service" / "deploy" / "entrypoint.sh"
    process = subprocess.Popen([str(entrypoint), "web"], cwd=settings.BASE_DIR, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, answer = time.monotonic() + 30, None
        while answer is None and time.monotonic() < deadline:
            try:
                answer = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2))
            except OSError:
                time.sleep(0.3)
        assert answer is not None and answer["status"] == "healthy", answer
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=40) is not None


def test_env_example_documents_the_seed_settings_and_the_new_ones():
    example = (Path(settings.BASE_DIR) / ".env.example").read_text()
    for name in ("APP_PORT", "DB_MAX_OVERFLOW", "DATABASE_REPLICA_URL", "METRICS_TOKEN", "WORKER_METRICS_PORT"):
        assert f"\n{name}=" in example, name


def _flag_values(tokens: list[str]) -> dict[str, str | None]:
    """{"--flag": its value, or None for a switch} of an argv."""
    found: dict[str, str | None] = {}
    for i, token in enumerate(tokens):
        if token.startswith("--"):
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            found[token] = None if following is None or following.startswith("--") else following
    return found


def test_the_benchmarks_start_the_web_server_as_the_entrypoint_does():
    # bench/web_server.py is what bench_http.py and bench_search.py measure: the same server,
    # flags and worker count as the container's `web`, or the figures describe another server.
    root = Path(settings.BASE_DIR)
    spec = importlib.util.spec_from_file_location("web_server", root / "bench" / "web_server.py")
    web_server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web_server)
    script = (root / "community_service" / "deploy" / "entrypoint.sh").read_text().replace("\\\n", " ")
    for server, flags in (("granian", web_server.GRANIAN_FLAGS), ("gunicorn", web_server.GUNICORN_FLAGS)):
        line = next(line for line in script.splitlines() if line.strip().startswith(f"exec {server} "))
        shipped = _flag_values(shlex.split(line))
        assert _flag_values(flags).items() <= shipped.items(), (server, flags, shipped)
        assert shipped["--workers"] == f"${{WORKERS_COUNT:-{web_server.WORKERS}}}"
        command = web_server.web_command(8000, server=server)
        assert Path(command[0]).name == server and _flag_values(command)["--workers"] == str(web_server.WORKERS)


def test_the_search_bench_serves_with_the_shipped_database_settings(monkeypatch):
    # The test settings (this process's, and `make bench`'s pytest) turn the DB pool off in
    # os.environ; the bench's server inherited that and opened a connection per request.
    root = Path(settings.BASE_DIR)
    monkeypatch.syspath_prepend(str(root / "bench"))
    monkeypatch.setenv("DB_POOL_ENABLED", "false")
    monkeypatch.setenv("ENV_FILE", ".env")
    spec = importlib.util.spec_from_file_location("bench_search_under_test", root / "bench" / "bench_search.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    env = bench.server_env()
    assert (env["DB_POOL_ENABLED"], env["ENV_FILE"], env["DEBUG"], env["DJANGO_SETTINGS_MODULE"]) == (
        "true", "none", "false", "community_service.settings")
    assert env["CACHE_DEFAULT_TTL"] == "0"
