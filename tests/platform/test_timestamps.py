"""Timestamps load through psycopg's C loader in UTC (community_service/db/postgresql/base.py)."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.postgres import types
from psycopg.pq import Format

from communities import selectors
from communities.models import Community
from community_service.db.postgresql.base import UtcTimestamptzLoader
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db
TIMESTAMPTZ = types["timestamptz"].oid
# Microseconds and a date far from now: what the C loader parses must be what was stored.
WRITTEN = datetime.datetime(1999, 12, 31, 23, 59, 58, 123456, tzinfo=datetime.UTC)


def test_the_connection_loads_timestamps_with_psycopgs_c_loader():
    connection.ensure_connection()
    registered = connection.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert registered is UtcTimestamptzLoader
    # The loader a cursor gets is psycopg's compiled one, not a Python subclass of its Python one.
    assert psycopg.pq.__impl__ == "binary"
    assert type(registered(TIMESTAMPTZ, connection.connection)).__module__ == "psycopg_binary._psycopg"
    # The attribute Django's create_cursor compares: equal, so no cursor registers Django's loader again.
    assert registered.timezone == connection.timezone == datetime.UTC


@pytest.mark.parametrize("read", ["orm", "values", "compiled"])
def test_timestamps_read_back_equal_and_in_utc(read):
    community = CommunityFactory()
    Community.objects.filter(pk=community.pk).update(created_at=WRITTEN)
    loaded = {
        "orm": lambda: Community.objects.get(pk=community.pk).created_at,
        "values": lambda: Community.objects.filter(pk=community.pk).values_list("created_at", flat=True).get(),
        # A server-side binding cursor (prepared statements) made outside Django's create_cursor.
        "compiled": lambda: selectors.community_read(id_or_slug=str(community.pk)).created_at,
    }[read]
    for _ in range(2):  # the compiled read is prepared from its second run
        value = loaded()
        assert value == WRITTEN and value.tzinfo is datetime.UTC and value.microsecond == 123456


def test_the_c_loader_gives_what_djangos_own_loader_gives():
    Community.objects.filter(pk=CommunityFactory().pk).update(created_at=WRITTEN)
    sql = "SELECT created_at, now(), %s::timestamptz FROM communities_community WHERE created_at = %s"
    params = ["2024-03-31 02:30:00.5+02", WRITTEN]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ours = cursor.fetchall()
        register_tzloader(datetime.UTC, cursor.cursor)  # Django's own, on this cursor only
        assert cursor.cursor.adapters.get_loader(TIMESTAMPTZ, Format.TEXT) is not UtcTimestamptzLoader
        cursor.execute(sql, params)
        djangos = cursor.fetchall()
    assert ours == djangos and len(ours) == 1
    assert all(value.tzinfo is datetime.UTC for value in (*ours[0], *djangos[0]))
