"""Races on money: one Idempotency-Key sent several times at once, a refund while its provider's
webhook arrives and the donor gives again, two subscribes at once, and the expiry sweep while
a renewal, an upgrade or a new subscription runs (see tests/races/scenarios.py for what every
round checks).

The sandbox provider keeps its charges in this process (billing.providers.sandbox.LEDGER), so
a round can count what was really charged: never more than the answers say.
"""

import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Donation, Payment, PaymentStatus, Subscription, SubscriptionLevel, SubscriptionStatus
from billing.providers.breaker import breaker_reset
from billing.providers.sandbox import LEDGER, sandbox_webhook
from billing.selectors.donations import _summary
from billing.services.donations import donation_create
from billing.services.payments import payment_refund
from billing.services.subscriptions import subscriptions_expire
from community_service.exceptions import Conflict
from community_service.outbox.models import OutboxEvent
from members.models import User
from members.selectors.access import CommunityAccess
from tests.billing.world import level_create, subscription_active
from tests.factories import member_add
from tests.races.harness import Call, Job, assert_outbox, events_since, meta, outbox_mark, race, token, url
from tests.races.scenarios import Stage, Tally, _tally, stage

OK = {"payment_method": "pm_sandbox_ok"}


def _money_stage() -> tuple[Stage, SubscriptionLevel, SubscriptionLevel]:
    """A community with two levels; the sandbox 'bank' and its breaker start clean."""
    LEDGER.reset()
    breaker_reset(settings.BILLING_DEFAULT_PROVIDER)
    cache.clear()
    s = stage({})
    return s, level_create(s.community, name="Supporter", price="5.00"), level_create(
        s.community, name="Premium", price="15.00", position=1)


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _charges() -> int:
    with LEDGER.lock:
        return len(LEDGER.charges)


def _live(user: User) -> list[Subscription]:
    return list(Subscription.objects.filter(user=user, ended_at__isnull=True))


# Donations


def same_key_donations_at_once(rounds: int) -> Tally:
    """A donor's app sends one donation three times at once with one Idempotency-Key: one charge."""
    s, _, _ = _money_stage()
    donor = member_add(s.community)
    donations = url("donation-list", community_pk=s.community.pk)
    tally: Tally = Counter()
    for _ in range(rounds):
        key, charges, rows = _key(), _charges(), Donation.objects.count()
        mark = outbox_mark()
        body = {"amount": "5.00", "currency": "USD", **OK}
        out = race([Call(f"send{n}", token(donor), "post", donations, body, key) for n in range(3)])
        # One ran it; the others replayed its answer (201) or were told it is still running (409).
        statuses = sorted(o.status for o in out.values())
        assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, _tally(out)
        assert (_charges(), Donation.objects.count(), Payment.objects.filter(donation__isnull=False).count()) == (
            charges + 1, rows + 1, rows + 1)
        ran = [name for name, o in out.items() if events_since(mark).get(o.request_id)]
        assert len(ran) == 1 and out[ran[0]].status == 201, (ran, _tally(out))
        assert_outbox(mark, out, {ran[0]: ["donation.received"]})
        tally[tuple(sorted(Counter(statuses).items()))] += 1
    return tally


def _webhook(event_type: str, provider_payment_id: str) -> Callable[[str], int]:
    def send(request_id: str) -> int:
        body, headers = sandbox_webhook(event_type, provider_payment_id)
        api = APIClient()
        api.raise_request_exception = False
        return api.generic("POST", url("billing-webhook", provider="sandbox"), body, content_type="application/json",
                           HTTP_X_REQUEST_ID=request_id, **meta(headers)).status_code

    return send


def _refund(payment: Payment) -> Callable[[str], int | None]:
    def click(request_id: str) -> int | None:  # the admin's "refund" action
        try:
            payment_refund(actor=CommunityAccess(community_id=payment.community_id, is_superadmin=True),
                           payment=payment)
        except Conflict:  # the provider's webhook settled the refund first
            return 409
        return None

    return click


