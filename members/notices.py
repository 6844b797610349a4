"""Members' notification rules: sanctions and decisions about me (issue 38).

`member_banned` and `member_muted` (until when, with the reason) and `join_decided` (my join
request approved or rejected) go to the person concerned only (policy.told_of_own_standing),
mailed at once.
"""

from uuid import UUID

from communities.models import Community
from community_service.notifications.consumer import rule_register
from community_service.notifications.models import Delivery
from community_service.notifications.registry import Notice, NoticeType, notice_type_register
from community_service.outbox.models import OutboxEvent
from members import policy

TYPES = (
    NoticeType("member_banned", "I was banned", default=Delivery.BOTH, urgent=True),
    NoticeType("member_muted", "I was muted", default=Delivery.BOTH, urgent=True),
    NoticeType("join_decided", "My join request was decided", default=Delivery.BOTH, urgent=True),
)


def _notice(event: OutboxEvent, type_name: str, text: str, **data: object) -> list[Notice]:
    subject = UUID(event.payload["user_id"])
    community_id = UUID(event.payload["community_id"])
    actor = event.metadata.get("actor_id")
    return [Notice(
        type=type_name, text=text, source_event_id=event.event_id, recipients=[subject],
        readable=lambda ids: policy.told_of_own_standing(subject_id=subject, user_ids=ids),
        community_id=None,  # a sanction is told whatever my level there (muted included)
        actor_id=UUID(actor) if actor else None, object_type="community", object_id=str(community_id),
        url=f"/api/v1/communities/{community_id}", data={"community_id": str(community_id), **data},
    )]


def _name(event: OutboxEvent) -> str:
    return Community.objects.filter(pk=event.payload["community_id"]).values_list("name", flat=True).first() or "?"


def on_banned(event: OutboxEvent) -> list[Notice]:
    until = event.payload["banned_until"]
    reason = event.payload.get("reason") or ""
    text = f"You were banned from {_name(event)}" + (f" until {until}" if until else "") + (
        f": {reason}" if reason else ".")
    return _notice(event, "member_banned", text, banned_until=until, reason=reason)


def on_muted(event: OutboxEvent) -> list[Notice]:
    until = event.payload["muted_until"]
    return _notice(event, "member_muted", f"You were muted in {_name(event)} until {until}.", muted_until=until)


def on_join_decided(event: OutboxEvent) -> list[Notice]:
    approved = bool(event.payload["approved"])
    text = f"Your request to join {_name(event)} was " + ("approved." if approved else "declined.")
    return _notice(event, "join_decided", text, approved=approved)


def notices_register() -> None:
    notice_type_register(*TYPES)
    rule_register("member.banned", on_banned)
    rule_register("member.muted", on_muted)
    rule_register("member.join_decided", on_join_decided)
