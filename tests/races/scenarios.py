"""Races between different writes on the same rows, each repeated `rounds` times.

Every round sends the writes at once (harness.race) and then checks: no 5xx, each request
got one of the answers its order allows, the counters equal their rows, and the outbox
holds exactly the events of the writes that committed. A scenario returns how often each
combination of answers came up, so a caller can see that both orders happened.

tests/races/ runs them a few rounds each inside `make test`; bench/ runs them longer.
"""

from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from communities.models import Community
from content.models import Comment, Post, PostStatus, Reaction
from content.services.posts import COUNTED
from members.models import Member, MemberStatus, Role, User
from tests.factories import (
    CommentFactory,
    CommunityFactory,
    PostFactory,
    ReactionFactory,
    RoleFactory,
    UserFactory,
    member_add,
)
from tests.races.harness import Call, assert_outbox, outbox_mark, race, token, url

Tally = Counter[tuple[tuple[str, int], ...]]


@dataclass
class Stage:
    """A community and the people who race in it, with their tokens."""

    community: Community
    users: dict[str, User]
    tokens: dict[str, str]


def stage(roles: dict[str, str | None], **community_fields: object) -> Stage:
    """A public community (owner included) with one member per name in `roles` (name → role)."""
    owner = UserFactory()
    community = CommunityFactory(owner=owner, **community_fields)
    users = {"owner": owner, **{name: member_add(community, role=role) for name, role in roles.items()}}
    return Stage(community=community, users=users, tokens={name: token(user) for name, user in users.items()})


def _tally(outcomes: dict) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((name, outcome.status) for name, outcome in outcomes.items()))


def _post(s: Stage, status: str = PostStatus.PUBLISHED) -> Post:
    """A post by `author`, counted in post_count as the services would."""
    return PostFactory(community=s.community, author=s.users["author"], title="Race", content="On",
                       status=status, published_at=timezone.now() if status == PostStatus.PUBLISHED else None)


def assert_post_count(community: Community) -> None:
    community.refresh_from_db()
    visible = Post.objects.filter(community=community, deleted_at__isnull=True, status__in=COUNTED).count()
    assert community.post_count == visible


def assert_member_count(community: Community) -> None:
    community.refresh_from_db()
    assert community.member_count == Member.objects.filter(community=community, status=MemberStatus.ACTIVE).count()


def assert_comment_count(post: Post) -> None:
    post.refresh_from_db()
    assert post.comment_count == Comment.objects.filter(post=post, is_deleted=False).count()


def assert_like_count(post: Post) -> None:
    post.refresh_from_db()
    assert post.like_count == Reaction.objects.filter(post=post).count()


# Content


def pin_while_delete(rounds: int) -> Tally:
    """A moderator pins a post while its author deletes it (issue 19: 500 DeadlockDetected)."""
    s = stage({"moderator": "Moderator", "author": "Member"})
    tally: Tally = Counter()
    for _ in range(rounds):
        post = _post(s)
        mark = outbox_mark()
        out = race([
            Call("pin", s.tokens["moderator"], "post", url("post-pin", post_id=post.pk)),
            Call("delete", s.tokens["author"], "delete", url("post-detail", post_id=post.pk)),
        ])
        assert out["delete"].status == 204 and out["pin"].status in (200, 404), _tally(out)
        pinned = out["pin"].status == 200
        assert_outbox(mark, out, {"pin": ["post.moderated"] if pinned else [], "delete": ["post.deleted"]})
        post.refresh_from_db()
        assert post.deleted_at is not None and not post.is_pinned  # a deleted post is never left pinned
        assert_post_count(s.community)
        tally[_tally(out)] += 1
    return tally


def approve_while_delete(rounds: int) -> Tally:
    """A moderator approves a queued post while its author deletes it."""
    s = stage({"moderator": "Moderator", "author": "Member"}, post_moderation=True)
    tally: Tally = Counter()
    for _ in range(rounds):
        post = _post(s, PostStatus.PENDING_REVIEW)
        mark = outbox_mark()
        out = race([
            Call("approve", s.tokens["moderator"], "post", url("post-approve", post_id=post.pk)),
            Call("delete", s.tokens["author"], "delete", url("post-detail", post_id=post.pk)),
        ])
        assert out["delete"].status == 204 and out["approve"].status in (200, 404), _tally(out)
        approved = ["post.moderated", "post.created"] if out["approve"].status == 200 else []
        assert_outbox(mark, out, {"approve": approved, "delete": ["post.deleted"]})
        assert_post_count(s.community)
        tally[_tally(out)] += 1
    return tally


