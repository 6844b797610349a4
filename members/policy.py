"""The access policy: who may see and do what in a community, and what a refused caller gets.

# Why this is long: it is the one place every door asks, so its rules stay together.

Every door asks this module — the DRF permission classes, the pre-DRF fast path, the gRPC
servicers, search, analytics, iCal feeds, the console and the tasks — and no other module
reads membership status, bans or community type to decide access. The apps above hand it
plain facts (a community's type, a channel's or event's members-only flag, a post's status
and author, a member row's status); it judges facts, not their models, so imports keep
pointing down.

One vocabulary of refusals, the same over REST and gRPC (community_service.exceptions maps
them to HTTP statuses, community_service.grpc_api.errors to gRPC codes, with the code as the
ErrorInfo reason):

| refusal                                    | HTTP | gRPC              | when                               |
|--------------------------------------------|------|-------------------|------------------------------------|
| NotFound `not_found`                       | 404  | NOT_FOUND         | the caller may not know it exists  |
| Unauthenticated `not_authenticated`        | 401  | UNAUTHENTICATED   | a visible thing needs a signed-in caller |
| PermissionDenied `banned`                  | 403  | PERMISSION_DENIED | banned in the community            |
| PermissionDenied `not_member`              | 403  | PERMISSION_DENIED | needs an active membership         |
| PermissionDenied `muted`                   | 403  | PERMISSION_DENIED | speaking while muted               |
| PermissionDenied `permission_denied`       | 403  | PERMISSION_DENIED | a role's code is missing           |
| PermissionDenied `subscription_required`   | 403  | PERMISSION_DENIED | a gated post's level is not held   |
| PermissionDenied `key_scope`               | 403  | PERMISSION_DENIED | an API key lacks the scope a request needs |

Order: what must stay hidden is decided first (a private community's objects answer exactly
as missing ones to whoever may not see them), then the ban, then sign-in, membership, mute
and codes. A superadmin (the seed: `is_superadmin` bypasses every check) is exempt from all
of it, bans included.

API keys (members.authentication, members.grpc_api.caller) act as their owner, narrowed: a
GET needs the `read` scope and any other request `write` (key_scope_for; over gRPC
key_scope_for_rpc); the owner's codes
count only as far as the scopes allow (moderation codes need `moderate`, billing codes
`billing`: members.catalogue.codes_for_scopes); outside its communities a key finds nothing
(404); a key never carries a superadmin's bypass; a key creates only keys within itself
(require_key_within). So a key can never do more than its owner, nor more than its scopes.
"""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from communities.models import CommunityType
from community_service.exceptions import NotFound, PermissionDenied, Unauthenticated
from members.catalogue import ALL_PERMISSIONS, KeyScope
from members.models import Member, MemberStatus
from members.selectors.access import CommunityAccess, KeyGrant

# Member rows in these statuses reveal moderation state (who applied, who was banned and
# why): seeing them, one by one or listed, needs the code. Active rows are for whoever sees
# the community; every caller sees their own row.
MEMBER_STATUS_CODES: dict[str, str] = {
    MemberStatus.PENDING: "member.manage",
    MemberStatus.REJECTED: "member.manage",
    MemberStatus.LEFT: "member.manage",
    MemberStatus.KICKED: "member.manage",
    MemberStatus.BANNED: "member.ban",
}


# --- Standing --------------------------------------------------------------------------------


def is_banned(access: CommunityAccess) -> bool:
    """Banned here, and not a superadmin (who is exempt from every community rule)."""
    return access.is_banned and not access.is_superadmin


def is_insider(access: CommunityAccess) -> bool:
    """Sees what is for members: an active member, or a superadmin."""
    return access.is_superadmin or access.is_active_member


def banned_now_q() -> Q:
    """is_banned as a filter on member rows: a ban that has not ended. A row stays banned after
    its `banned_until` (until its user rejoins), and from then on they are an outsider."""
    return Q(status=MemberStatus.BANNED) & (Q(banned_until__isnull=True) | Q(banned_until__gt=timezone.now()))


def refuse_banned(access: CommunityAccess) -> None:
    if is_banned(access):
        raise PermissionDenied("You are banned from this community.", code="banned")


# --- Communities -----------------------------------------------------------------------------


def sees_community(community_type: str, access: CommunityAccess) -> bool:
    """Banned callers see nothing; a private community is for its active members."""
    if access.is_superadmin:
        return True
    if access.is_banned:
        return False
    return community_type != CommunityType.PRIVATE or access.is_active_member


def anonymous_sees_community(community_type: str) -> bool:
    """sees_community for a caller without a token (the fast path decides this before any lookup)."""
    return sees_community(community_type, CommunityAccess(community_id=UUID(int=0)))


def anonymous_shares(community_type: str, *, members_only: bool = False, gated: bool = False) -> bool:
    """May an anonymous answer about a community or one of its objects be kept by a shared HTTP
    cache and served to every anonymous caller (community_service/api/http_cache.py)? Only what
    anyone sees in full: never a private community's, a members-only object or a gated post
    (one whose readers need a subscription level). The answer to a signed-in caller is never
    shared, whatever this says (the middleware checks the request's credentials)."""
    return anonymous_sees_community(community_type) and not members_only and not gated


def require_sees_community(community_type: str, access: CommunityAccess) -> None:
    """403 `banned` for the banned (they know it exists); 404 for whoever may not know it exists."""
    refuse_banned(access)
    if not sees_community(community_type, access):
        raise NotFound("Community not found.")


def knows_community(community_type: str, access: CommunityAccess) -> bool:
    """May the caller learn that the community exists? Whoever sees it, and its banned
    members (who were told when they were banned)."""
    return is_banned(access) or sees_community(community_type, access)


def visible_communities_q(*, viewer_id: UUID | None, superadmin: bool, via: str = "",
                          known: bool = False) -> Q:
    """sees_community as a filter (`known`: knows_community, which keeps the communities the
    viewer is banned from, whose routes then answer 403 `banned`). `via` is the path from the
    queryset's model to the community ("" for Community itself, "community" for its objects)."""
    if superadmin:
        return Q()
    prefix, community_ref = (f"{via}__", OuterRef(f"{via}_id")) if via else ("", OuterRef("pk"))
    visible = ~Q(**{f"{prefix}community_type": CommunityType.PRIVATE})
    if viewer_id is None:
        return visible
    standing = Member.objects.filter(community=community_ref, user_id=viewer_id)
    active = Q(Exists(standing.filter(status=MemberStatus.ACTIVE)))
    banned = Q(Exists(standing.filter(banned_now_q())))
    return (visible | active | banned) if known else (visible | active) & ~banned


def insider_of_q(*, user_id: UUID | None, via_id: str = "community_id") -> Q:
    """is_insider per row, across communities (the row's `via_id`): an active membership."""
    if user_id is None:
        return Q(pk__in=[])
    return Q(Exists(Member.objects.filter(community=OuterRef(via_id), user_id=user_id, status=MemberStatus.ACTIVE)))


def insiders_only_q(access: CommunityAccess, field: str = "is_members_only") -> Q:
    """Members-only objects (channels, events, posts in members-only channels) hidden from
    callers who are not insiders: a filter on `field`, the object's members-only flag."""
    return Q() if is_insider(access) else ~Q(**{field: True})


def sees_members_only(is_members_only: bool, access: CommunityAccess) -> bool:
    return not is_members_only or is_insider(access)


# --- Acting in a community -------------------------------------------------------------------


def require_signed_in(access: CommunityAccess) -> None:
    if access.user_id is None and not access.is_superadmin:
        raise Unauthenticated("Authentication credentials were not provided.")


def require_member(access: CommunityAccess, doing: str = "do this") -> None:
    """An active, unbanned membership (superadmins pass)."""
    require_signed_in(access)
    refuse_banned(access)
    if not is_insider(access):
        raise PermissionDenied(f"Only members can {doing}; join the community first.", code="not_member")


def refuse_muted(access: CommunityAccess) -> None:
    if access.is_muted and not access.is_superadmin:
        raise PermissionDenied("You are muted in this community.", code="muted")


def require_can_speak(access: CommunityAccess) -> None:
    """Posting, commenting, reacting, scheduling: an active, unmuted membership."""
    require_member(access)
    refuse_muted(access)


def require_active_row(*, status: str | None, banned_until: datetime | None = None, doing: str = "do this") -> None:
    """require_member for a member row a service has just locked (its status and ban end),
    where the cached access could be a moment behind: `status` None is no membership."""
    if status == MemberStatus.BANNED and (banned_until is None or banned_until > timezone.now()):
        raise PermissionDenied("You are banned from this community.", code="banned")
    if status != MemberStatus.ACTIVE:
        raise PermissionDenied(f"Only members can {doing}; join the community first.", code="not_member")


def holds(access: CommunityAccess, code: str) -> bool:
    """The caller holds `code` (owner: every code; superadmin: bypass; banned: none)."""
    return not is_banned(access) and access.has(code)


def require_permission(access: CommunityAccess, code: str) -> None:
    """`code` in the community: 401 for the anonymous, 403 `banned`, 403 `permission_denied`."""
    require_signed_in(access)
    refuse_banned(access)
    if not access.has(code):
        raise PermissionDenied(f"You need the {code} permission in this community.", code="permission_denied")


def require_owner(access: CommunityAccess) -> None:
    require_signed_in(access)
    refuse_banned(access)
    if not (access.is_superadmin or (access.is_owner and access.is_active_member)):
        raise PermissionDenied("Only the community owner can do this.", code="permission_denied")


# --- Gated posts: who reads them without holding a level --------------------------------------

# Besides the post's author: reviewers of posts and managers of the levels.
GATE_BYPASS_CODES = ("post.moderate", "billing.manage")


def gate_bypass(access: CommunityAccess) -> bool:
    """Superadmins, the owner, post.moderate holders (they review) and billing.manage holders."""
    return access.is_superadmin or any(holds(access, code) for code in GATE_BYPASS_CODES)


def gate_bypass_q(*, user_id: UUID) -> Q:
    """gate_bypass per row, for a queryset across communities (its `community_id`)."""
    privileged = Member.objects.filter(community=OuterRef("community_id"), user_id=user_id,
                                       status=MemberStatus.ACTIVE).filter(
        Q(is_owner=True) | Q(roles__permissions__overlap=list(GATE_BYPASS_CODES)))
    return Q(Exists(privileged))


# --- Batches (the console): the same rules over many rows at once ----------------------------


def holding_rows_q() -> Q:
    """Member rows that hold their roles' codes: active ones (the owner's among them)."""
    return Q(status=MemberStatus.ACTIVE)


def codes_of_row(*, is_owner: bool, role_codes: Iterable[str] | None) -> frozenset[str]:
    """What an active member row holds: every code for the owner, else its roles' union."""
    return ALL_PERMISSIONS if is_owner else frozenset(role_codes or ())


def sanctions_open(*, actor_rank: int, target_status: str | None, target_is_owner: bool,
                   target_rank: int) -> frozenset[str]:
    """Which of "ban" and "mute" the hierarchy lets an actor of `actor_rank` apply to a member
    row, as member_ban and member_mute decide (require_outranks): nobody sanctions the owner,
    an active member only from strictly above; a ban of someone not active (left, pending,
    never joined) has no hierarchy. Codes are checked apart."""
    outranked = not target_is_owner and actor_rank > target_rank
    active = target_status == MemberStatus.ACTIVE
    kinds = set()
    if outranked or not (active or target_is_owner):
        kinds.add("ban")
    if outranked and active:
        kinds.add("mute")
    return frozenset(kinds)


def sanction_liftable(*, status: str, muted_until: datetime | None) -> bool:
    """Unban and unmute have no hierarchy: a banned row, or one muted now, may have it lifted."""
    return status == MemberStatus.BANNED or (muted_until is not None and muted_until > timezone.now())


# --- The moderation queue's claims ------------------------------------------------------------


def claim_blocks(*, claimed_by_id: UUID | None, claimed_until: datetime | None, user_id: UUID | None,
                 is_superadmin: bool) -> bool:
    """Whether another moderator's claim on a queue item keeps the user from claiming or deciding
    it: a claim holds until `claimed_until`; its holder and a superadmin are never blocked."""
    if claimed_by_id is None or claimed_until is None or claimed_until <= timezone.now():
        return False
    return claimed_by_id != user_id and not is_superadmin


def claim_free_q(*, user_id: UUID | None, is_superadmin: bool) -> Q:
    """claim_blocks as a filter on report rows: the rows the user may claim or decide now."""
    if is_superadmin:
        return Q()
    return (Q(claimed_by__isnull=True) | Q(claimed_until__isnull=True) | Q(claimed_until__lte=timezone.now())
            | Q(claimed_by=user_id))

# --- Notices: who may be told (community_service/notifications) ------------------------------


def insiders_among(*, community_id: UUID, user_ids: Iterable[UUID]) -> set[UUID]:
    """is_insider, unbanned, for many people at once (one query): those of `user_ids` with an
    active membership. A notice about a community's object only reaches these: whoever left,
    was banned or never joined hears nothing of it (a private community, a members-only channel)."""
    ids = list(user_ids)
    if not ids:
        return set()
    rows = Member.objects.filter(community_id=community_id, user_id__in=ids, status=MemberStatus.ACTIVE)
    return set(rows.exclude(banned_now_q()).values_list("user_id", flat=True))


