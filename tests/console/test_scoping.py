"""Scoped moderators: a moderator of A sees and acts on A's objects only; superusers see all."""

import json

import pytest
from django.urls import reverse

from communities.models import AuditLogEntry
from content.models import Post
from members.models import Member
from tests.console.conftest import console_client, make_moderator, make_post, make_report, moderators_group
from tests.factories import AuditLogEntryFactory, ChannelFactory, UserFactory, member_add

pytestmark = pytest.mark.django_db


def test_the_moderators_group_grants_the_console_pages_a_moderator_needs():
    codenames = set(moderators_group().permissions.values_list("codename", flat=True))
    assert {"view_post", "change_post", "change_report", "change_member", "view_auditlogentry"} <= codenames
    assert not {"delete_post", "add_post", "view_outboxevent", "change_user"} & codenames


def test_a_moderator_lists_only_the_posts_of_the_communities_they_moderate(world):
    mine, theirs = make_post(world.a, title="alpha post"), make_post(world.b, title="beta post")
    body = world.client.get(reverse("admin:content_post_changelist")).content.decode()
    assert "alpha post" in body and "beta post" not in body
    assert mine and theirs


def test_a_moderator_of_a_opening_bs_post_by_url_gets_a_404(world):
    theirs = make_post(world.b)
    assert world.client.get(reverse("admin:content_post_change", args=[theirs.pk])).status_code == 404
    mine = make_post(world.a)
    assert world.client.get(reverse("admin:content_post_change", args=[mine.pk])).status_code == 200


@pytest.mark.parametrize("model", ["members.member", "members.role", "communities.community", "content.channel",
                                   "communities.auditlogentry"])
def test_every_scoped_list_hides_the_other_community(world, model):
    for community in (world.a, world.b):
        ChannelFactory(community=community, name="general", slug="general")
        AuditLogEntryFactory(community=community, actor=None, action="member.kicked", target_type="member",
                             target_id=community.owner_id, reason="")
    app, name = model.split(".")
    response = world.client.get(reverse(f"admin:{app}_{name}_changelist"))
    assert response.status_code == 200
    shown = {str(obj.pk) for obj in response.context["cl"].result_list}
    community_of = (lambda obj: obj.pk) if name == "community" else (lambda obj: obj.community_id)
    assert all(community_of(obj) == world.a.pk for obj in response.context["cl"].result_list)
    assert shown


def test_a_moderator_cannot_open_another_communitys_member_page(world):
    other = Member.objects.get(community=world.b, is_owner=True)
    assert world.client.get(reverse("admin:members_member_change", args=[other.pk])).status_code == 404


def test_autocomplete_offers_only_the_moderators_communities(world):
    response = world.client.get(reverse("admin:autocomplete"), {
        "app_label": "content", "model_name": "post", "field_name": "community", "term": "a"})
    assert response.status_code == 200
    ids = {row["id"] for row in json.loads(response.content)["results"]}
    assert ids == {str(world.a.pk)}


def test_a_superuser_sees_every_community(world):
    make_post(world.a, title="alpha post"), make_post(world.b, title="beta post")
    body = console_client(UserFactory(is_staff=True, is_superuser=True)).get(
        reverse("admin:content_post_changelist")).content.decode()
    assert "alpha post" in body and "beta post" in body


def test_a_staff_user_who_moderates_nothing_sees_no_content(world):
    make_post(world.a)
    nobody = make_moderator()
    response = console_client(nobody).get(reverse("admin:content_post_changelist"))
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert list(response.context["cl"].result_list) == []


def test_a_plain_member_role_does_not_make_a_moderator(world):
    make_post(world.a)
    member_only = make_moderator(world.a, role="Member")
    response = console_client(member_only).get(reverse("admin:content_post_changelist"))
    assert response.status_code == 403 or list(response.context["cl"].result_list) == []


def test_moderators_cannot_edit_fields_only_act(world):
    post = make_post(world.a, title="original")
    response = world.client.post(reverse("admin:content_post_change", args=[post.pk]),
                                 {"title": "hijacked", "content": "x", "community": str(world.a.pk)})
    post.refresh_from_db()
    assert post.title == "original" and response.status_code == 403
    page = world.client.get(reverse("admin:content_post_change", args=[post.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_moderators_and_superusers_land_on_the_index_of_their_work(world):
    response = world.client.get(reverse("admin:index"))
    assert response.status_code == 200 and reverse("admin:content_report_queue").encode() in response.content
    superuser = console_client(UserFactory(is_staff=True, is_superuser=True))
    assert superuser.get(reverse("admin:index")).status_code == 200


def test_bulk_remove_skips_posts_of_communities_where_the_code_is_missing(world):
    # Moderator of A; B's post cannot even be selected (the action's queryset is scoped).
    mine, theirs = make_post(world.a), make_post(world.b)
    world.client.post(reverse("admin:content_post_changelist"),
                      {"action": "remove_posts", "_selected_action": [str(mine.pk), str(theirs.pk)],
                       "confirmed": "yes"})
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.deleted_at is not None and theirs.deleted_at is None
    assert AuditLogEntry.objects.get(action="post.removed").actor_id == world.moderator.pk


def test_bulk_ban_asks_duration_and_reason_then_bans_within_the_hierarchy(world):
    troll = member_add(world.a)
    admin_user = member_add(world.a, role="Admin")
    rows = Member.objects.filter(community=world.a, user__in=[troll, admin_user])
    ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
    url = reverse("admin:members_member_changelist")
    asked = world.client.post(url, {"action": "ban_members", "_selected_action": ids})
    assert asked.status_code == 200 and b"duration" in asked.content
    assert asked.context["set_aside"] == [f"{admin_user} in {world.a}: you can only ban members ranked below you"]
    done = world.client.post(url, {"action": "ban_members", "_selected_action": ids, "apply": "1",
                                   "duration": "604800", "reason": "spam wave"}, follow=True)
    statuses = dict(Member.objects.filter(pk__in=ids).values_list("user_id", "status"))
    assert statuses == {troll.pk: "banned", admin_user.pk: "active"}
    assert "you can only ban members ranked below you" in done.content.decode()
    entry = AuditLogEntry.objects.get(action="member.banned")
    assert entry.actor_id == world.moderator.pk and entry.reason == "spam wave"


def test_restoring_a_removed_post_counts_it_again_and_is_audited(world):
    post = make_post(world.a)
    url = reverse("admin:content_post_changelist")
    world.client.post(url, {"action": "remove_posts", "_selected_action": [str(post.pk)], "confirmed": "yes"})
    world.a.refresh_from_db()
    assert world.a.post_count == 0
    world.client.post(url, {"action": "restore_posts", "_selected_action": [str(post.pk)]})
    post.refresh_from_db(), world.a.refresh_from_db()
    assert post.deleted_at is None and world.a.post_count == 1
    assert AuditLogEntry.objects.filter(action="post.restored", actor=world.moderator).exists()


def test_report_bulk_actions_are_scoped_and_audited(world):
    mine = make_report(make_post(world.a), world.a)
    theirs = make_report(make_post(world.b), world.b)
    world.client.post(reverse("admin:content_report_changelist"),
                      {"action": "resolve_reports", "_selected_action": [str(mine.pk), str(theirs.pk)]})
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("resolved", "open")
    assert Post.objects.filter(deleted_at__isnull=False).count() == 0
