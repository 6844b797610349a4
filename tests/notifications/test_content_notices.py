"""Content's notices end to end: an API write → outbox → the notifications subscriber → the inbox."""

import pytest

from community_service.notifications.consumer import notifications_handle
from community_service.notifications.models import Notification
from community_service.outbox.models import OutboxEvent
from community_service.outbox.subscribers import subscriber_dispatch
from content.models import Post
from content.services.posts import post_delete
from members.selectors.access import community_access
from tests.conftest import client_for
from tests.factories import (
    ChannelFactory,
    CommentFactory,
    CommunityFactory,
    MemberFactory,
    NotificationLevelFactory,
    PostFactory,
    SubscriptionFactory,
    SubscriptionLevelFactory,
    UserFactory,
)
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    community = CommunityFactory()
    alice = MemberFactory(community=community, user=UserFactory(username="alice")).user
    bob = MemberFactory(community=community, user=UserFactory(username="bob")).user
    return community, alice, bob


def write_post(user, community, committed, **data):
    with committed():
        response = client_for(user).post(url_for("post-list", community_pk=community.pk),
                                         {"title": "Hi", "content": "Hello", **data}, format="json")
    assert response.status_code == 201, response.data
    return Post.objects.get(pk=response.data["id"])


def notices(user, type_name=None):
    rows = Notification.objects.filter(recipient_id=user.pk)
    return list(rows.filter(type=type_name) if type_name else rows)


def test_alice_mentioning_bob_lands_in_bobs_inbox_and_mail_not_in_hers(place, committed, mailoutbox):
    community, alice, bob = place
    write_post(alice, community, committed, content="Ping @Bob and @alice and @nobody")
    [notice] = notices(bob, "mention")
    assert notice.text == "alice mentioned you in “Hi”" and notice.actor_id == alice.pk
    assert notices(alice) == []  # no notice about what I did myself
    inbox = client_for(bob).get(url_for("notification-list"))
    assert inbox.data["items"][0]["actor"] == {"id": alice.pk, "username": "alice"}
    assert inbox.data["items"][0]["url"].endswith(f"/posts/{notice.object_id}")
    assert [(m.to, m.subject) for m in mailoutbox] == [([bob.email], notice.text)]


def test_mentions_reach_members_only_and_stop_at_the_configured_number(place, committed, settings):
    community, alice, bob = place
    outsider = UserFactory(username="carol")
    others = [MemberFactory(community=community, user=UserFactory(username=f"m{i}")).user for i in range(3)]
    settings.NOTIFICATIONS_MAX_MENTIONS = 3
    write_post(alice, community, committed, content="@carol @m0 @m1 @m2 @bob")
    assert notices(outsider) == []  # not a member of this community
    assert [len(notices(user)) for user in others] == [1, 1, 0]  # carol used the first of 3 slots
    assert notices(bob) == []


def test_a_gated_posts_mention_does_not_reach_a_non_subscriber(place, committed):
    community, alice, bob = place
    level = SubscriptionLevelFactory(community=community)
    subscriber = MemberFactory(community=community, user=UserFactory(username="sub")).user
    SubscriptionFactory(user=subscriber, level=level)
    owner = community.owner
    write_post(owner, community, committed, content="@bob @sub secret", required_level_ids=[str(level.pk)])
    assert notices(bob) == []
    assert len(notices(subscriber, "mention")) == 1


def test_a_members_only_channels_post_does_not_reach_watchers_who_left(place, committed):
    community, alice, bob = place
    channel = ChannelFactory(community=community, members_only=True)
    NotificationLevelFactory(user_id=bob.pk, community_id=community.pk)
    gone = MemberFactory(community=community, user=UserFactory(username="gone"), left=True).user
    NotificationLevelFactory(user_id=gone.pk, community_id=community.pk)
    write_post(alice, community, committed, channel_id=str(channel.pk))
    assert [n.type for n in notices(bob)] == ["watched_post"]
    assert notices(gone) == []


def test_leaving_a_community_stops_its_notices(place, committed):
    community, alice, bob = place
    post = PostFactory(community=community, author=bob)
    with committed():
        client_for(alice).post(url_for("post-like", post_id=post.pk))
    assert len(notices(bob, "reaction")) == 1
    with committed():
        assert client_for(bob).delete(url_for("member-detail", community_pk=community.pk, user_id=bob.pk)).status_code \
            in (200, 204)
        write_post(alice, community, committed, content="@bob are you there?")
        CommentFactory(post=post, author=alice)
    assert [n.type for n in notices(bob)] == ["reaction"]


