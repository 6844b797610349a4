"""One matrix, every door: what the access policy answers, every door answers.

For each kind of caller × each state of an object × each read, the expected outcome is worked
out from the policy's own predicates (members.policy.sees_community and sees_member_row,
content.access.post_readable and post_locked, events.access.event_readable), and every door
that serves the read is asked:

- a community: REST by slug (the view), by id with the fast path's cache cold and warm, with
  the warm ETag in If-None-Match (a 304 is a read too), gRPC GetCommunity;
- a member row (active, pending, banned): REST member detail, gRPC GetMember;
- a post: REST detail, gRPC GetPost;
- a community's posts in each status: REST page, REST keyset page, gRPC ListPosts, REST
  `?search=` (no hidden post in items, `total` or highlights; a locked body in no highlight);
- searches (the community's `?search=`, global `/api/v1/search`) for a word of every title,
  for a typo of it (the fuzzy path), and for words only the gated bodies hold (a locked post
  must not match on its body: that would tell what it says); global search finds published
  posts only (its scope), and communities the caller knows of (banned members' communities
  are listed, and their routes answer 403 `banned`, as for GET /communities, also asked);
- an event: REST detail, REST list.

Outcomes are compared as words: `allowed`, `locked` (title only), `absent` (not in a list),
or the refusal's status and code (`404 not_found`, `403 banned`). gRPC has no anonymous
caller (a call without x-user-id is the service itself), so anonymous rows skip it.

One world per community type (the gRPC server's threads see committed rows only, so it is a
transactional test); every drift of the world is collected and reported at once.
"""

# Why this is long: one matrix on purpose — the expected outcome per caller × state × read is worked out
# once and every door is asked in the same loop, so a door that disagrees cannot hide in another file.

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import grpc
import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import SubscriptionLevel
from communities.models import Community, CommunityType
from communities.selectors import community_cache_key
from community_service.grpc_api.convert import enum_number
from community_service.grpc_api.gen.community.v1 import communities_pb2, posts_pb2
from content.access import post_locked, post_readable
from content.models import Post, PostStatus
from events.access import event_readable
from events.models import Event
from members import policy
from members.models import Member, MemberStatus, User
from members.selectors.access import CommunityAccess, community_access
from tests.billing.world import level_create, subscription_active
from tests.conftest import client_for
from tests.events.world import event_make
from tests.factories import ChannelFactory, CommunityFactory, PostFactory, RoleFactory, UserFactory, member_add
from tests.grpc_api.conftest import Client, Refusal
from tests.routes import url_for

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED, LOCKED, ABSENT = "allowed", "locked", "absent"
NOT_FOUND, BANNED = "404 not_found", "403 banned"
HTTP_OF = {grpc.StatusCode.NOT_FOUND: 404, grpc.StatusCode.PERMISSION_DENIED: 403,
           grpc.StatusCode.UNAUTHENTICATED: 401}

WORD = "zephyr"  # in every post's title and body, and in the community's name
TYPO = "zephry"  # corrected to WORD by the fuzzy path (full text finds nothing)
LISTED = [PostStatus.PUBLISHED, PostStatus.DRAFT, PostStatus.PENDING_REVIEW, PostStatus.REJECTED,
          PostStatus.ARCHIVED]

# name → (status, members-only channel, gate: "held" (the subscriber's level) / "unheld" / None, deleted)
POSTS = {
    "published": (PostStatus.PUBLISHED, False, None, False),
    "club": (PostStatus.PUBLISHED, True, None, False),
    "draft": (PostStatus.DRAFT, False, None, False),
    "pending": (PostStatus.PENDING_REVIEW, False, None, False),
    "rejected": (PostStatus.REJECTED, False, None, False),
    "archived": (PostStatus.ARCHIVED, False, None, False),
    "deleted": (PostStatus.PUBLISHED, False, None, True),
    "gated_held": (PostStatus.PUBLISHED, False, "held", False),
    "gated_unheld": (PostStatus.PUBLISHED, False, "unheld", False),
    "gated_club": (PostStatus.PUBLISHED, True, "held", False),
}
# name → (members-only, deleted)
EVENTS = {"open": (False, False), "members_only": (True, False), "deleted": (False, True)}
MEMBER_ROWS = ("owner", "pending", "banned")  # whose member row is read

