"""DATABASE_REPLICA_URL: read-only selectors read from a replica, everything else from the primary.

The "replica" is a second database on the local PostgreSQL, copied from the test database
and then left behind, so it lags like a real one: whatever is written after the copy
exists only on the primary, and which database answered is plain to see.
"""

import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.db import connections, transaction

from community_service.db.router import REPLICA
from content.models import Post
from content.selectors.posts import post_feed, post_global_search
from members.selectors.access import CommunityAccess
from tests.factories import CommunityFactory, PostFactory


def _admin_dsn() -> str:
    db = connections["default"].settings_dict
    return f"postgresql://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A community with one post, then a frozen copy of the test database as the replica.

    Module-scoped so the alias exists before the test case that names it is set up.
    """
    source = connections["default"].settings_dict["NAME"]
    name = f"{source}_replica"
    with django_db_blocker.unblock():
        community = CommunityFactory()
        _post(community, "replicated")
        connections.close_all()  # CREATE DATABASE ... TEMPLATE needs the source to have no sessions
        with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    settings.DATABASES[REPLICA] = {**connections["default"].settings_dict, "NAME": name}
    try:
        yield community
    finally:
        connections[REPLICA].close()
        del connections.settings[REPLICA]
        with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _post(community, title: str) -> Post:
    return PostFactory(community=community, title=title, content=title)


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_feeds_and_search_read_the_replica_and_writes_stay_on_the_primary(world):
    _post(world, "fresh")  # only on the primary: the replica was copied before
    access = CommunityAccess(community_id=world.pk, is_superadmin=True)
    feed = post_feed(community=world, user_id=None, access=access)
    assert feed.db == REPLICA
    assert sorted(post.title for post in feed) == ["replicated"]
    found = post_global_search(text="replicated", user_id=None, superadmin=True, page=1, page_size=20)
    assert [post.title for post in found.items] == ["replicated"]
    # Anything else reads the primary, and so does a selector inside a transaction.
    assert Post.objects.filter(community=world).count() == 2
    with transaction.atomic():
        assert post_feed(community=world, user_id=None, access=access).count() == 2
    # A row read from the replica is written back to the primary.
    replicated = next(iter(post_feed(community=world, user_id=None, access=access)))
    replicated.title = "edited"
    replicated.save(update_fields=["title"])
    assert Post.objects.get(pk=replicated.pk).title == "edited"


def test_the_replica_is_configured_from_the_environment_and_off_by_default():
    probe = ("import django, json; django.setup(); from django.conf import settings; "
             "print(json.dumps([sorted(settings.DATABASES), settings.DATABASE_ROUTERS]))")
    env_base = {"DJANGO_SETTINGS_MODULE": "community_service.settings_test", "PATH": "/usr/bin:/bin"}

    def settings_with(**env: str) -> str:
        return subprocess.run([sys.executable, "-c", probe], env={**env_base, **env}, capture_output=True,
                              text=True, check=True, cwd=settings.BASE_DIR).stdout

    assert '["default"]' in settings_with()
    assert '["default", "replica"]' in settings_with(
        DATABASE_REPLICA_URL="postgres://reader@replica.internal:5432/community_service")
