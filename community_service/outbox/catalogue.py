"""The catalogue of domain event types: name, aggregate, payload fields, schema version.

One place to add a type: append an `EventSpec` below (or call `event_type_register` from
an app's `ready()`), document it in docs/events.md (a test checks that every type is
there), and call `outbox_record` from the service that makes it happen.
"""

from dataclasses import dataclass
from enum import StrEnum


class Aggregate(StrEnum):
    """Aggregate types; each is one Kafka topic: `<KAFKA_TOPIC_PREFIX><aggregate>`."""

    COMMUNITY = "community"
    MEMBER = "member"
    ROLE = "role"
    CHANNEL = "channel"
    POST = "post"
    COMMENT = "comment"
    REPORT = "report"
    EVENT = "event"
    SUBSCRIPTION = "subscription"
    DONATION = "donation"
    PAYMENT = "payment"
    USER = "user"


@dataclass(frozen=True)
class EventSpec:
    name: str
    aggregate: Aggregate
    fields: tuple[str, ...]
    optional: tuple[str, ...] = ()
    description: str = ""
    schema_version: int = 1
    # The seed's 14 types; the others are what the product needs on top of them.
    seed: bool = False


_COMMUNITY = ("community_id", "owner_id", "name")
_MEMBER = ("community_id", "member_id", "user_id")
_POST = ("community_id", "post_id", "author_id", "channel_id")
_EVENT = ("community_id", "event_id", "title", "starts_at")
_SUB = ("community_id", "subscription_id", "user_id", "level_id")
_PAYMENT = ("community_id", "payment_id", "user_id", "purpose", "amount", "currency")

EVENT_TYPES: dict[str, EventSpec] = {}


def event_type_register(spec: EventSpec) -> EventSpec:
    if spec.name in EVENT_TYPES and EVENT_TYPES[spec.name] != spec:
        raise ValueError(f"Event type {spec.name} is already registered differently.")
    if not spec.name.startswith(f"{spec.aggregate}."):
        raise ValueError(f"Event type {spec.name} must start with its aggregate '{spec.aggregate}.'.")
    EVENT_TYPES[spec.name] = spec
    return spec


def event_spec(event_type: str) -> EventSpec:
    try:
        return EVENT_TYPES[event_type]
    except KeyError as exc:
        raise ValueError(
            f"Unknown event type {event_type!r}: add it to community_service/outbox/catalogue.py."
        ) from exc