def lock_while_comment(rounds: int) -> Tally:
    """A moderator locks a post's comments while a member comments on it."""
    s = stage({"moderator": "Moderator", "author": "Member", "member": "Member"})
    tally: Tally = Counter()
    for _ in range(rounds):
        post = _post(s)
        mark = outbox_mark()
        out = race([
            Call("lock", s.tokens["moderator"], "post", url("post-lock", post_id=post.pk)),
            Call("comment", s.tokens["member"], "post", url("post-comment-list", post_id=post.pk), {"content": "Hi"}),
        ])
        assert out["lock"].status == 200 and out["comment"].status in (201, 403), _tally(out)
        commented = out["comment"].status == 201
        assert_outbox(mark, out, {"lock": ["post.moderated"], "comment": ["comment.created"] if commented else []})
        assert Comment.objects.filter(post=post).count() == int(commented)
        assert_comment_count(post)
        tally[_tally(out)] += 1
    return tally


def comment_while_delete_post(rounds: int) -> Tally:
    """Two members comment (one replying) on a post while its author deletes the post."""
    s = stage({"author": "Member", "member": "Member", "member2": "Member"})
    tally: Tally = Counter()
    for _ in range(rounds):
        post = _post(s)
        first = CommentFactory(post=post, author=s.users["member2"], content="1st")
        mark = outbox_mark()
        comments = url("post-comment-list", post_id=post.pk)
        out = race([
            Call("comment", s.tokens["member"], "post", comments, {"content": "Hi"}),
            Call("reply", s.tokens["member2"], "post", comments, {"content": "Re", "parent_id": str(first.pk)}),
            Call("delete", s.tokens["author"], "delete", url("post-detail", post_id=post.pk)),
        ])
        assert out["delete"].status == 204, _tally(out)
        assert {out["comment"].status, out["reply"].status} <= {201, 404}, _tally(out)
        expected = {name: ["comment.created"] if out[name].status == 201 else [] for name in ("comment", "reply")}
        assert_outbox(mark, out, {**expected, "delete": ["post.deleted"]})
        assert_comment_count(post)
        first.refresh_from_db()
        assert first.reply_count == Comment.objects.filter(parent=first).count()
        tally[_tally(out)] += 1
    return tally


def like_while_delete(rounds: int) -> Tally:
    """One member likes, another takes a like back and likes again, while the author deletes."""
    s = stage({"author": "Member", "member": "Member", "member2": "Member"})
    tally: Tally = Counter()
    for _ in range(rounds):
        post = _post(s)
        ReactionFactory(user=s.users["member2"], post=post)
        mark = outbox_mark()
        like = url("post-like", post_id=post.pk)
        out = race([
            Call("like", s.tokens["member"], "post", like),
            Call("unlike", s.tokens["member2"], "delete", like),
            Call("relike", s.tokens["member2"], "post", like),
            Call("delete", s.tokens["author"], "delete", url("post-detail", post_id=post.pk)),
        ])
        assert out["delete"].status == 204, _tally(out)
        assert {out[name].status for name in ("like", "unlike", "relike")} <= {200, 404}, _tally(out)
        # A like that is new publishes post.liked; the re-like is new only if the unlike ran first.
        liked = ["post.liked"] if out["like"].status == 200 else []
        assert_outbox(mark, out, {"delete": ["post.deleted"], "like": liked, "relike": ([], ["post.liked"])})
        assert_like_count(post)
        tally[_tally(out)] += 1
    return tally


# Membership


