"""`make bench` entry: runs bench_outbox.py and checks the issue's targets (not part of `make test`)."""

import subprocess
import sys
from pathlib import Path


def test_outbox_relay_throughput_and_commit_to_broker_latency_meet_the_targets():
    script = Path(__file__).with_name("bench_outbox.py")
    # Its own process: the benchmark uses its own database and settings.
    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    results = {line.split(" ", 1)[0]: eval(line.split(" ", 1)[1]) for line in output.splitlines() if " {" in line}
    print(results)
    assert results["relay_batch_500"]["events_per_second"] >= 5000
    assert results["latency"]["p95_ms"] < 1000