SUPERADMINS = {"superadmin", "banned_superadmin"}
# "member" writes every post (drafts are their author's); "helper" holds a role without the
# codes reads depend on, "moderator" post.moderate, member.manage and member.ban, "treasurer"
# billing.manage (reads gated posts), "subscriber" the level of the gated posts marked "held".
# "ban_ended": a ban whose end has passed (the row stays banned until they rejoin).
ACTORS = ["anonymous", "outsider", "pending", "member", "muted", "banned", "ban_ended", "helper", "moderator",
          "treasurer", "subscriber", "owner", "superadmin", "banned_superadmin"]
GATED = [name for name, (_, _, gate, _) in POSTS.items() if gate]


def title_of(name: str) -> str:
    return f"Zephyr titleof{name}x"


def secret_of(name: str) -> str:
    """A word only this post's body holds, spelled like no title (so no typo correction finds it)."""
    return "b" + hashlib.sha1(name.encode()).hexdigest()[:12]


@dataclass
class World:
    community: Community
    users: dict[str, User]
    posts: dict[str, Post]
    events: dict[str, Event]
    clients: dict[str, APIClient] = field(default_factory=dict)

    def user(self, actor: str) -> User | None:
        return self.users.get(actor)

    def access(self, actor: str) -> CommunityAccess:
        """The caller's standing as the policy judges it (the same resolution every door uses)."""
        return community_access(community_id=self.community.pk, user=self.user(actor),
                                is_superadmin=actor in SUPERADMINS)

    def client(self, actor: str) -> APIClient:
        if actor not in self.clients:
            user = self.user(actor)
            superadmin = actor in SUPERADMINS
            self.clients[actor] = APIClient() if user is None else client_for(user, is_superadmin=superadmin)
        return self.clients[actor]


def world_build(community_type: str) -> World:
    """A community of `community_type` with a caller of every kind, a post in every state, a
    gated post whose level the subscriber holds and one whose level nobody holds, and events."""
    owner = UserFactory()
    community = CommunityFactory(owner=owner, community_type=community_type, name=f"Zephyr {community_type} club")
    now = timezone.now()
    helper_role = RoleFactory(community=community, name="Helper", priority=5,
                              permissions=["event.manage", "analytics.view", "member.kick"])
    treasurer_role = RoleFactory(community=community, name="Treasurer", priority=6, permissions=["billing.manage"])

    def add(status: str = MemberStatus.ACTIVE, role: str | None = "Member", **fields: object) -> User:
        return member_add(community, role=role, status=status, **fields)

    users: dict[str, User] = {
        "owner": owner,
        "outsider": UserFactory(),
        "pending": add(MemberStatus.PENDING, role=None),
        "member": add(),
        "muted": add(muted_until=now + timedelta(hours=1)),
        "banned": add(MemberStatus.BANNED, role=None, ban_reason="spam"),
        "ban_ended": add(MemberStatus.BANNED, role=None, banned_until=now - timedelta(hours=1)),
        "helper": add(),
        "moderator": add(role="Moderator"),
        "treasurer": add(),
        "subscriber": add(),
        "superadmin": UserFactory(is_superuser=True),
        "banned_superadmin": add(MemberStatus.BANNED, role=None),
    }
    User.objects.filter(pk=users["banned_superadmin"].pk).update(is_superuser=True)
    Member.objects.get(community=community, user=users["helper"]).roles.add(helper_role)
    Member.objects.get(community=community, user=users["treasurer"]).roles.add(treasurer_role)
    held: SubscriptionLevel = level_create(community, name="Supporter", position=0)
    unheld = level_create(community, name="Patron", price="25.00", position=1)
    subscription_active(held, users["subscriber"])

    general = ChannelFactory(community=community, name="General", slug="general", position=0)
    club = ChannelFactory(community=community, name="Club", slug="club", position=1, members_only=True)
    posts = {}
    for index, (name, (status, members_only, gate, deleted)) in enumerate(POSTS.items()):
        posts[name] = PostFactory(
            community=community, channel=club if members_only else general, author=users["member"],
            title=title_of(name), content=f"Zephyr body {secret_of(name)}", status=status,
            published_at=now - timedelta(minutes=index) if status in (PostStatus.PUBLISHED, PostStatus.ARCHIVED)
            else None,
            required_level_ids=[] if gate is None else [(held if gate == "held" else unheld).pk],
            deleted_at=now if deleted else None,
        )
    events = {name: event_make(community, title=f"Meetup {name}", is_members_only=members_only,
                               deleted_at=now if deleted else None)
              for name, (members_only, deleted) in EVENTS.items()}
    community.refresh_from_db()
    for post in posts.values():
        post.community = community
    for event in events.values():
        event.community = community
    return World(community=community, users=users, posts=posts, events=events)


