"""The faults, on a fixed schedule, and how long the service took to recover from each.

Recovery is measured from the moment the part is back (restarted, unfrozen; at once for a
web worker, which granian respawns): for faults in the request path (web
worker, Redis, PostgreSQL) until an authenticated read that touches the database answers
2xx again; for faults in the event path (Celery worker, relay, broker) until every outbox
row written before the part came back has been published.
"""

import json
import os
import signal
import threading
import time
import urllib.request
from dataclasses import dataclass

import psycopg

from bench.chaos.stack import Stack

# (seconds after the load starts, fault); each fault comes at least twice.
SCHEDULE = [
    (15, "kill -9 web worker"), (30, "kill -9 celery worker"), (40, "kill -9 relay mid-batch"),
    (55, "redis stop/start"), (75, "postgres restart fast"), (95, "broker stopped 25 s"),
    (135, "kill -9 web worker"), (150, "postgres restart immediate"), (170, "redis stop/start"),
    (190, "kill -9 celery worker"), (200, "kill -9 relay mid-batch"), (215, "postgres restart immediate"),
    (235, "broker stopped 25 s"), (275, "postgres restart fast"), (290, "kill -9 web worker"),
]
EVENT_PATH = ("celery", "relay", "broker")


@dataclass
class Fault:
    name: str
    at: float  # when it was injected (time.time())
    restored: float = 0.0  # when the part was back (restarted, unfrozen; = at for a respawned worker)
    recovered: float = 0.0  # when the service worked again (0: not within the wait)
    note: str = ""

    @property
    def recovery(self) -> float | None:
        """Seconds from the part being back to the service working again."""
        return self.recovered - self.restored if self.recovered else None

    @property
    def down(self) -> float:
        return self.restored - self.at


class Injector(threading.Thread):
    def __init__(self, stack: Stack, seed: dict, started: float, duration: float) -> None:
        super().__init__(name="injector", daemon=True)
        self.stack, self.seed, self.started, self.duration = stack, seed, started, duration
        self.faults: list[Fault] = []

    # -- probes ---------------------------------------------------------------------------
    def api_ok(self) -> bool:
        request = urllib.request.Request(
            f"{self.stack.url}/api/v1/communities/{self.seed['communities'][0]}/members/me",
            headers={"Authorization": f"Bearer {self.seed['clients'][0]['token']}"})
        try:
            return urllib.request.urlopen(request, timeout=3).status == 200
        except OSError:
            return False

    def outbox_behind(self, before: float) -> int | None:
        try:
            with psycopg.connect(self.stack.postgres.url, connect_timeout=3) as conn:
                return conn.execute("SELECT count(*) FROM community_service_outboxevent WHERE status = 'pending' "
                                    "AND created_at < to_timestamp(%s)", [before]).fetchone()[0]
        except psycopg.Error:
            return None

    def relay_in_batch(self) -> bool:
        try:
            with psycopg.connect(self.stack.postgres.url, connect_timeout=3) as conn:
                return bool(conn.execute(
                    "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' "
                    "AND l.granted AND a.application_name = 'chaos-relay'").fetchone())
        except psycopg.Error:
            return False

    def wait_recovered(self, fault: Fault, event_path: bool, limit: float = 120) -> None:
        deadline = time.time() + limit
        while time.time() < deadline:
            if event_path:
                if self.outbox_behind(fault.restored) == 0:
                    fault.recovered = time.time()
                    return
                time.sleep(0.5)
            else:
                if self.api_ok():
                    fault.recovered = time.time()
                    return
                time.sleep(0.1)

    # -- faults ---------------------------------------------------------------------------
    def inject(self, name: str) -> Fault:
        stack = self.stack
        fault = Fault(name, time.time())
        if name == "kill -9 web worker":
            workers = stack.web.children()
            os.kill(workers[0], signal.SIGKILL)  # granian respawns it (--respawn-failed-workers)
            fault.restored = time.time()
        elif name == "kill -9 celery worker":
            stack.worker.kill()
            time.sleep(2)
            stack.worker.restart()
            fault.restored = time.time()
        elif name == "kill -9 relay mid-batch":
            deadline = time.time() + 20
            while not self.relay_in_batch() and time.time() < deadline:
                time.sleep(0.005)
            fault.note = "in a batch" if time.time() < deadline else "no batch seen in 20 s"
            fault.at = time.time()
            stack.relay.kill()
            time.sleep(1)
            stack.relay.restart()
            fault.restored = time.time()
        elif name == "redis stop/start":
            stack.redis.stop()
            time.sleep(8)
            stack.redis.start()
            fault.restored = time.time()
        elif name.startswith("postgres restart"):
            stack.postgres.stop("fast" if name.endswith("fast") else "immediate")
            time.sleep(3)
            stack.postgres.start()
            fault.restored = time.time()
        elif name == "broker stopped 25 s":
            # SIGSTOP: the broker hangs (connections open, nothing answered). Tansu keeps its log in
            # memory here, so a kill would lose what it had already confirmed: a broker's loss, not ours.
            stack.broker.process.send_signal(signal.SIGSTOP)
            time.sleep(25)
            stack.broker.process.send_signal(signal.SIGCONT)
            fault.restored = time.time()
        self.wait_recovered(fault, event_path=any(word in name for word in EVENT_PATH))
        return fault

    def run(self) -> None:
        for offset, name in SCHEDULE:
            if offset > self.duration:
                break
            delay = self.started + offset - time.time()
            if delay > 0:
                time.sleep(delay)
            fault = self.inject(name)
            self.faults.append(fault)
            print(json.dumps({"t": round(fault.at - self.started, 1), "fault": name, "note": fault.note,
                              "down_s": round(fault.down, 1),
                              "recovery_s": round(fault.recovery, 2) if fault.recovery else None}), flush=True)
