"""A moderation world for the console: communities A and B, and a staff moderator of A only."""

import importlib
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from communities.models import Community
from content.models import Comment, Post, Report
from members.models import User
from tests.factories import CommunityFactory, PostFactory, ReportFactory, UserFactory, member_add


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
    """A published post by `author` (default: a new member); PostFactory keeps post_count true."""
    return PostFactory(community=community, author=author or member_add(community),
                       title=fields.pop("title", "a post"), content=fields.pop("content", "words"), **fields)


def make_report(target: Post | Comment | User, community: Community, *reporters: User,
                category: str = "spam") -> Report:
    """An open report of `target` by `reporters` (default: a new member)."""
    return ReportFactory(community=community, target=target, reporters=list(reporters) or [member_add(community)],
                         reporters__category=category, reporters__text="please look")


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