def join_leave_ban_kick(rounds: int) -> Tally:
    """A member leaves while one moderator kicks and another bans them, and a newcomer joins."""
    s = stage({"moderator": "Moderator", "moderator2": "Moderator"})
    community = s.community
    tally: Tally = Counter()
    for _ in range(rounds):
        target, newcomer = member_add(community), UserFactory()
        mark = outbox_mark()
        target_url = url("member-detail", community_pk=community.pk, user_id=target.pk)
        out = race([
            Call("leave", token(target), "delete", target_url),
            Call("kick", s.tokens["moderator"], "delete", target_url),
            Call("ban", s.tokens["moderator2"], "post", url("ban-list", community_pk=community.pk),
                 {"user_id": str(target.pk), "reason": "race"}),
            Call("join", token(newcomer), "post", url("member-list", community_pk=community.pk)),
        ])
        assert out["join"].status == 201 and out["ban"].status == 201, _tally(out)
        # Banned first, the leaver may already be refused at the door (403).
        assert out["leave"].status in (204, 403, 409) and out["kick"].status in (204, 409), _tally(out)
        removed_by = [name for name in ("leave", "kick") if out[name].status == 204]
        assert len(removed_by) <= 1, _tally(out)
        assert_outbox(mark, out, {
            "join": ["member.joined"],
            "leave": ["member.left"] if "leave" in removed_by else [],
            "kick": ["member.left"] if "kick" in removed_by else [],
            # Whoever came first removed the member: exactly one member.left in all.
            "ban": ["member.banned"] + ([] if removed_by else ["member.left"]),
        })
        assert Member.objects.get(community=community, user=target).status == MemberStatus.BANNED
        assert_member_count(community)
        tally[_tally(out)] += 1
    return tally


def role_assign_while_delete(rounds: int) -> Tally:
    """An admin gives a member a role while the owner deletes that role."""
    s = stage({"admin": "Admin", "member": "Member"})
    community = s.community
    member = Member.objects.get(community=community, user=s.users["member"])
    default = Role.objects.get(community=community, is_default=True)
    tally: Tally = Counter()
    for n in range(rounds):
        role = RoleFactory(community=community, name=f"Racer {n}", priority=10, permissions=["post.create"])
        mark = outbox_mark()
        out = race([
            Call("assign", s.tokens["admin"], "patch",
                 url("member-detail", community_pk=community.pk, user_id=member.user_id),
                 {"role_ids": [str(default.pk), str(role.pk)]}),
            Call("delete", s.tokens["owner"], "delete", url("role-detail", community_pk=community.pk, role_id=role.pk)),
        ])
        # Deleted first, the role is unknown to the assignment (400 does_not_exist, naming role_ids).
        assert out["delete"].status == 204 and out["assign"].status in (200, 400), _tally(out)
        assigned = out["assign"].status == 200
        assert_outbox(mark, out, {"assign": ["member.roles_changed"] if assigned else [], "delete": ["role.deleted"]})
        assert list(member.roles.values_list("pk", flat=True)) == [default.pk]
        tally[_tally(out)] += 1
    return tally


def transfer_while_leave(rounds: int) -> Tally:
    """The owner hands the community to a member while that member leaves it."""
    tally: Tally = Counter()
    for _ in range(rounds):
        s = stage({"heir": "Member"})
        community, heir = s.community, s.users["heir"]
        mark = outbox_mark()
        out = race([
            Call("transfer", s.tokens["owner"], "post", url("community-transfer-ownership", community_pk=community.pk),
                 {"user_id": str(heir.pk)}),
            Call("leave", s.tokens["heir"], "delete", url("member-detail", community_pk=community.pk, user_id=heir.pk)),
        ])
        # Either the heir got the community (and cannot leave it), or left before it came.
        assert (out["transfer"].status, out["leave"].status) in ((200, 409), (409, 204)), _tally(out)
        transferred = out["transfer"].status == 200
        assert_outbox(mark, out, {"transfer": ["community.ownership_transferred"] if transferred else [],
                                  "leave": [] if transferred else ["member.left"]})
        owners = list(Member.objects.filter(community=community, is_owner=True).values_list("user_id", "status"))
        community.refresh_from_db()
        assert owners == [(community.owner_id, MemberStatus.ACTIVE)]
        assert community.owner_id == (heir.pk if transferred else s.users["owner"].pk)
        assert_member_count(community)
        tally[_tally(out)] += 1
    return tally


SCENARIOS = [pin_while_delete, approve_while_delete, lock_while_comment, comment_while_delete_post,
             like_while_delete, join_leave_ban_kick, role_assign_while_delete, transfer_while_leave]