def refund_while_donate(rounds: int) -> Tally:
    """An admin refunds a donation while the provider's refund webhook arrives, the donor gives
    again and a visitor reads the summary: one refund, and the summary equals the rows."""
    s, _, _ = _money_stage()
    donor = member_add(s.community)
    summary = url("donation-summary", community_pk=s.community.pk)
    tally: Tally = Counter()
    for _ in range(rounds):
        given = donation_create(community=s.community, donor=donor, amount=Decimal("7.50"), currency="USD",
                                payment_method="pm_sandbox_ok")
        payment = Payment.objects.get(donation=given)
        mark = outbox_mark()
        out = race([
            Job("refund", _refund(payment)),
            Job("webhook", _webhook("payment.refunded", payment.provider_payment_id)),
            Call("donate", token(donor), "post", url("donation-list", community_pk=s.community.pk),
                 {"amount": "2.00", "currency": "USD", **OK}, _key()),
            Call("summary", token(donor), "get", summary),
        ])
        assert out["donate"].status == 201 and out["webhook"].status == 200, _tally(out)
        assert out["refund"].status in (200, 409) and out["summary"].status == 200, _tally(out)
        events = events_since(mark)
        refunded_by = [name for name in ("refund", "webhook") if events.get(out[name].request_id)]
        assert len(refunded_by) == 1, (refunded_by, _tally(out))  # refunded exactly once
        assert_outbox(mark, out, {"donate": ["donation.received"],
                                  refunded_by[0]: ["payment.refunded", "donation.refunded"]})
        given.refresh_from_db()
        payment.refresh_from_db()
        assert (given.status, payment.status) == ("refunded", PaymentStatus.REFUNDED)
        # A summary cached by the racing read would now be stale: the cache must agree with the rows.
        assert APIClient().get(summary).json() == _summary(s.community.pk)
        tally[(*_tally(out), ("by_" + refunded_by[0], 1))] += 1
    return tally


# Subscriptions


def _expire(now: datetime, ended: list, *, lag: float = 0.0) -> Callable[[str], None]:
    def sweep(request_id: str) -> None:  # the beat task
        # A request spends its first tens of milliseconds on authentication before it reaches
        # a row; the sweep, started up to `lag` later, meets it at every stage of its work.
        time.sleep(random.uniform(0, lag))
        ended.extend(subscriptions_expire(now=now))

    return sweep


def _extend_while_expire(rounds: int, action: str) -> Tally:
    """A subscriber renews (or upgrades) in the last seconds of their period while the expiry
    sweep runs for the moment the period ends."""
    s, level, premium = _money_stage()
    tally: Tally = Counter()
    for _ in range(rounds):
        user = member_add(s.community)
        subscription = subscription_active(level, user, days_left=60 / 86400)  # a minute left
        body = {**OK, "level_id": str(premium.pk)} if action == "upgrade" else OK
        ended: list = []
        charges = _charges()
        mark = outbox_mark()
        out = race([
            Call(action, token(user), "post", url(f"subscription-{action}", subscription_id=subscription.pk), body,
                 _key()),
            Job("expire", _expire(subscription.expires_at + timedelta(seconds=1), ended, lag=0.15)),
        ])
        # Ended first, there is no access left to extend (409); otherwise the payment goes through.
        assert out[action].status in (200, 409) and out["expire"].status == 200, _tally(out)
        paid = out[action].status == 200
        subscription.refresh_from_db()
        assert _charges() == charges + int(paid)
        assert Payment.objects.filter(subscription=subscription, status=PaymentStatus.COMPLETED).count() == int(paid)
        assert len(ended) <= 1
        done = "subscription.upgraded" if action == "upgrade" else "subscription.renewed"
        # The sweep may end it between the payment's opening and its settling: the payment then
        # starts a new period (subscription.started) rather than extending the ended one.
        assert_outbox(mark, out, {
            action: ([("subscription.started" if ended else done)] if paid else []),
            "expire": ["subscription.ended"] if ended else [],
        })
        if paid:
            assert subscription.status == SubscriptionStatus.ACTIVE and subscription.ended_at is None
            assert subscription.expires_at > timezone.now() + timedelta(days=29)
            assert subscription.level_id == (premium.pk if action == "upgrade" else level.pk)
        else:
            assert ended and subscription.status == SubscriptionStatus.EXPIRED and subscription.ended_at is not None
        assert len(_live(user)) == int(paid)
        tally[(*_tally(out), ("ended", len(ended)))] += 1
    return tally


def renew_while_expire(rounds: int) -> Tally:
    return _extend_while_expire(rounds, "renew")


def upgrade_while_expire(rounds: int) -> Tally:
    return _extend_while_expire(rounds, "upgrade")