def test_replies_reach_the_post_author_and_the_parent_comment_author(place, committed):
    community, alice, bob = place
    carol = MemberFactory(community=community, user=UserFactory(username="carol")).user
    post = PostFactory(community=community, author=bob)
    parent = CommentFactory(post=post, author=carol)
    with committed():
        response = client_for(alice).post(url_for("post-comment-list", post_id=post.pk),
                                          {"content": "Agreed", "parent_id": str(parent.pk)}, format="json")
    assert response.status_code == 201, response.data
    assert [n.text for n in notices(bob, "reply")] == ["alice commented on your post “" + post.title + "”"]
    assert [n.text for n in notices(carol, "reply")] == [f"alice replied to your comment on “{post.title}”"]


def test_likes_fold_into_one_notice(place, committed):
    community, alice, bob = place
    post = PostFactory(community=community, author=bob, title="T")
    likers = [alice] + [MemberFactory(community=community, user=UserFactory(username=f"l{i}")).user for i in range(3)]
    for liker in likers:
        with committed():
            client_for(liker).post(url_for("post-like", post_id=post.pk))
    [notice] = notices(bob, "reaction")
    assert notice.actor_count == 4
    assert notice.text == "l2 and 3 others liked your post “T”"


def test_the_same_event_consumed_twice_notifies_once(place, committed):
    community, alice, bob = place
    write_post(alice, community, committed, content="@bob hi")
    post_like_target = PostFactory(community=community, author=bob)
    with committed():
        client_for(alice).post(url_for("post-like", post_id=post_like_target.pk))
    before = {(n.type, n.actor_count) for n in notices(bob)}
    for event in OutboxEvent.objects.filter(event_type__in=["post.created", "post.liked"]):
        notifications_handle(event)  # as a redelivery would, past the ledger
        notifications_handle(event)
    subscriber_dispatch("notifications")
    assert {(n.type, n.actor_count) for n in notices(bob)} == before == {("mention", 1), ("reaction", 1)}


def test_a_muted_community_notifies_nothing_and_tracking_drops_likes(place, committed):
    community, alice, bob = place
    NotificationLevelFactory(user_id=bob.pk, community_id=community.pk, muted=True)
    write_post(alice, community, committed, content="@bob hello")
    assert notices(bob) == []
    carol = MemberFactory(community=community, user=UserFactory(username="carol")).user
    NotificationLevelFactory(user_id=carol.pk, community_id=community.pk, tracking=True)
    post = PostFactory(community=community, author=carol)
    with committed():
        client_for(alice).post(url_for("post-like", post_id=post.pk))
        write_post(alice, community, committed, content="@carol hello")
    assert [n.type for n in notices(carol)] == ["mention"]


def test_a_removal_tells_the_author_with_the_moderators_reason_and_mails_at_once(place, committed, mailoutbox):
    community, alice, bob = place
    post = PostFactory(community=community, author=bob, title="Spam")
    owner = community.owner
    with committed():  # as the console removes it, with a reason
        post_delete(post=post, actor=owner, access=community_access(community_id=community.pk, user=owner),
                    reason="Off topic")
    [notice] = notices(bob, "post_moderated")
    assert notice.text == "Your post “Spam” was removed by a moderator: Off topic"
    assert notice.data["reason"] == "Off topic" and notice.mail_status == "sent"
    [mail] = mailoutbox
    assert mail.to == [bob.email] and mail.subject == notice.text
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_reporters_hear_what_came_of_their_report_and_one_who_left_does_not(place, committed):
    from content.services.reports import report_decide
    from members.models import Member
    from members.services.memberships import member_leave
    from tests.factories import ReportFactory

    community, alice, bob = place
    carol = MemberFactory(community=community, user=UserFactory(username="carol")).user
    post = PostFactory(community=community, author=bob, title="Buy cheap pills")
    report = ReportFactory(community=community, target=post, reporters=[alice, carol],
                           reporters__category="spam", reporters__text="spam")
    member_leave(member=Member.objects.get(community=community, user=carol))
    owner = community.owner
    with committed():
        report_decide(report=report, moderator=owner, decision="remove", reason="Spam links",
                      access=community_access(community_id=community.pk, user=owner))
    [notice] = notices(alice, "report_decided")
    assert notice.text == "The post you reported was removed: Spam links"
    assert notice.data["decision"] == "remove" and notice.object_type == "report"
    assert notices(carol, "report_decided") == []  # left the community before the decision
    assert [n.type for n in notices(bob)] == ["post_moderated"]  # the author hears of the removal once
