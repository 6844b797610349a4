"""Billing's notification rules: my subscription started, ends in 3 days, ended, a payment
failed, and — to the holders of billing.manage — a donation received (issue 38).

"Ends in 3 days" is not a domain event: beat runs `subscriptions_ending_notify` hourly for
cancelled subscriptions (renewal stopped) whose access ends within 3 days (ENDING_DAYS);
the notice's source id is derived from (subscription, expires_at), so each period is told once.
"""

import uuid
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from billing.models import Subscription, SubscriptionLevel, SubscriptionStatus
from community_service.notifications.consumer import rule_register
from community_service.notifications.models import Delivery
from community_service.notifications.registry import DIRECT, Notice, NoticeType, notice_type_register
from community_service.notifications.services import notice_deliver
from community_service.outbox.models import OutboxEvent
from members import policy

TYPES = (
    NoticeType("subscription_started", "My subscriptions started", default=Delivery.BOTH, reach=DIRECT),
    NoticeType("subscription_ending", "My subscriptions about to end", default=Delivery.BOTH, urgent=True,
               reach=DIRECT),
    NoticeType("subscription_ended", "My subscriptions ended", default=Delivery.BOTH, reach=DIRECT),
    NoticeType("payment_failed", "My payments that failed", default=Delivery.BOTH, urgent=True, reach=DIRECT),
    NoticeType("donation_received", "Donations to communities I manage billing of", default=Delivery.BOTH),
)
ENDING_DAYS = 3
ENDING_NAMESPACE = uuid.UUID("0b8f7c44-1f8e-4b6f-a1a9-7f7d2a3c9e10")


def _level_name(level_id: UUID | str) -> str:
    return SubscriptionLevel.objects.filter(pk=level_id).values_list("name", flat=True).first() or "a level"


def _mine(event: OutboxEvent | None, type_name: str, text: str, *, user_id: object, community_id: object,
          object_type: str, object_id: object, source_event_id: UUID | None = None, **data: object) -> Notice:
    community = UUID(str(community_id))
    return Notice(
        type=type_name, text=text, recipients=[UUID(str(user_id))],
        source_event_id=source_event_id or (event.event_id if event else uuid.uuid4()),
        # About my own money: told whatever I may read in the community now.
        readable=lambda ids: policy.told_of_own_standing(subject_id=UUID(str(user_id)), user_ids=ids),
        community_id=community, object_type=object_type, object_id=str(object_id),
        url=f"/api/v1/communities/{community}/subscriptions" if object_type == "subscription" else "",
        data={k: str(v) for k, v in data.items()},
    )


def on_started(event: OutboxEvent) -> list[Notice]:
    p = event.payload
    return [_mine(event, "subscription_started", f"Your subscription to {_level_name(p['level_id'])} started.",
                  user_id=p["user_id"], community_id=p["community_id"], object_type="subscription",
                  object_id=p["subscription_id"], expires_at=p["expires_at"])]


def on_ended(event: OutboxEvent) -> list[Notice]:
    p = event.payload
    return [_mine(event, "subscription_ended", f"Your subscription to {_level_name(p['level_id'])} ended.",
                  user_id=p["user_id"], community_id=p["community_id"], object_type="subscription",
                  object_id=p["subscription_id"], reason=p["reason"])]


def on_payment_failed(event: OutboxEvent) -> list[Notice]:
    p = event.payload
    return [_mine(event, "payment_failed", f"Your payment of {p['amount']} {p['currency']} failed.",
                  user_id=p["user_id"], community_id=p["community_id"], object_type="payment",
                  object_id=p["payment_id"], purpose=p["purpose"], failure_code=p["failure_code"])]


def on_donation(event: OutboxEvent) -> list[Notice]:
    p = event.payload
    community_id = UUID(p["community_id"])
    return [Notice(
        type="donation_received", text=f"A donation of {p['amount']} {p['currency']} was received.",
        recipients=sorted(policy.holders_in(community_id=community_id, codes=["billing.manage"])),
        source_event_id=event.event_id,
        readable=lambda ids: policy.holders_among(community_id=community_id, user_ids=ids, codes=["billing.manage"]),
        community_id=community_id, actor_id=UUID(p["donor_id"]) if p["donor_id"] else None,
        object_type="donation", object_id=p["donation_id"], data={"amount": p["amount"], "currency": p["currency"]},
    )]


def subscriptions_ending_notify(*, now: datetime | None = None) -> int:
    """Tell subscribers whose cancelled subscription ends within 3 days; once per period."""
    now = now or timezone.now()
    created = 0
    ending = Subscription.objects.filter(status=SubscriptionStatus.CANCELLED, expires_at__gt=now,
                                         expires_at__lte=now + timedelta(days=ENDING_DAYS)).select_related("level")
    for subscription in ending:
        assert subscription.expires_at is not None  # filtered on it above
        notice = _mine(None, "subscription_ending",
                       f"Your subscription to {subscription.level.name} ends on {subscription.expires_at:%Y-%m-%d}.",
                       user_id=subscription.user_id, community_id=subscription.community_id,
                       object_type="subscription", object_id=subscription.pk,
                       source_event_id=uuid.uuid5(ENDING_NAMESPACE, f"{subscription.pk}:{subscription.expires_at}"),
                       expires_at=subscription.expires_at.isoformat())
        with transaction.atomic():
            created += len(notice_deliver(notice, notice.recipients).reached)
    return created


def notices_register() -> None:
    notice_type_register(*TYPES)
    rule_register("subscription.started", on_started)
    rule_register("subscription.ended", on_ended)
    rule_register("payment.failed", on_payment_failed)
    rule_register("donation.received", on_donation)