A, S = Aggregate, EventSpec
for _spec in (
    # --- communities (wired) ---
    S("community.created", A.COMMUNITY, (*_COMMUNITY, "slug", "community_type"), seed=True,
      description="A community was created; its owner is its first member."),
    S("community.updated", A.COMMUNITY, (*_COMMUNITY, "slug", "changed"), seed=True,
      description="Fields changed; `changed` lists their names."),
    S("community.deleted", A.COMMUNITY, _COMMUNITY, seed=True, description="Soft-deleted: hidden from the API."),
    S("community.ownership_transferred", A.COMMUNITY, (*_COMMUNITY, "previous_owner_id"),
      description="Ownership moved to another member."),
    # --- members ---
    S("member.joined", A.MEMBER, _MEMBER, optional=("via_invite",), seed=True,
      description="A user became an active member (directly, by invite or by an approved request)."),
    S("member.left", A.MEMBER, (*_MEMBER, "reason"), seed=True,
      description="Membership ended; `reason` is left | kicked | banned."),
    S("member.join_requested", A.MEMBER, _MEMBER, optional=("message",),
      description="A user asked to join a restricted community."),
    S("member.join_decided", A.MEMBER, (*_MEMBER, "approved"),
      description="A join request was approved (then member.joined follows) or rejected."),
    S("member.banned", A.MEMBER, (*_MEMBER, "banned_until"), optional=("reason",),
      description="`banned_until` is null for a permanent ban."),
    S("member.unbanned", A.MEMBER, _MEMBER),
    S("member.muted", A.MEMBER, (*_MEMBER, "muted_until")),
    S("member.unmuted", A.MEMBER, _MEMBER),
    S("member.roles_changed", A.MEMBER, (*_MEMBER, "role_ids")),
    # --- roles ---
    S("role.created", A.ROLE, ("community_id", "role_id", "name", "permissions")),
    S("role.updated", A.ROLE, ("community_id", "role_id", "name", "changed")),
    S("role.deleted", A.ROLE, ("community_id", "role_id", "name")),
    # --- channels ---
    S("channel.created", A.CHANNEL, ("community_id", "channel_id", "name")),
    S("channel.updated", A.CHANNEL, ("community_id", "channel_id", "name", "changed")),
    S("channel.deleted", A.CHANNEL, ("community_id", "channel_id", "name")),
    # --- posts and comments ---
    S("post.created", A.POST, (*_POST, "title"), seed=True),
    S("post.updated", A.POST, (*_POST, "changed"), seed=True),
    S("post.deleted", A.POST, _POST, seed=True),
    S("post.moderated", A.POST, (*_POST, "moderator_id", "action"), optional=("reason",),
      description="`action` is approved | rejected | removed | restored | pinned | unpinned | locked | unlocked; "
                  "every one is also in the audit log."),
    S("post.liked", A.POST, (*_POST, "user_id"),
      description="`user_id` liked the post (a like taken back records nothing); feeds reaction notices."),
    S("comment.created", A.COMMENT, ("community_id", "comment_id", "post_id", "author_id"),
      optional=("parent_id",)),
    S("comment.deleted", A.COMMENT, ("community_id", "comment_id", "post_id", "author_id")),
    S("comment.moderated", A.COMMENT, ("community_id", "comment_id", "post_id", "moderator_id", "action"),
      optional=("reason",), description="`action` is removed | restored; every one is also in the audit log."),
    # --- the moderation queue ---
    S("report.decided", A.REPORT,
      ("community_id", "report_id", "target_type", "target_id", "author_id", "decision", "status", "moderator_id",
       "reason", "reporter_ids"),
      optional=("until",),
      description="A moderator decided a queue item (every report of one post, comment or member) in one "
                  "transaction. `decision` is approve | remove | lock | ban | mute; `status` is dismissed "
                  "(approve) | resolved; `author_id` is whose content or membership was reported (null when "
                  "the account is gone); `reason` is the moderator's words (may be empty); `reporter_ids` "
                  "are everyone who reported it; `until` is when a ban (null: permanent) or mute ends."),
    S("comment.liked", A.COMMENT, ("community_id", "comment_id", "post_id", "author_id", "user_id"),
      description="`user_id` liked the comment of `author_id`."),
    # --- events (meetups) ---
    S("event.created", A.EVENT, _EVENT, seed=True),
    S("event.updated", A.EVENT, (*_EVENT, "changed"), seed=True),
    S("event.deleted", A.EVENT, _EVENT, seed=True),
    S("event.rsvp_created", A.EVENT, ("community_id", "event_id", "registration_id", "user_id", "status"),
      description="`status` is going | waitlisted."),
    S("event.rsvp_cancelled", A.EVENT, ("community_id", "event_id", "registration_id", "user_id"),
      optional=("promoted_registration_id", "reason"),
      description="`promoted_registration_id`: the waitlisted registration that took the freed seat; "
                  "`reason` is membership_ended when the member left, was kicked or banned."),
    S("event.rsvp_promoted", A.EVENT, ("community_id", "event_id", "registration_id", "user_id", "reason"),
      description="A waitlisted member is now going; `reason` is seat_freed | capacity_raised."),
    S("event.cancelled", A.EVENT, (*_EVENT, "reason", "registrant_user_ids", "part", "parts"),
      description="`registrant_user_ids`: everyone going or waitlisted; more than 500 are spread over several "
                  "messages (`part` of `parts`)."),
    # --- billing ---
    S("subscription.started", A.SUBSCRIPTION, (*_SUB, "amount", "currency", "starts_at", "expires_at"), seed=True,
      description="The first payment of a subscription completed; access runs from `starts_at` to `expires_at`."),
    S("subscription.ended", A.SUBSCRIPTION, (*_SUB, "reason"), seed=True,
      description="Access is over; `reason` is expired | cancelled (a cancelled subscription reached expires_at) "
                  "| refunded (a payment of it was refunded)."),
    S("subscription.cancelled", A.SUBSCRIPTION, (*_SUB, "expires_at"),
      description="The subscriber stopped renewal; access lasts until `expires_at`, then subscription.ended."),
    S("subscription.renewed", A.SUBSCRIPTION, (*_SUB, "amount", "currency", "expires_at"),
      description="A renewal payment completed; `expires_at` moved one period further."),
    S("subscription.upgraded", A.SUBSCRIPTION,
      (*_SUB, "previous_level_id", "amount", "currency", "credit", "starts_at", "expires_at"),
      description="Moved to another level at once; `credit` is the unused value of the old period taken off "
                  "`amount` (docs/billing.md)."),
    S("donation.received", A.DONATION, ("community_id", "donation_id", "donor_id", "amount", "currency"),
      optional=("message",), seed=True,
      description="A donation's payment completed. `donor_id` is null for an anonymous donation."),
    S("donation.refunded", A.DONATION, ("community_id", "donation_id", "amount", "currency"),
      description="A completed donation was refunded; it no longer counts in totals."),
    S("payment.failed", A.PAYMENT, _PAYMENT + ("failure_code",),
      description="The provider declined a charge or reported it failed; `purpose` is donation | "
                  "subscription_start | subscription_renew | subscription_upgrade."),
    S("payment.refunded", A.PAYMENT, _PAYMENT,
      description="A completed payment was given back (console refund or provider webhook)."),
    # --- accounts ---
    S("user.closed", A.USER, ("user_id",),
      description="An account was closed: its email and username are gone; systems that keep the person's data "
                  "should erase it."),
):
    event_type_register(_spec)