def upgrades_while_renew(rounds: int) -> Tally:
    """A subscriber taps "upgrade" twice (two keys) while another device renews: each payment
    made is charged once, settles, and pays the price of the level it extends."""
    s, level, premium = _money_stage()
    prices = {level.pk: level.price, premium.pk: premium.price}
    tally: Tally = Counter()
    for _ in range(rounds):
        user = member_add(s.community)
        subscription = subscription_active(level, user, days_left=20)
        charges = _charges()
        mark = outbox_mark()
        upgrade = url("subscription-upgrade", subscription_id=subscription.pk)
        out = race([
            Call("upgrade", token(user), "post", upgrade, {**OK, "level_id": str(premium.pk)}, _key()),
            Call("upgrade2", token(user), "post", upgrade, {**OK, "level_id": str(premium.pk)}, _key()),
            Call("renew", token(user), "post", url("subscription-renew", subscription_id=subscription.pk), OK,
                 _key()),
        ])
        # Refused while another payment is in flight (409 payment_pending), or after the other
        # upgrade: already on that level (400 naming level_id).
        assert out["renew"].status in (200, 409), _tally(out)
        assert {out["upgrade"].status, out["upgrade2"].status} <= {200, 400, 409}, _tally(out)
        paid = [name for name, o in out.items() if o.status == 200]
        upgraded = [name for name in paid if name.startswith("upgrade")]
        assert len(upgraded) <= 1, _tally(out)
        assert _charges() == charges + len(paid)
        completed = Payment.objects.filter(subscription=subscription, status=PaymentStatus.COMPLETED)
        assert completed.count() == len(paid) and not Payment.objects.filter(
            subscription=subscription, status=PaymentStatus.PENDING).exists()
        assert_outbox(mark, out, {name: ["subscription.upgraded" if name in upgraded else "subscription.renewed"]
                                  for name in paid})
        # A renewal pays the price of the level it extends, whichever way the upgrade went.
        for event in OutboxEvent.objects.filter(id__gt=mark, event_type="subscription.renewed"):
            assert Decimal(event.payload["amount"]) == prices[uuid.UUID(event.payload["level_id"])], event.payload
        subscription.refresh_from_db()
        assert subscription.level_id == (premium.pk if upgraded else level.pk)
        assert subscription.status == SubscriptionStatus.ACTIVE and len(_live(user)) == 1
        tally[_tally(out)] += 1
    return tally


def two_subscribes_while_expire(rounds: int) -> Tally:
    """A member whose period just ran out subscribes from two devices at once (two levels, two
    keys) while the sweep ends the old subscription: at most one live subscription, charged once."""
    s, level, premium = _money_stage()
    tally: Tally = Counter()
    for n in range(rounds):
        user = member_add(s.community)
        old = subscription_active(level, user, days_left=-60 / 86400) if n % 2 == 0 else None  # ran out a minute ago
        subscriptions = url("subscription-list", community_pk=s.community.pk)
        ended: list = []
        charges = _charges()
        mark = outbox_mark()
        out = race([
            Call("subscribe", token(user), "post", subscriptions, {**OK, "level_id": str(level.pk)}, _key()),
            Call("subscribe_premium", token(user), "post", subscriptions, {**OK, "level_id": str(premium.pk)},
                 _key()),
            Job("expire", _expire(timezone.now(), ended)),
        ])
        started = [name for name in ("subscribe", "subscribe_premium") if out[name].status == 201]
        assert {out["subscribe"].status, out["subscribe_premium"].status} <= {201, 409}, _tally(out)
        # Without an old one, exactly one wins; with one, both may come before the sweep ends it.
        assert len(started) == 1 if old is None else len(started) <= 1, _tally(out)
        assert len(ended) == int(old is not None)
        assert _charges() == charges + len(started)
        assert len(_live(user)) == len(started)
        assert_outbox(mark, out, {**{name: ["subscription.started"] for name in started},
                                  "expire": ["subscription.ended"] if old else []})
        if old is not None:
            old.refresh_from_db()
            assert old.status == SubscriptionStatus.EXPIRED and old.ended_at is not None
        tally[(*_tally(out), ("old", int(old is not None)))] += 1
    return tally


SCENARIOS = [same_key_donations_at_once, refund_while_donate, renew_while_expire, upgrade_while_expire,
             upgrades_while_renew, two_subscribes_while_expire]
