"""The README's and docs' examples run as written, against a live `make run` server.

Every fenced block says whether it runs, in its info string:
- `runnable` (```sh runnable, ```python runnable): run here. Shell blocks with bash,
  Python blocks with `manage.py shell`, from the project directory, in a clean
  environment: only what a developer's second terminal has;
- `not-runnable` and why (```bash not-runnable: needs Docker): a command this test cannot
  run (a server that runs until stopped, another machine, an account elsewhere), or a
  fragment of code;
- `text`, `json` or `yaml`: a diagram, a listing or data, nothing to run.
A block that says none of these fails, so no example is skipped silently.

The server is the real `make run` path (community_service.devtools run) on a fresh scratch
database and a free port (examples say localhost:8000; the port is swapped). So an example
that drifts from the service fails here: a wrong path, a renamed command, a setting a
second terminal cannot see. curl fails on an HTTP error status.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from django.conf import settings

from community_service.devtools.cli import dev_env_owner

BASE_DIR = Path(settings.BASE_DIR)
DOCS = [BASE_DIR / "README.md", *sorted((BASE_DIR / "docs").glob("*.md"))]
# A fence may be indented (inside a list item); its info string is the rest of the line.
FENCE = re.compile(r"^[ \t]*```([^\n`]*)\n(.*?)^[ \t]*```[ \t]*$", re.M | re.S)
# How a `runnable` block of each language runs.
RUNNERS = {"sh": "bash", "bash": "bash", "python": "python"}
# Nothing to run: diagrams, listings, data.
INERT = {"text", "json", "yaml"}
# Fails the block on an HTTP error, as a reader would notice one.
PRELUDE = 'curl() { command curl --fail-with-body --show-error "$@"; }\n'


@dataclass(frozen=True)
class Block:
    where: str  # path:line of the opening fence
    language: str
    flags: tuple[str, ...]  # the info string's words after the language
    body: str


def all_blocks() -> list[Block]:
    blocks = []
    for doc in DOCS:
        text = doc.read_text()
        for match in FENCE.finditer(text):
            line = text[: match.start()].count("\n") + 1
            words = [word.rstrip(":") for word in match.group(1).split()]
            blocks.append(Block(f"{doc.relative_to(BASE_DIR)}:{line}", words[0] if words else "",
                                tuple(words[1:]), match.group(2)))
    return blocks


def runnable_blocks() -> list[Block]:
    return [block for block in all_blocks() if "runnable" in block.flags]


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
    places = {block.where.split(":")[0] for block in runnable_blocks()}
    assert {"README.md", "docs/operations.md", "docs/billing.md", "docs/events.md"} <= places


def test_every_example_says_whether_it_runs():
    unmarked = [block.where for block in all_blocks()
                if block.language not in INERT and not {"runnable", "not-runnable"} & set(block.flags)]
    assert not unmarked, f"say `runnable`, `not-runnable: why`, or `text` in the fence: {unmarked}"
    unrunnable = [block.where for block in runnable_blocks() if block.language not in RUNNERS]
    assert not unrunnable, f"`runnable` needs one of the languages {sorted(RUNNERS)}: {unrunnable}"
    # A command labelled as a listing would never run: `text` blocks hold no shell lines.
    hidden = [block.where for block in all_blocks() if block.language == "text"
              and re.search(r"^\s*(curl|\.venv/bin/python|make|docker) ", block.body, re.M)]
    assert not hidden, f"commands in a `text` block: {hidden}"


def run_example(block: Block, port: int) -> subprocess.CompletedProcess:
    script = re.sub(r"\b(localhost|127\.0\.0\.1):8000\b", f"127.0.0.1:{port}", block.body)
    if RUNNERS[block.language] == "python":
        command = [".venv/bin/python", "manage.py", "shell", "--no-imports", "-c", script]
    else:
        command = ["bash", "-euo", "pipefail", "-c", PRELUDE + script]
    return subprocess.run(command, cwd=BASE_DIR, env=_clean_env(), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def example_results(make_run_server) -> dict[str, subprocess.CompletedProcess]:
    # All at once, to keep the run short (each command starts Django): so every example must
    # stand on its own, as a reader may run any one of them alone.
    blocks = runnable_blocks()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda block: run_example(block, make_run_server), blocks)
        return {block.where: result for block, result in zip(blocks, results, strict=True)}


@pytest.mark.parametrize("block", runnable_blocks(), ids=[block.where for block in runnable_blocks()])
def test_a_runnable_example_works_as_written(example_results, block):
    result = example_results[block.where]
    assert result.returncode == 0, (
        f"{block.where}\n{block.body}\n--- stdout\n{result.stdout[-2000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )
