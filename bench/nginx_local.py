"""The shipped nginx (community_service/deploy/nginx.conf) on this machine, in front of a local
server: bench/bench_http.py --nginx measures through it, tests/platform/test_nginx_cache.py
proves what it caches.

Debian's nginx (/usr/sbin/nginx) runs the shipped file with only what ties it to
docker-compose rewritten, each rewrite required to match exactly once (a changed conf fails
here instead of silently running something else): the upstream (`web:${APP_PORT} resolve`,
for Docker's DNS and nginx >= 1.27.3, becomes 127.0.0.1:PORT), Docker's resolver, the listen
address and the cache directory. `anonymous_rate` replaces the anonymous clients' rate (a
benchmark sends thousands a second from one address).
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")
SHIPPED = Path(__file__).resolve().parent.parent / "community_service" / "deploy" / "nginx.conf"


def local_conf(text: str, *, upstream_port: int, listen_port: int, cache_dir: Path,
               anonymous_rate: str | None = None) -> str:
    rewrites = [
        (r"^resolver [^;]*;\n", ""),
        (r"server web:\$\{APP_PORT\} resolve;", f"server 127.0.0.1:{upstream_port};"),
        (r"listen 80;", f"listen 127.0.0.1:{listen_port};"),
        (r"proxy_cache_path \S+", f"proxy_cache_path {cache_dir}"),
    ]
    if anonymous_rate is not None:
        rewrites.append((r"zone=anonymous:10m rate=\S+;", f"zone=anonymous:10m rate={anonymous_rate};"))
    for pattern, replacement in rewrites:
        text, count = re.subn(pattern, replacement, text, flags=re.M)
        assert count == 1, f"{SHIPPED}: expected one match of {pattern!r}, found {count}"
    return text


class LocalNginx:
    """nginx with the shipped server block on 127.0.0.1:`listen_port`, proxying to
    127.0.0.1:`upstream_port`; its files (conf, cache, logs) in a temporary directory."""

    def __init__(self, *, upstream_port: int, listen_port: int, anonymous_rate: str | None = None,
                 workers: str = "auto") -> None:
        self.listen_port = listen_port
        self.dir = Path(tempfile.mkdtemp(prefix="nginx-local-"))
        self.dir.chmod(0o755)  # nginx's workers (not root) read and write below it
        server = local_conf(SHIPPED.read_text(), upstream_port=upstream_port, listen_port=listen_port,
                            cache_dir=self.dir / "cache", anonymous_rate=anonymous_rate)
        (self.dir / "community.conf").write_text(server)
        temp = " ".join(f"{kind}_temp_path {self.dir / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                           "uwsgi", "scgi"))
        (self.dir / "nginx.conf").write_text(
            f"worker_processes {workers};\npid {self.dir / 'nginx.pid'};\nerror_log {self.dir / 'error.log'} warn;\n"
            "daemon off;\nevents { worker_connections 4096; }\n"
            f"http {{\n  access_log off;\n  {temp}\n  include {self.dir / 'community.conf'};\n}}\n")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listen_port}"

    def __enter__(self) -> "LocalNginx":
        args = [str(NGINX), "-p", str(self.dir), "-e", str(self.dir / "error.log"), "-c", str(self.dir / "nginx.conf")]
        check = subprocess.run([*args, "-t"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx -t refused the shipped conf: {check.stderr}")
        self.proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/health", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"nginx did not answer /health within 10 s: {(self.dir / 'error.log').read_text()}")

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)
