"""What the apps tell the notification machinery: their notice types and their rules.

The machinery (this package) is platform infrastructure and knows no app. Each app, in its
AppConfig.ready(), registers the types it sends (`notice_type_register`) and, per domain
event type, a rule (`notice_rule_register`) that turns one OutboxEvent into `Notice`s:
who is concerned, what to say, and — mandatory — `readable`, the app's question to
members/policy.py of which of those people may read the object right now. A rule is a pure
function of the event and the current database state, so a fan-out task can run it again.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from community_service.notifications.models import Delivery
from community_service.outbox.models import OutboxEvent

# Which level a notice needs in its community/channel: "watched" only reaches watchers,
# "direct" (a mention or reply to me) every level but muted, "personal" (a like, an event
# or billing notice) normal and watching, not tracking or muted.
WATCHED, DIRECT, PERSONAL = "watched", "direct", "personal"


@dataclass(frozen=True)
class NoticeType:
    name: str
    label: str
    default: str = Delivery.IN_APP
    # Urgent types are mailed at once; the others wait for the daily digest.
    urgent: bool = False
    reach: str = PERSONAL


@dataclass
class Notice:
    """One thing to tell some people. Give `recipients` (a few) or `audience` (many: a pager
    `audience(after_user_id, limit)` returning user ids in ascending order, run in batches by
    a background task)."""

    type: str
    text: str
    source_event_id: UUID
    # Which of these user ids may read the object now (members/policy.py, via the app).
    readable: Callable[[list[UUID]], set[UUID]]
    # None entries (a deleted author) are skipped.
    recipients: Sequence[UUID | None] = ()
    audience: Callable[[UUID | None, int], list[UUID]] | None = None
    community_id: UUID | None = None
    channel_id: UUID | None = None
    actor_id: UUID | None = None
    actor_count: int = 1
    object_type: str = ""
    object_id: str = ""
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # Notices sharing a key collapse into one unread notice per recipient (likes).
    collapse_key: str = ""
    # Collapsed notices rewrite their text with the count: "{actor} and {others} others liked …".
    collapsed_text: str = ""


Rule = Callable[[OutboxEvent], list[Notice]]

NOTICE_TYPES: dict[str, NoticeType] = {}
_rules: dict[str, list[Rule]] = defaultdict(list)


def notice_type_register(*types: NoticeType) -> None:
    for notice_type in types:
        if NOTICE_TYPES.get(notice_type.name, notice_type) != notice_type:
            raise ValueError(f"Notice type {notice_type.name} is already registered differently.")
        NOTICE_TYPES[notice_type.name] = notice_type


def notice_type(name: str) -> NoticeType:
    try:
        return NOTICE_TYPES[name]
    except KeyError as exc:
        raise ValueError(f"Unknown notice type {name!r}.") from exc


def notice_rule_register(event_type: str, rule: Rule) -> None:
    if rule not in _rules[event_type]:
        _rules[event_type].append(rule)


def notice_rules() -> dict[str, list[Rule]]:
    return {event_type: list(rules) for event_type, rules in _rules.items() if rules}


def notices_for(event: OutboxEvent) -> list[Notice]:
    return [notice for rule in _rules.get(event.event_type, ()) for notice in rule(event)]
