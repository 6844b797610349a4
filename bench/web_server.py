"""The web server the HTTP benchmarks measure: the command community_service/deploy/
entrypoint.sh runs for `web`, on a loopback port (tests/platform/test_app_port.py checks
that the two agree).

granian is what ships; gunicorn's sync workers are the alternative the entrypoint keeps
(WEB_SERVER=gunicorn), and gthread a variant bench_http.py can price.
"""

import sys
from pathlib import Path

BIN = Path(sys.executable).parent
# The entrypoint's default (WORKERS_COUNT).
WORKERS = 4
GRANIAN_FLAGS = ["--interface", "wsgi", "--blocking-threads", "2", "--no-ws", "--no-access-log",
                 "--respawn-failed-workers", "--workers-kill-timeout", "30"]
GUNICORN_FLAGS = ["--forwarded-allow-ips", "*", "--timeout", "30", "--graceful-timeout", "30"]


def web_command(port: int, *, workers: int = WORKERS, server: str = "granian", worker_class: str = "sync",
                threads: int = 4) -> list[str]:
    """argv of the web server on 127.0.0.1:`port`, as the entrypoint starts it."""
    if server == "granian":
        return [str(BIN / "granian"), *GRANIAN_FLAGS, "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "community_service.wsgi:application"]
    command = [str(BIN / "gunicorn"), "community_service.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), *GUNICORN_FLAGS]
    if worker_class != "sync":
        command += ["--worker-class", worker_class, "--threads", str(threads)]
    return command