# --- What the policy says ---------------------------------------------------------------------


def community_expected(world: World, access: CommunityAccess) -> str:
    if policy.sees_community(world.community.community_type, access):
        return ALLOWED
    return BANNED if policy.is_banned(access) else NOT_FOUND


def post_expected(world: World, name: str, actor: str, access: CommunityAccess, *, listed: bool = False) -> str:
    """A post read by id (or, `listed`, found in a list of its status) by `actor`."""
    gate = community_expected(world, access)
    if gate != ALLOWED:
        return gate
    post, user_id = world.posts[name], access.user_id
    if not post_readable(post, user_id=user_id, access=access):
        return ABSENT if listed else NOT_FOUND
    return LOCKED if post_locked(post, user_id=user_id, access=access) else ALLOWED


def event_expected(world: World, name: str, access: CommunityAccess, *, listed: bool = False) -> str:
    gate = community_expected(world, access)
    if gate != ALLOWED:
        return gate
    if not event_readable(world.events[name], access=access):
        return ABSENT if listed else NOT_FOUND
    return ALLOWED


def member_row_expected(world: World, target: str, access: CommunityAccess) -> str:
    gate = community_expected(world, access)
    if gate != ALLOWED:
        return gate
    row = Member.objects.get(community=world.community, user=world.users[target])
    return ALLOWED if policy.sees_member_row(status=row.status, user_id=row.user_id, access=access) else NOT_FOUND


# --- What the doors say -----------------------------------------------------------------------


def refused(response: Any) -> str:
    return f"{response.status_code} {response.json().get('code')}"


def rest_read(response: Any) -> str:
    return ALLOWED if response.status_code in (200, 304) else refused(response)


def grpc_read(result: Any) -> str:
    return f"{HTTP_OF[result.code]} {result.reason}" if isinstance(result, Refusal) else ALLOWED


def post_shown(name: str, item: dict) -> str:
    """How a post item shows its body: `allowed` (the body), `locked` (title only), or what leaks."""
    highlight = (item.get("highlight") or {}).get("content")
    if item["locked"]:
        if item["content"] or item["media_urls"] or (highlight is not None):
            return "locked, but its body shows"
        return LOCKED
    return ALLOWED if secret_of(name) in item["content"] else "open, but its body is missing"


def listed(world: World, names: list[str], items: list[dict], text: str, total: int | None = None) -> dict[str, str]:
    """Each named post's outcome in a list: absent, or as post_shown; a hidden post's title or a
    locked post's body anywhere in the answer is a drift too."""
    by_id = {item["id"]: item for item in items}
    found = {}
    for name in names:
        item = by_id.get(str(world.posts[name].pk))
        outcome = ABSENT if item is None else post_shown(name, item)
        if outcome != ALLOWED and secret_of(name) in text:
            outcome += " (its body is in the answer)"
        if outcome == ABSENT and title_of(name) in text:
            outcome += " (its title is in the answer)"
        found[name] = outcome
    if total is not None and total != len(items):
        found["total"] = f"total {total} for {len(items)} items"
    return found


def grpc_post_item(post: posts_pb2.Post) -> dict:
    return {"id": post.id, "locked": post.locked, "content": post.content, "media_urls": list(post.media_urls)}