del A, S, _spec


class EventType(StrEnum):
    """Names for call sites: `EventType.COMMUNITY_CREATED` == "community.created"."""

    COMMUNITY_CREATED = "community.created"
    COMMUNITY_UPDATED = "community.updated"
    COMMUNITY_DELETED = "community.deleted"
    COMMUNITY_OWNERSHIP_TRANSFERRED = "community.ownership_transferred"
    MEMBER_JOINED = "member.joined"
    MEMBER_LEFT = "member.left"
    MEMBER_JOIN_REQUESTED = "member.join_requested"
    MEMBER_JOIN_DECIDED = "member.join_decided"
    MEMBER_BANNED = "member.banned"
    MEMBER_UNBANNED = "member.unbanned"
    MEMBER_MUTED = "member.muted"
    MEMBER_UNMUTED = "member.unmuted"
    MEMBER_ROLES_CHANGED = "member.roles_changed"
    ROLE_CREATED = "role.created"
    ROLE_UPDATED = "role.updated"
    ROLE_DELETED = "role.deleted"
    CHANNEL_CREATED = "channel.created"
    CHANNEL_UPDATED = "channel.updated"
    CHANNEL_DELETED = "channel.deleted"
    POST_CREATED = "post.created"
    POST_UPDATED = "post.updated"
    POST_DELETED = "post.deleted"
    POST_MODERATED = "post.moderated"
    POST_LIKED = "post.liked"
    COMMENT_CREATED = "comment.created"
    COMMENT_DELETED = "comment.deleted"
    COMMENT_MODERATED = "comment.moderated"
    REPORT_DECIDED = "report.decided"
    COMMENT_LIKED = "comment.liked"
    EVENT_CREATED = "event.created"
    EVENT_UPDATED = "event.updated"
    EVENT_DELETED = "event.deleted"
    EVENT_RSVP_CREATED = "event.rsvp_created"
    EVENT_RSVP_CANCELLED = "event.rsvp_cancelled"
    EVENT_RSVP_PROMOTED = "event.rsvp_promoted"
    EVENT_CANCELLED = "event.cancelled"
    SUBSCRIPTION_STARTED = "subscription.started"
    SUBSCRIPTION_ENDED = "subscription.ended"
    SUBSCRIPTION_CANCELLED = "subscription.cancelled"
    SUBSCRIPTION_RENEWED = "subscription.renewed"
    SUBSCRIPTION_UPGRADED = "subscription.upgraded"
    DONATION_RECEIVED = "donation.received"
    DONATION_REFUNDED = "donation.refunded"
    PAYMENT_FAILED = "payment.failed"
    PAYMENT_REFUNDED = "payment.refunded"
    USER_CLOSED = "user.closed"


def payload_check(spec: EventSpec, payload: dict) -> None:
    """Refuse a payload that does not match the documented fields (docs/events.md)."""
    missing = [name for name in spec.fields if name not in payload]
    unknown = [name for name in payload if name not in spec.fields and name not in spec.optional]
    if missing or unknown:
        raise ValueError(f"{spec.name} payload: missing {missing}, unknown {unknown}.")
