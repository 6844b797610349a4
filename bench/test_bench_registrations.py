"""`make bench` entry: runs bench_registrations.py and checks every run was exact (not part of `make test`)."""

import json
import subprocess
import sys
from pathlib import Path


def test_200_registrations_for_50_seats_are_exact_in_20_runs_over_http():
    script = Path(__file__).with_name("bench_registrations.py")
    # Its own process: the benchmark uses its own database and a gunicorn server.
    output = subprocess.run([sys.executable, str(script), "--runs", "20"], capture_output=True, text=True,
                            check=True).stdout
    print(output)
    summary = json.loads(next(line for line in output.splitlines() if line.startswith("summary ")).split(" ", 1)[1])
    assert summary == {**summary, "runs": 20, "exact_runs": 20}