def holders_among(*, community_id: UUID, user_ids: Iterable[UUID], codes: Iterable[str]) -> set[UUID]:
    """holds(any of `codes`) for many active members at once: the owner or a role granting one."""
    ids = list(user_ids)
    if not ids:
        return set()
    rows = Member.objects.filter(community_id=community_id, user_id__in=ids).filter(holding_rows_q()).filter(
        Q(is_owner=True) | Q(roles__permissions__overlap=list(codes)))
    return set(rows.exclude(banned_now_q()).values_list("user_id", flat=True))


def holders_in(*, community_id: UUID, codes: Iterable[str]) -> set[UUID]:
    """Every active, unbanned member holding one of `codes` (who hears of a donation: billing.manage)."""
    rows = Member.objects.filter(community_id=community_id).filter(holding_rows_q()).filter(
        Q(is_owner=True) | Q(roles__permissions__overlap=list(codes)))
    return set(rows.exclude(banned_now_q()).values_list("user_id", flat=True))


def told_of_own_standing(*, subject_id: UUID, user_ids: Iterable[UUID]) -> set[UUID]:
    """A sanction or a decision about a person is told to that person only, whatever they
    may read now: the banned know they are (knows_community), the rejected that they were."""
    return {user_id for user_id in user_ids if user_id == subject_id}


# --- Member rows -----------------------------------------------------------------------------


def sees_member_row(*, status: str, user_id: UUID | None, access: CommunityAccess) -> bool:
    """A member row: active ones for whoever sees the community; the caller's own always;
    pending, rejected, left, kicked and banned ones for holders of MEMBER_STATUS_CODES."""
    if access.user_id is not None and user_id == access.user_id:
        return True
    needed = MEMBER_STATUS_CODES.get(status)
    return needed is None or holds(access, needed)


def require_lists_member_status(status: str, access: CommunityAccess) -> None:
    """Listing members in `status` (a filter) needs its code."""
    needed = MEMBER_STATUS_CODES.get(status)
    if needed is not None:
        require_permission(access, needed)


# --- API keys --------------------------------------------------------------------------------

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def key_scope_for(method: str) -> str:
    """The scope a request by `method` needs from a key: reads `read`, every change `write`."""
    return KeyScope.READ if method.upper() in SAFE_METHODS else KeyScope.WRITE


RPC_READ_VERBS = ("Get", "List", "Check")


def key_scope_for_rpc(method: str) -> str:
    """key_scope_for over gRPC: `/pkg.Service/GetX`, ListX and CheckX read, every other method writes."""
    return KeyScope.READ if method.rsplit("/", 1)[-1].startswith(RPC_READ_VERBS) else KeyScope.WRITE


def require_key_scope(grant: KeyGrant, scope: str) -> None:
    """403 `key_scope`, naming the missing scope."""
    if scope not in grant.scopes:
        raise PermissionDenied(f"This API key lacks the `{scope}` scope.", code="key_scope")


def require_key_within(grant: KeyGrant, *, scopes: frozenset[str], community_ids: frozenset[UUID] | None,
                       expires_at: datetime) -> None:
    """A key creating a key: the new one within it (its scopes, communities and expiry)."""
    if not scopes <= grant.scopes:
        extra = ", ".join(sorted(scopes - grant.scopes))
        raise PermissionDenied(f"This API key cannot grant scopes it lacks: {extra}.", code="key_scope")
    if grant.community_ids is not None and (community_ids is None or not community_ids <= grant.community_ids):
        raise PermissionDenied("This API key cannot grant communities beyond its own.", code="key_scope")
    if expires_at > grant.expires_at:
        raise PermissionDenied("This API key cannot create a key that outlives it.", code="key_scope")


# --- Webhooks ----------------------------------------------------------------------------------

# What an event's payload may not carry out of the service: moderators' knowledge (join
# messages, ban reasons: MEMBER_STATUS_CODES) and donors' messages (donation.view). A webhook
# carries what a member without codes or levels may see; post events carry no body at all,
# so a gated post's body never goes out.
WEBHOOK_HIDDEN_FIELDS: dict[str, frozenset[str]] = {
    "member.join_requested": frozenset({"message"}),
    "member.banned": frozenset({"reason"}),
    "post.moderated": frozenset({"reason"}),
    "comment.moderated": frozenset({"reason"}),
    "donation.received": frozenset({"message"}),
}


def webhook_payload(event_type: str, payload: dict) -> dict:
    """settings.WEBHOOK_PAYLOAD_FILTER: the payload as a webhook may carry it."""
    hidden = WEBHOOK_HIDDEN_FIELDS.get(event_type, frozenset())
    return {key: value for key, value in payload.items() if key not in hidden}
