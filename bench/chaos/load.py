"""The drill's mixed load: a few client threads writing over loopback, every answer recorded.

Each client owns its users (itself and a slice of the event's patrons), so one user's
requests never overlap and the last acknowledged operation says what the database must
hold. Every 2xx write goes to the acknowledged-writes log (acks.jsonl) with what
identifies it (a unique marker in a post's title, a comment's body, a donation's message,
an idempotency key); a write whose answer never came (a dropped connection, a 5xx) is
logged as uncertain: the checks then accept it being there once or not at all.
"""

import http.client
import json
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Answer:
    started: float
    ended: float
    kind: str
    status: int  # 0: no answer (connection refused, reset or timed out)
    retry_after: bool = False
    error: str = ""


@dataclass
class Recorder:
    """Answers and the acknowledged-writes log, shared by the clients."""

    acks_path: Path
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def write(self, kind: str, acked: bool, **identity: object) -> None:
        line = json.dumps({"kind": kind, "acked": acked, "at": time.time(), **identity})
        with self.lock, self.acks_path.open("a") as log:
            log.write(line + "\n")


class Client(threading.Thread):
    def __init__(self, number: int, port: int, seed: dict, recorder: Recorder, until: float) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.port, self.seed, self.recorder, self.until = port, seed, recorder, until
        self.me = seed["clients"][number]
        self.patrons = seed["patrons"][number::len(seed["clients"])]
        self.random = random.Random(number)
        self.posts: list[str] = []  # acknowledged posts of this client, to comment on and like
        self.liked: set[str] = set()
        self.joined = False
        self.rsvp: dict[str, bool] = {}
        self.subscribed: set[str] = set()

    # -- HTTP -----------------------------------------------------------------------------
    def call(self, kind: str, method: str, path: str, token: str, body: dict | None = None,
             key: str | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        started = time.time()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(method, f"/api/v1{path}", body=json.dumps(body) if body is not None else None,
                         headers=headers)
            response = conn.getresponse()
            raw = response.read()
            status, retry_after = response.status, response.getheader("Retry-After") is not None
        except (OSError, http.client.HTTPException) as exc:
            self.recorder.answer(Answer(started, time.time(), kind, 0, error=type(exc).__name__))
            return 0, {}
        finally:
            conn.close()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"raw": raw[:300].decode(errors="replace")}
        self.recorder.answer(Answer(started, time.time(), kind, status, retry_after,
                                    error=str(data)[:300] if status >= 500 else ""))
        return status, data

    def send_and_drop(self, path: str, token: str, body: dict, key: str) -> None:
        """Send a POST and close the socket before the answer: the client's connection dropped."""
        payload = json.dumps(body).encode()
        request = (f"POST /api/v1{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                   f"Content-Type: application/json\r\nIdempotency-Key: {key}\r\n"
                   f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                sock.sendall(request)
                time.sleep(self.random.uniform(0, 0.05))
        except OSError:
            pass

    # -- operations -----------------------------------------------------------------------
    def post(self) -> None:
        community = self.random.choice(self.seed["communities"])
        marker = f"chaos-post-{uuid.uuid4()}"
        status, data = self.call("post", "POST", f"/communities/{community}/posts", self.me["token"],
                                 {"title": marker, "content": "Written under fire."})
        if status == 201:
            self.posts.append(data["id"])
        self.recorder.write("post", status == 201, marker=marker, status=status)

    def comment(self) -> None:
        if not self.posts:
            return self.post()
        marker = f"chaos-comment-{uuid.uuid4()}"
        status, _ = self.call("comment", "POST", f"/posts/{self.random.choice(self.posts)}/comments",
                              self.me["token"], {"content": marker})
        self.recorder.write("comment", status == 201, marker=marker, status=status)

    def like(self) -> None:
        candidates = [post for post in self.posts if post not in self.liked]
        if not candidates:
            return self.post()
        post = self.random.choice(candidates)
        status, _ = self.call("like", "POST", f"/posts/{post}/like", self.me["token"])
        if 200 <= status < 300:
            self.liked.add(post)
        self.recorder.write("like", 200 <= status < 300, post=post, user=self.me["id"], status=status)

    def join_or_leave(self) -> None:
        community = self.seed["roaming"]
        if self.joined:
            status, _ = self.call("leave", "DELETE", f"/communities/{community}/members/{self.me['id']}",
                                  self.me["token"])
        else:
            status, _ = self.call("join", "POST", f"/communities/{community}/members", self.me["token"], {})
        acked = 200 <= status < 300
        # 409 already_member / not_member: an earlier unanswered request did run; follow the server.
        if acked or status == 409:
            self.joined = not self.joined
        self.recorder.write("membership", acked, user=self.me["id"], member=self.joined, status=status)

    def rsvp_toggle(self) -> None:
        patron = self.random.choice(self.patrons)
        going = self.rsvp.get(patron["id"], False)
        path = f"/events/{self.seed['event']}/registration"
        status, _ = self.call("rsvp", "DELETE" if going else "POST", path, patron["token"], None if going else {})
        acked = 200 <= status < 300
        if acked:
            self.rsvp[patron["id"]] = not going
        self.recorder.write("rsvp", acked, user=patron["id"], registered=self.rsvp.get(patron["id"], False),
                            status=status)

    def pay(self, kind: str, path: str, token: str, body: dict) -> tuple[int, str]:
        """A money-moving POST with an Idempotency-Key, retried with the same key until a final answer;
        one in three first loses its connection before the answer."""
        key = str(uuid.uuid4())
        dropped = self.random.random() < 0.33
        if dropped:
            self.send_and_drop(path, token, body, key)
        status = 0
        for _ in range(12):
            status, _ = self.call(kind, "POST", path, token, body, key=key)
            if status and status < 500 and status != 409:
                break
            time.sleep(1)  # 5xx or 409 idempotency_in_progress: Retry-After is 1 s
        return status, key

    def donate(self) -> None:
        community = self.random.choice(self.seed["communities"])
        message = f"chaos-donation-{uuid.uuid4()}"
        status, key = self.pay("donation", f"/communities/{community}/donations", self.me["token"],
                               {"amount": "3.00", "currency": "USD", "message": message,
                                "payment_method": "pm_sandbox_ok"})
        self.recorder.write("donation", status == 201, key=key, message=message, user=self.me["id"], status=status)

    def subscribe(self) -> None:
        free = [p for p in self.patrons if p["id"] not in self.subscribed]
        if not free:
            return self.donate()
        patron = self.random.choice(free)
        status, key = self.pay("subscription", f"/communities/{self.seed['communities'][0]}/subscriptions",
                               patron["token"], {"level_id": self.seed["level"], "payment_method": "pm_sandbox_ok"})
        if status == 201 or status == 409:  # 409 already_subscribed: an earlier unanswered attempt went through
            self.subscribed.add(patron["id"])
        self.recorder.write("subscription", status == 201, key=key, user=patron["id"], status=status)

    def run(self) -> None:
        operations = [(self.post, 20), (self.comment, 20), (self.like, 15), (self.join_or_leave, 10),
                      (self.rsvp_toggle, 20), (self.donate, 10), (self.subscribe, 5)]
        functions, weights = zip(*operations, strict=True)
        while time.time() < self.until:
            self.random.choices(functions, weights)[0]()
            time.sleep(0.02)
