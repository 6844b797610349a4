"""Billing over HTTP: wrk against gunicorn (DEBUG=false, Redis cache), results as ratios.

    .venv/bin/python bench/bench_billing.py [--seconds 10] [--connections 8]

Measures, in one run on a scratch database (BENCH_DATABASE_URL, default cs_bench_billing):
- POST /communities/{id}/donations with a fresh Idempotency-Key per request (a real
  charge at the sandbox provider, two transactions, the outbox row);
- the same POST replaying one key (the stored first response, nothing runs);
- GET /communities/{id}/donations/summary (totals and top donors, cached 5 minutes);
- GET /communities/{id}/donations (a page of 20, not cached).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import Request, urlopen

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from community_service.devtools.cli import _ensure_database, _free_port, _reachable  # noqa: E402

FRESH_KEYS = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  wrk.headers["Idempotency-Key"] = os.time() .. "-" .. tid .. "-" .. n
  return wrk.format("POST")
end
local shown = false
response = function(status, headers, body)
  if status >= 300 and not shown then
    print(status, body)
    shown = true
  end
end
"""


def _wrk(url: str, *, seconds: int, connections: int, headers: dict[str, str], body: str | None = None,
         script: str | None = None) -> float:
    args = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    lua = None
    if body is not None:
        lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        lua.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n' + (script or ""))
        lua.close()
        args += ["-s", lua.name]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    if lua is not None:
        os.unlink(lua.name)
    if "Non-2xx" in out:
        raise SystemExit(f"non-2xx answers:\n{out}\n{args}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    options = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cs_bench_billing")
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings_test", "DATABASE_URL": database_url,
        "DB_POOL_ENABLED": "true", "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12"),
        "CACHE_KEY_PREFIX": "bench-billing", "LOG_LEVEL": "WARNING",
        "THROTTLE_USER_RATE": "10000000/min", "THROTTLE_ANON_RATE": "10000000/min",
    }
    _ensure_database("postgresql://postgres@127.0.0.1:5432/postgres", urlparse(database_url).path.lstrip("/"))
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], check=True, env=env)
    setup = subprocess.run([*manage, "shell", "-c", """
from decimal import Decimal
from django.core.cache import cache
from rest_framework_simplejwt.tokens import AccessToken
from billing.models import Donation
from communities.services import community_create
from members.models import User
from members.tokens import user_claims
cache.clear()
user = User.objects.filter(email="bench@example.com").first() or User.objects.create_user(
    email="bench@example.com", username="bench", password="bench-password-2026")
community = community_create(owner=user, name="Bench billing", community_type="public")
for n in range(200):
    Donation.objects.create(community=community, donor=user, amount=Decimal("1.25"), currency="USD",
                            status="completed", is_anonymous=n % 3 == 0)
token = AccessToken.for_user(user)
for claim, value in user_claims(user).items():
    token[claim] = value
print(community.pk, str(token))
"""], check=True, env=env, capture_output=True, text=True).stdout.split()
    community_id, token = setup[-2], setup[-1]
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "community_service.wsgi", "-b", f"127.0.0.1:{port}",
                               "-w", "2", "--log-level", "warning"], env=env)
    try:
        for _ in range(100):
            if _reachable("127.0.0.1", port):
                break
            time.sleep(0.1)
        base = f"http://127.0.0.1:{port}/api/v1/communities/{community_id}"
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = json.dumps({"amount": "2.50", "currency": "USD", "message": "bench"})
        run = dict(seconds=options.seconds, connections=options.connections)
        replay_key = f"replay-{community_id}"
        # The first request with the key runs; during wrk every request is a replay (else early
        # concurrent ones would rightly get 409 while it runs).
        urlopen(Request(f"{base}/donations", data=body.encode(), method="POST",
                        headers={**auth, "Idempotency-Key": replay_key}), timeout=60).read()
        results = {
            "POST donation, fresh key (charge)": _wrk(f"{base}/donations", headers=auth, body=body,
                                                      script=FRESH_KEYS, **run),
            "POST donation, replayed key": _wrk(f"{base}/donations", body=body, **run,
                                                headers={**auth, "Idempotency-Key": replay_key}),
            "GET donations/summary (cached)": _wrk(f"{base}/donations/summary", headers=auth, **run),
            "GET donations page of 20": _wrk(f"{base}/donations", headers=auth, **run),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    fresh = results["POST donation, fresh key (charge)"]
    print(f"{'measurement':<36} {'req/s':>8} {'× fresh POST':>13}")
    for name, rps in results.items():
        print(f"{name:<36} {rps:>8.0f} {rps / fresh:>13.1f}")


if __name__ == "__main__":
    main()
