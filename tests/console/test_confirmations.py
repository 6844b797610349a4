"""Bulk removals ask first, listing what will change in words; after the action the message
says what happened, naming it."""

import pytest
from django.urls import reverse

from content.models import Post
from tests.console.conftest import console_client, every_row, make_post

pytestmark = pytest.mark.django_db


def test_bulk_remove_shows_what_will_change_and_changes_nothing_until_confirmed():
    world = every_row()
    other = make_post(world.community, author=world.carol, title="Another offer of watches")
    client = console_client(world.moderator)
    url = reverse("admin:content_post_changelist")
    selection = {"action": "remove_posts", "_selected_action": [str(world.post.pk), str(other.pk)]}
    page = client.post(url, selection)
    assert page.status_code == 200 and page.context["title"] == "Remove 2 posts"
    html = page.content.decode()
    assert "post &#x27;Buy cheap watches today&#x27; by bob in Python Developers › #general" in html
    assert "post &#x27;Another offer of watches&#x27; by carol" in html and 'name="confirmed" value="yes"' in html
    assert Post.objects.filter(deleted_at__isnull=False).count() == 0

    done = client.post(url, {**selection, "confirmed": "yes"}, follow=True)
    assert Post.objects.filter(deleted_at__isnull=False).count() == 2
    message = " ".join(str(m) for m in done.context["messages"])
    assert message.startswith("Removed 2 posts: post '")
    assert "post 'Buy cheap watches today' by bob in Python Developers › #general" in message and "by carol" in message


def test_a_comment_removal_message_names_the_comment():
    world = every_row()
    client = console_client(world.moderator)
    done = client.post(reverse("admin:content_comment_changelist"), {
        "action": "remove_comments", "_selected_action": [str(world.comment.pk)], "confirmed": "yes"}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        "Removed 1 comment: comment 'This is spam, surely' by carol on 'Buy cheap watches today' in Python "
        "Developers."]
