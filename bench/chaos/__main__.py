"""`make chaos`: the fault drill (issue 40). Kill and restart every part under load; count what was lost.

    .venv/bin/python -m bench.chaos [--clients 6] [--duration 310] [--port-base 18400]

Starts its own stack (bench/chaos/stack.py), seeds it (seed.py), runs the mixed load
(load.py) while injecting the faults of faults.py's schedule, lets the outbox drain, then
checks (checks.py and `recount_counters --dry-run`) and prints the table that
docs/reliability.md keeps. Exits 1 when a write was lost or duplicated, a counter drifted,
seats or money went wrong, a domain event is missing or out of order, or a 500 was answered.
"""

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter

from bench.chaos.faults import SCHEDULE, Fault, Injector
from bench.chaos.load import Answer, Client, Recorder
from bench.chaos.stack import ROOT, Stack

FAILING = ("lost", "duplicated", "seats", "waitlist order", "charged", "events missing", "events out of order",
           "events unknown")


def run_python(stack: Stack, module: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=stack.env, capture_output=True,
                          text=True)
    if done.returncode:
        raise RuntimeError(f"{module} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def counters_drift(stack: Stack) -> int:
    out = stack.manage("recount_counters", "--dry-run", "--no-progress").stdout
    match = re.search(r"would fix (\d+) row", out)
    return int(match.group(1)) if match else -1


def in_outage(answer: Answer, faults: list[Fault]) -> bool:
    return any(f.at - 0.5 <= answer.ended and answer.started <= (f.recovered or f.at + 120) + 1 for f in faults)


def table(answers: list[Answer], faults: list[Fault], result: dict, drift: int) -> list[tuple[str, str]]:
    counts, totals = result["counts"], result["totals"]
    during = [a for a in answers if in_outage(a, faults)]
    outside = [a for a in answers if not in_outage(a, faults)]
    rows = [
        ("requests", str(len(answers))),
        ("faults injected", str(len(faults))),
        ("acknowledged writes", str(totals["acknowledged"])),
        ("unanswered writes (may or may not have run)", str(totals["uncertain"])),
        ("lost", str(counts.get("lost", 0))),
        ("duplicated", str(counts.get("duplicated", 0))),
        ("partial or double charges", str(counts.get("charged", 0))),
        ("payments left pending (charged or not; the provider's webhook settles them)",
         str(counts.get("payments left pending", 0))),
        ("seats over capacity / counter mismatch", str(counts.get("seats", 0))),
        ("waitlist promoted out of order", str(counts.get("waitlist order", 0))),
        ("counters drifted (recount_counters --dry-run)", str(drift)),
        ("domain events (outbox rows)", str(totals["outbox rows"])),
        ("events missing on the broker", str(counts.get("events missing", 0))),
        ("events out of order per aggregate", str(counts.get("events out of order", 0))),
        ("events of overlapping transactions in commit, not id, order (per community)", str(totals["overtaken"])),
        ("events redelivered (same event_id, at-least-once)", str(totals["redelivered"])),
        ("no answer (connection refused/reset) during outages", str(sum(1 for a in during if a.status == 0))),
        ("503 during outages (all with Retry-After?)",
         f"{sum(1 for a in during if a.status == 503)} "
         f"({'yes' if all(a.retry_after for a in answers if a.status == 503) else 'no'})"),
        ("other 5xx during outages", str(sum(1 for a in during if a.status >= 500 and a.status != 503))),
        ("5xx outside outages", str(sum(1 for a in outside if a.status >= 500))),
    ]
    for fault in faults:
        recovery = f"{fault.recovery:.1f} s" if fault.recovery is not None else "not recovered in 120 s"
        rows.append((f"recovery after: {fault.name} @ {fault.at - faults[0].at + SCHEDULE[0][0]:.0f} s, "
                     f"down {fault.down:.0f} s" + (f" ({fault.note})" if fault.note else ""), recovery))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--duration", type=int, default=310, help="seconds of load (the schedule needs 300)")
    parser.add_argument("--port-base", type=int, default=18400)
    options = parser.parse_args()
    print("fault schedule (seconds after the load starts):")
    for offset, name in SCHEDULE:
        print(f"  {offset:>4}  {name}")
    stack = Stack(options.port_base)
    print(f"stack in {stack.workdir}", flush=True)
    try:
        stack.start()
        seed = run_python(stack, "bench.chaos.seed", str(options.clients))
        seed_path = stack.workdir / "seed.json"
        seed_path.write_text(json.dumps(seed))
        recorder = Recorder(stack.workdir / "acks.jsonl")
        started = time.time()
        clients = [Client(n, stack.web_port, seed, recorder, started + options.duration)
                   for n in range(options.clients)]
        injector = Injector(stack, seed, started, options.duration)
        for thread in (*clients, injector):
            thread.start()
        for thread in (*clients, injector):
            thread.join()
        print("load done; waiting for the outbox to drain", flush=True)
        deadline = time.time() + 120
        while (injector.outbox_behind(time.time()) or 0) and time.time() < deadline:
            time.sleep(1)
        result = run_python(stack, "bench.chaos.checks", str(seed_path), str(recorder.acks_path))
        drift = counters_drift(stack)
    finally:
        stack.stop()
    with (stack.workdir / "answers.jsonl").open("w") as out:  # for a closer look afterwards
        out.writelines(json.dumps(vars(a)) + "\n" for a in recorder.answers)
        out.writelines(json.dumps(vars(f)) + "\n" for f in injector.faults)
    rows = table(recorder.answers, injector.faults, result, drift)
    width = max(len(name) for name, _ in rows)
    print(f"\n| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")
    statuses = Counter(a.status for a in recorder.answers)
    print(f"\nanswers by status: {dict(sorted(statuses.items()))}")
    print("examples:", json.dumps(result["examples"], indent=1))
    five_hundreds = [a for a in recorder.answers if a.status >= 500 and a.status != 503]
    for answer in five_hundreds[:5]:
        print(f"  {answer.status} {answer.kind}: {answer.error}")
    failed = [name for name in FAILING if result["counts"].get(name)]
    failed += ["counters drifted"] if drift else []
    failed += ["500 answered"] if five_hundreds else []
    failed += ["503 without Retry-After"] if any(a.status == 503 and not a.retry_after
                                                 for a in recorder.answers) else []
    print(f"\nlogs in {stack.workdir}")
    print("FAILED: " + ", ".join(failed) if failed else "PASSED: nothing lost, duplicated or answered 500")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
