"""`make bench` entry: runs bench_search.py (1,000,000 communities, 5,000,000 posts; the
data is generated once and reused) and checks the issue's target: p95 < 50 ms for every
query. Not part of `make test`. BENCH_SEARCH_ARGS passes options through (e.g. a smaller
scale: "--communities 100000 --posts 500000" with BENCH_DATABASE_URL pointing elsewhere)."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path


def test_every_search_query_answers_under_50_ms_at_p95():
    script = Path(__file__).with_name("bench_search.py")
    args = shlex.split(os.environ.get("BENCH_SEARCH_ARGS", ""))
    output = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in output.splitlines() if line.startswith('{"target"')]  # searches only
    print(output)
    assert len(rows) == 10
    assert all(row["non2xx"] == 0 and row["errors"] == 0 for row in rows)
    slow = [(row["target"], row["query"], row["p95_ms"]) for row in rows if row["p95_ms"] >= 50]
    assert not slow, slow
