"""The README's and docs' examples run as written, against a live `make run` server.

Every fenced block whose info string says `runnable` (```sh runnable) is run with bash,
from the project directory, in a clean environment: only what a developer's second
terminal has. The server is the real `make run` path (community_service.devtools run) on a
fresh scratch database and a free port (examples say localhost:8000; the port is swapped).
So an example that drifts from the service fails here: a wrong path, a renamed command, a
setting a second terminal cannot see. curl fails on an HTTP error status.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from django.conf import settings

from community_service.devtools import dev_env_owner

BASE_DIR = Path(settings.BASE_DIR)
DOCS = [BASE_DIR / "README.md", *sorted((BASE_DIR / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w+)[^\n]*\brunnable\b[^\n]*\n(.*?)^```", re.M | re.S)
# Fails the block on an HTTP error, as a reader would notice one.
PRELUDE = 'curl() { command curl --fail-with-body --show-error "$@"; }\n'


def runnable_blocks() -> list[tuple[str, str]]:
    blocks = []
    for doc in DOCS:
        text = doc.read_text()
        for match in FENCE.finditer(text):
            line = text[: match.start()].count("\n") + 1
            blocks.append((f"{doc.relative_to(BASE_DIR)}:{line}", match.group(2)))
    return blocks


def _clean_env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8", **extra}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def make_run_server() -> Iterator[int]:
    if dev_env_owner(BASE_DIR / "var" / "dev.env") is not None:
        pytest.skip("`make run` is running in this checkout; its var/dev.env would be replaced")
    base = urlparse(os.environ.get("DATABASE_URL") or settings.DATABASE_URL)
    name = f"{base.path.lstrip('/')}_docs"
    with psycopg.connect(base._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    port = _free_port()
    log = (BASE_DIR / "var").joinpath("docs-server.log")
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "community_service.devtools", "run"], cwd=BASE_DIR, stdout=out,
            stderr=subprocess.STDOUT,
            env=_clean_env(DATABASE_URL=base._replace(path=f"/{name}").geturl(), PORT=str(port),
                           GRPC_PORT=str(_free_port())),
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"make run did not serve within 240 s:\n{log.read_text()[-3000:]}")
        yield port
    finally:
        server.send_signal(signal.SIGTERM)  # make run stops runserver and removes var/dev.env
        server.wait(timeout=30)
    assert not (BASE_DIR / "var" / "dev.env").exists()


def test_the_docs_have_runnable_examples():
    places = {where.split(":")[0] for where, _ in runnable_blocks()}
    assert {"README.md", "docs/operations.md"} <= places


@pytest.mark.parametrize(("where", "block"), runnable_blocks(), ids=[w for w, _ in runnable_blocks()])
def test_a_runnable_example_works_as_written(make_run_server, where, block):
    script = re.sub(r"\b(localhost|127\.0\.0\.1):8000\b", f"127.0.0.1:{make_run_server}", block)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", PRELUDE + script], cwd=BASE_DIR, env=_clean_env(),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, (
        f"{where}\n{block}\n--- stdout\n{result.stdout[-2000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )
