"""What the database and the broker hold after the drill, against what the load was told.

Run in a subprocess with the stack's environment (`python -m bench.chaos.checks SEED ACKS`);
prints one JSON object: per check, the number of violations and a few examples.
"""

import json
import os
import sys
from collections import defaultdict

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community_service.settings")
django.setup()

from django.conf import settings  # noqa: E402  (after django.setup)
from django.db.models import Count, Q  # noqa: E402

from billing.models import Donation, Payment, Subscription  # noqa: E402
from community_service.outbox.models import OutboxEvent  # noqa: E402
from content.models import Comment, Post, Reaction  # noqa: E402
from events.models import Event, Registration, RegistrationStatus  # noqa: E402
from members.models import Member, MemberStatus  # noqa: E402
from tests.outbox.brokers import kafka_read  # noqa: E402


class Findings:
    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.examples: dict[str, list] = defaultdict(list)

    def add(self, check: str, example: object) -> None:
        self.counts[check] += 1
        if len(self.examples[check]) < 3:
            self.examples[check].append(example)


def last_by(acks: list[dict], kind: str) -> dict[str, dict]:
    """The last operation per user of a toggling kind (membership, rsvp)."""
    last: dict[str, dict] = {}
    for ack in acks:
        if ack["kind"] == kind:
            last[ack["user"]] = ack
    return last


def check_writes(seed: dict, acks: list[dict], found: Findings) -> dict:
    acked = [a for a in acks if a["acked"]]
    markers = {"post": (Post, "title"), "comment": (Comment, "content"), "donation": (Donation, "message")}
    for kind, (model, column) in markers.items():
        ours = [a for a in acks if a["kind"] == kind]
        key = "marker" if kind != "donation" else "message"
        counts = dict(model.objects.filter(**{f"{column}__in": [a[key] for a in ours]})
                      .values_list(column).annotate(n=Count("pk")))
        for ack in ours:
            n = counts.get(ack[key], 0)
            if n > 1:
                found.add("duplicated", {kind: ack[key], "rows": n})
            elif ack["acked"] and n == 0:
                found.add("lost", {kind: ack[key]})
    liked = {(str(user), str(post)) for user, post in Reaction.objects.filter(post__isnull=False)
             .values_list("user_id", "post_id")}
    for ack in acked:
        if ack["kind"] == "like" and (ack["user"], ack["post"]) not in liked:
            found.add("lost", {"like": ack["post"]})
    # Toggles: the last operation decides, when it was answered (an unanswered one may or may not have run).
    roaming = {str(m.user_id): m.status for m in Member.objects.filter(community_id=seed["roaming"])}
    for user, ack in last_by(acks, "membership").items():
        if ack["acked"] and (roaming.get(user) == MemberStatus.ACTIVE) != ack["member"]:
            found.add("lost", {"membership": user, "expected_member": ack["member"], "status": roaming.get(user)})
    registrations = {str(r.user_id): r for r in Registration.objects.filter(event_id=seed["event"])}
    for user, ack in last_by(acks, "rsvp").items():
        live = user in registrations and registrations[user].status != RegistrationStatus.CANCELLED
        if ack["acked"] and live != ack["registered"]:
            found.add("lost", {"rsvp": user, "expected_registered": ack["registered"]})
    return {"acknowledged": len(acked), "uncertain": len(acks) - len(acked)}


def check_seats(seed: dict, found: Findings) -> None:
    event = Event.objects.get(pk=seed["event"])
    rows = list(Registration.objects.filter(event=event).exclude(status=RegistrationStatus.CANCELLED))
    going = [r for r in rows if r.status == RegistrationStatus.GOING]
    waiting = sorted((r for r in rows if r.status == RegistrationStatus.WAITLISTED), key=lambda r: r.position)
    if len(going) > event.capacity or event.going_count != len(going) or event.waitlist_count != len(waiting):
        found.add("seats", {"going": len(going), "going_count": event.going_count, "capacity": event.capacity,
                            "waitlisted": len(waiting), "waitlist_count": event.waitlist_count})
    if waiting and len(going) < event.capacity:
        found.add("seats", {"free seats while waitlisted": event.capacity - len(going)})
    promoted = [r.position for r in going if r.promoted_at]
    if waiting and promoted and max(promoted) > waiting[0].position:
        found.add("waitlist order", {"promoted": max(promoted), "still waiting": waiting[0].position})


