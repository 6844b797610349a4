"""A moderation world for the console: communities A and B, and a staff moderator of A only."""

import importlib
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone

from communities.models import Community
from content.models import Comment, Post, PostStatus, Report, ReportEntry
from members.models import User
from tests.factories import CommunityFactory, UserFactory, member_add


def console_client(user: User) -> Client:
    # Django's own client: the admin takes form posts (the suite's `client` speaks JSON).
    client = Client()
    client.force_login(user)
    return client


def moderators_group() -> Group:
    """The group the data migration made; a transactional test's flush elsewhere may have
    emptied the table, so make it again the migration's way."""
    group = Group.objects.filter(name="Moderators").first()
    if group is None:
        migration = importlib.import_module("content.migrations.0003_moderators_group")
        migration.create_group(django_apps, SimpleNamespace(connection=connection))
        group = Group.objects.get(name="Moderators")
    return group


def make_moderator(*communities: Community, role: str = "Moderator", **fields: object) -> User:
    """A staff user in the Moderators group who holds `role` in each of `communities`."""
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(moderators_group())
    for community in communities:
        member_add(community, role=role, user=user)
    return user


def make_post(community: Community, author: User | None = None, **fields: object) -> Post:
    author = author or member_add(community)
    post = Post.objects.create(community=community, author=author, title=fields.pop("title", "a post"),
                               content=fields.pop("content", "words"), status=PostStatus.PUBLISHED,
                               published_at=timezone.now(), **fields)
    Community.objects.filter(pk=community.pk).update(post_count=Post.objects.filter(
        community=community, deleted_at__isnull=True).count())
    return post


def make_report(target: Post | Comment | User, community: Community, *reporters: User,
                category: str = "spam") -> Report:
    target_type = {Post: "post", Comment: "comment"}.get(type(target), "member")
    reporters = reporters or (member_add(community),)
    report = Report.objects.create(community=community, target_type=target_type, target_id=target.pk,
                                   reporter_count=len(reporters), last_reported_at=timezone.now())
    for reporter in reporters:
        ReportEntry.objects.create(report=report, reporter=reporter, category=category, text="please look")
    return report


@dataclass
class World:
    a: Community
    b: Community
    moderator: User

    @property
    def client(self) -> Client:
        return console_client(self.moderator)


@pytest.fixture
def world(db) -> World:
    a, b = CommunityFactory(name="Alpha"), CommunityFactory(name="Beta")
    return World(a=a, b=b, moderator=make_moderator(a))
