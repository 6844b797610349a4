"""The console offers no ban or mute the services would refuse: not on the owner, not on a
member ranked at or above the moderator (docs/operations.md, Moderation console)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Member
from tests.console.conftest import console_client, make_post, make_report
from tests.factories import UserFactory, member_add

pytestmark = pytest.mark.django_db

QUEUE = "admin:content_report_queue"
MEMBERS = "admin:members_member_changelist"


def buttons(client) -> dict[str, tuple[bool, bool]]:
    """Per reported post title: whether Ban author and Mute author are offered."""
    items = client.get(reverse(QUEUE)).context["items"]
    return {item.target.title: (item.allowed["ban"], item.allowed["mute"]) for item in items}


def checkbox(body: str, member: Member) -> str:
    start = body.index(f'value="{member.pk}"')
    return body[body.rindex("<input", 0, start):body.index(">", start) + 1]


def test_the_queue_offers_no_ban_or_mute_of_the_owner_or_of_a_higher_ranked_member(world):
    make_report(make_post(world.a, author=world.a.owner, title="by the owner"), world.a)
    make_report(make_post(world.a, author=member_add(world.a, role="Admin"), title="by an admin"), world.a)
    make_report(make_post(world.a, author=member_add(world.a, role="Moderator"), title="by a peer"), world.a)
    make_report(make_post(world.a, title="by a member"), world.a)
    assert buttons(world.client) == {"by the owner": (False, False), "by an admin": (False, False),
                                     "by a peer": (False, False), "by a member": (True, True)}
    page = world.client.get(reverse(QUEUE)).content.decode()
    assert page.count('value="ban"') == 1 and page.count('value="mute"') == 1
    # A superuser outranks every role, and still nobody sanctions the owner.
    staff = console_client(UserFactory(is_staff=True, is_superuser=True))
    assert buttons(staff) == {"by the owner": (False, False), "by an admin": (True, True),
                              "by a peer": (True, True), "by a member": (True, True)}


def test_the_member_list_disables_rows_no_action_applies_to(world):
    owner = Member.objects.get(community=world.a, is_owner=True)
    admin_row = Member.objects.get(community=world.a, user=member_add(world.a, role="Admin"))
    plain = Member.objects.get(community=world.a, user=member_add(world.a))
    body = world.client.get(reverse(MEMBERS)).content.decode()
    assert "disabled" in checkbox(body, owner) and "the community owner" in checkbox(body, owner)
    assert "disabled" in checkbox(body, admin_row) and "ranked at or above you" in checkbox(body, admin_row)
    assert "disabled" not in checkbox(body, plain)


def test_a_muted_higher_ranked_member_stays_selectable_to_unmute(world):
    admin_row = Member.objects.get(community=world.a, user=member_add(world.a, role="Admin"))
    Member.objects.filter(pk=admin_row.pk).update(muted_until=timezone.now() + timedelta(hours=1))
    body = world.client.get(reverse(MEMBERS)).content.decode()
    assert "disabled" not in checkbox(body, admin_row)
    world.client.post(reverse(MEMBERS), {"action": "unmute_members", "_selected_action": [str(admin_row.pk)]})
    admin_row.refresh_from_db()
    assert admin_row.muted_until is None


def test_banning_a_selection_with_the_owner_sets_the_owner_aside(world):
    owner = Member.objects.get(community=world.a, is_owner=True)
    troll = Member.objects.get(community=world.a, user=member_add(world.a))
    ids = [str(owner.pk), str(troll.pk)]
    asked = world.client.post(reverse(MEMBERS), {"action": "ban_members", "_selected_action": ids})
    assert asked.context["labels"] == [f"{troll.user} in {world.a}"]
    assert asked.context["set_aside"] == [f"{owner.user} in {world.a}: nobody can ban the community owner"]
    done = world.client.post(reverse(MEMBERS), {"action": "ban_members", "_selected_action": ids, "apply": "1",
                                                "duration": "86400", "reason": ""}, follow=True)
    owner.refresh_from_db(), troll.refresh_from_db()
    assert (owner.status, troll.status) == ("active", "banned")
    assert "nobody can ban the community owner" in done.content.decode()


def test_a_selection_of_only_protected_members_cannot_be_applied(world):
    owner = Member.objects.get(community=world.a, is_owner=True)
    asked = world.client.post(reverse(MEMBERS), {"action": "mute_members", "_selected_action": [str(owner.pk)]})
    body = asked.content.decode()
    assert 'name="apply"' in body and 'value="Mute" disabled' in body