def check_money(acks: list[dict], found: Findings) -> None:
    donations = {d.message: d for d in Donation.objects.filter(message__startswith="chaos-donation-")}
    paid = dict(Payment.objects.filter(status="completed").values_list("donation_id").annotate(n=Count("pk")))
    for ack in (a for a in acks if a["kind"] == "donation" and a["acked"]):
        donation = donations.get(ack["message"])
        if donation and (donation.status != "completed" or paid.get(donation.pk, 0) != 1):
            found.add("charged", {"donation": ack["message"], "status": donation.status,
                                  "payments": paid.get(donation.pk, 0)})
    live = Subscription.objects.filter(~Q(status="failed")).values("user_id").annotate(n=Count("pk"))
    for row in live.filter(n__gt=1):
        found.add("duplicated", {"subscriptions of": str(row["user_id"]), "rows": row["n"]})
    subscribed = {str(u) for u in Subscription.objects.filter(status="active").values_list("user_id", flat=True)}
    for ack in (a for a in acks if a["kind"] == "subscription" and a["acked"]):
        if ack["user"] not in subscribed:
            found.add("lost", {"subscription": ack["user"]})
    for payment in Payment.objects.filter(status="pending"):
        found.add("payments left pending", {"payment": str(payment.pk), "purpose": payment.purpose})
    sub_paid = (Payment.objects.filter(subscription__isnull=False, status="completed")
                .values("subscription_id").annotate(n=Count("pk")).filter(n__gt=1))
    for row in sub_paid:
        found.add("charged", {"subscription charged twice": str(row["subscription_id"])})


def check_events(found: Findings) -> dict:
    rows = {str(e.event_id): e for e in OutboxEvent.objects.all()}
    pending = sum(1 for e in rows.values() if e.status != "published")
    topics = sorted({f"{settings.KAFKA_TOPIC_PREFIX}{e.aggregate_type}" for e in rows.values()})
    records = kafka_read(settings.KAFKA_BOOTSTRAP_SERVERS, topics, expect=len(rows) * 2, timeout=30)
    seen: dict[str, int] = defaultdict(int)
    last_id: dict[tuple[str, str], int] = {}
    overtaken = 0
    for record in records:
        event_id = record.envelope["event_id"]
        seen[event_id] += 1
        row = rows.get(event_id)
        if row is None:
            found.add("events unknown", event_id)
            continue
        if seen[event_id] > 1:
            continue
        # One aggregate's events come from transactions that followed each other: they must
        # arrive in outbox order. Rows of one community written by overlapping transactions
        # get their ids at insert and are published as they commit, so a later id may lead;
        # that is commit order, counted but not an error.
        aggregate, community = (record.topic, row.aggregate_id), (record.topic, record.key)
        if last_id.get(aggregate, 0) > row.pk:
            found.add("events out of order", {"topic": record.topic, "event": event_id})
        if last_id.get(community, 0) > row.pk:
            overtaken += 1
        for stream in (aggregate, community):
            last_id[stream] = max(last_id.get(stream, 0), row.pk)
    for event_id in rows:
        if seen[event_id] == 0:
            found.add("events missing", event_id)
    redelivered = sum(n - 1 for n in seen.values() if n > 1)
    return {"outbox rows": len(rows), "not published": pending, "on broker": len(records),
            "redelivered": redelivered, "overtaken": overtaken}


def main(seed_path: str, acks_path: str) -> None:
    with open(seed_path) as seed_file:
        seed = json.load(seed_file)
    with open(acks_path) as acks_file:
        acks = [json.loads(line) for line in acks_file]
    found = Findings()
    totals = check_writes(seed, acks, found)
    check_seats(seed, found)
    check_money(acks, found)
    totals.update(check_events(found))
    print(json.dumps({"totals": totals, "counts": found.counts, "examples": found.examples}, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:3])