@dataclass
class Matrix:
    world: World
    grpc: Client
    drifts: list[str] = field(default_factory=list)

    def compare(self, actor: str, what: str, expected: str, answers: dict[str, str]) -> None:
        for door, answer in answers.items():
            if answer != expected:
                self.drifts.append(f"{actor:>17} | {what:<28} | {door:<18} answers {answer!r}, "
                                   f"the policy says {expected!r}")

    def compare_lists(self, actor: str, what: str, expected: dict[str, str], answers: dict[str, Any]) -> None:
        """`answers`: door → the refusal (a str) or each post's outcome (a dict)."""
        for door, answer in answers.items():
            if isinstance(answer, str):
                gates = set(expected.values())
                if gates != {answer}:
                    self.drifts.append(f"{actor:>17} | {what:<28} | {door:<18} answers {answer!r}, "
                                       f"the policy says {expected!r}")
                continue
            for name, outcome in answer.items():
                self.compare(actor, f"{what} / {name}", expected.get(name, "(no such row)"), {door: outcome})

    def call(self, method: Callable, request: Any, actor: str) -> Any:
        return self.grpc.call(method, request, user=self.world.users[actor])

    # The reads -------------------------------------------------------------------------------

    def community(self, actor: str, access: CommunityAccess, warm_etag: str) -> None:
        world, api = self.world, self.world.client(actor)
        by_id = url_for("community-detail", pk=world.community.pk)
        answers = {"REST (slug, view)": rest_read(api.get(url_for("community-detail", pk=world.community.slug)))}
        key = community_cache_key(world.community.pk)
        cache.delete(key)
        answers["fast path, cold"] = rest_read(api.get(by_id))
        if cache.get(key) is None:
            world.client("owner").get(by_id)  # warms it
        assert cache.get(key) is not None, "the detail entry is warm"
        answers["fast path, warm"] = rest_read(api.get(by_id))
        answers["fast path, 304"] = rest_read(api.get(by_id, HTTP_IF_NONE_MATCH=warm_etag))
        if actor != "anonymous":
            answers["gRPC GetCommunity"] = grpc_read(self.call(
                self.grpc.communities.GetCommunity,
                communities_pb2.GetCommunityRequest(community_id=str(world.community.pk)), actor))
        self.compare(actor, "read community", community_expected(world, access), answers)

    def member_rows(self, actor: str, access: CommunityAccess) -> None:
        world, api = self.world, self.world.client(actor)
        for target in MEMBER_ROWS:
            user_id = world.users[target].pk
            answers = {"REST": rest_read(api.get(url_for("member-detail", community_pk=world.community.pk,
                                                         user_id=user_id)))}
            if actor != "anonymous":
                answers["gRPC GetMember"] = grpc_read(self.call(
                    self.grpc.communities.GetMember,
                    communities_pb2.GetMemberRequest(community_id=str(world.community.pk), user_id=str(user_id)),
                    actor))
            self.compare(actor, f"read {target}'s member row", member_row_expected(world, target, access), answers)

    def post_reads(self, actor: str, access: CommunityAccess) -> None:
        world, api = self.world, self.world.client(actor)
        for name, post in world.posts.items():
            response = api.get(url_for("post-detail", post_id=post.pk))
            answers = {"REST": post_shown(name, response.json()) if response.status_code == 200 else refused(response)}
            if actor != "anonymous":
                result = self.call(self.grpc.posts.GetPost, posts_pb2.GetPostRequest(post_id=str(post.pk)), actor)
                answers["gRPC GetPost"] = (grpc_read(result) if isinstance(result, Refusal)
                                           else post_shown(name, grpc_post_item(result)))
            self.compare(actor, f"read post {name}", post_expected(world, name, actor, access), answers)

    def post_lists(self, actor: str, access: CommunityAccess) -> None:
        world, api = self.world, self.world.client(actor)
        url = url_for("post-list", community_pk=world.community.pk)
        for status in LISTED:
            names = [name for name, post in world.posts.items() if post.status == status]
            expected = {name: post_expected(world, name, actor, access, listed=True) for name in names}
            answers: dict[str, Any] = {}
            for door, params in (("REST page", {}), ("REST cursor", {"cursor": ""}), ("REST search", {"search": WORD})):
                response = api.get(url, {"status": status, **params})
                if response.status_code != 200:
                    answers[door] = refused(response)
                    continue
                body = response.json()
                answers[door] = listed(world, names, body["items"], response.content.decode(),
                                       total=body.get("total") if door == "REST search" else None)
            if actor != "anonymous":
                result = self.call(self.grpc.posts.ListPosts, posts_pb2.ListPostsRequest(
                    community_id=str(world.community.pk), page_size=50,
                    status=enum_number(posts_pb2.PostStatus, "POST_STATUS", status)), actor)
                answers["gRPC ListPosts"] = (grpc_read(result) if isinstance(result, Refusal) else listed(
                    world, names, [grpc_post_item(post) for post in result.posts], str(result)))
            self.compare_lists(actor, f"list {status} posts", expected, answers)

    def searches(self, actor: str, access: CommunityAccess) -> None:
        """Community and global search for the title word, its typo, and the gated bodies' words."""
        world, api = self.world, self.world.client(actor)
        # Published posts, as the community's search answers them by default and global search finds them.
        gate = community_expected(world, access)
        published = {name: post_expected(world, name, actor, access, listed=True)
                     if gate != ALLOWED or post.status == PostStatus.PUBLISHED else ABSENT
                     for name, post in world.posts.items()}
        # Only the gated bodies hold these words: a post is found by them only where its body is shown.
        by_body = {name: ABSENT if outcome == LOCKED or (outcome == ALLOWED and name not in GATED) else outcome
                   for name, outcome in published.items()}
        queries = {"title word": (WORD, published), "typo": (TYPO, published),
                   "gated bodies' words": (" or ".join(secret_of(name) for name in GATED), by_body)}
        community_posts = url_for("post-list", community_pk=world.community.pk)
        communities_found = []
        for what, (text, expected) in queries.items():
            response = api.get(community_posts, {"search": text})
            answer: Any = refused(response) if response.status_code != 200 else listed(
                world, list(world.posts), response.json()["items"], response.content.decode(),
                total=response.json()["total"])
            answers = {"REST community search": answer}
            if text != TYPO:  # with a cursor, search only filters: full text, no typo corrections
                response = api.get(community_posts, {"search": text, "cursor": ""})
                answers["REST cursor search"] = refused(response) if response.status_code != 200 else listed(
                    world, list(world.posts), response.json()["items"], response.content.decode())
            self.compare_lists(actor, f"search posts: {what}", expected, answers)
            response = api.get(url_for("search"), {"q": text, "page_size": 50})
            assert response.status_code == 200, response.content
            body = response.json()
            if text == WORD:
                communities_found = body["communities"]
            hidden_here = {name: ABSENT if outcome in (NOT_FOUND, BANNED) else outcome
                           for name, outcome in expected.items()}  # a global search is no door of the community
            self.compare_lists(actor, f"search posts: {what}", hidden_here, {"REST /search": listed(
                world, list(world.posts), body["posts"]["items"], response.content.decode(),
                total=body["posts"]["total"])})
        # Communities: whoever knows of it finds it (its banned members too, whose routes answer 403).
        knows = ALLOWED if policy.knows_community(world.community.community_type, access) else ABSENT
        found = {"REST /search": communities_found,
                 "REST /communities?search=": api.get(url_for("community-list"), {"search": WORD}).json()["items"]}
        self.compare(actor, "search communities", knows,
                     {door: ALLOWED if str(world.community.pk) in {item["id"] for item in items} else ABSENT
                      for door, items in found.items()})

    def events(self, actor: str, access: CommunityAccess) -> None:
        world, api = self.world, self.world.client(actor)
        for name, event in world.events.items():
            answers = {"REST": rest_read(api.get(url_for("event-detail", event_id=event.pk)))}
            self.compare(actor, f"read event {name}", event_expected(world, name, access), answers)
        response = api.get(url_for("event-list", community_pk=world.community.pk))
        expected = {name: event_expected(world, name, access, listed=True) for name in world.events}
        if response.status_code != 200:
            answer: Any = refused(response)
        else:
            ids = {item["id"] for item in response.json()["items"]}
            answer = {name: ALLOWED if str(event.pk) in ids else ABSENT for name, event in world.events.items()}
        self.compare_lists(actor, "list events", expected, {"REST": answer})


@pytest.mark.parametrize("community_type", CommunityType.values)
def test_every_door_answers_every_caller_as_the_policy_does(grpc_client, community_type):
    world = world_build(community_type)
    matrix = Matrix(world=world, grpc=grpc_client)
    warm_etag = world.client("owner").get(url_for("community-detail", pk=world.community.pk))["ETag"]
    for actor in ACTORS:
        access = world.access(actor)
        matrix.community(actor, access, warm_etag)
        matrix.member_rows(actor, access)
        matrix.post_reads(actor, access)
        matrix.post_lists(actor, access)
        matrix.searches(actor, access)
        matrix.events(actor, access)
    assert not matrix.drifts, f"{len(matrix.drifts)} drifts from the policy:\n" + "\n".join(matrix.drifts)
