"""CompiledRead: the ORM's SQL compiled once, run with new parameters (community_service/cache/compiled_reads.py)."""

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from communities import selectors
from communities.models import Community
from communities.serializers import community_data
from community_service.cache.compiled_reads import CompiledRead
from community_service.exceptions import NotFound
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def test_a_compiled_read_gives_what_the_orm_gives_in_one_query():
    community = CommunityFactory(description="Деталь", post_moderation=True)
    through_orm = Community.objects.filter(pk=community.pk).only(*selectors.COMMUNITY_READ_FIELDS).get()
    with CaptureQueriesContext(connection) as queries:
        compiled = selectors.community_read(id_or_slug=str(community.pk).upper())
    assert len(queries) == 1 and "ORDER BY" not in queries[0]["sql"] and "search_vector" not in queries[0]["sql"]
    assert compiled.pk == community.pk and not compiled._state.adding and compiled._state.db == "default"
    assert community_data(compiled) == community_data(through_orm)
    assert compiled.get_deferred_fields() == through_orm.get_deferred_fields()


def test_a_compiled_read_keeps_the_querysets_filters():
    community = CommunityFactory()
    Community.objects.filter(pk=community.pk).update(deleted_at=community.created_at)
    with pytest.raises(NotFound):
        selectors.community_read(id_or_slug=str(community.pk))
    with pytest.raises(NotFound):
        selectors.community_read(id_or_slug=str(uuid.uuid4()))


def test_a_queryset_that_does_not_take_the_probes_is_refused_at_the_first_read():
    # The probe ends up in the SQL twice: which of the call's values goes where is unknown.
    twice = CompiledRead(lambda pk: Community.objects.filter(Q(pk=pk) | Q(owner_id=pk)), uuid.UUID(int=0))
    with pytest.raises(ImproperlyConfigured, match="exactly the parameters"):
        twice.first(uuid.uuid4())


def test_nested_views_read_their_community_compiled_without_the_search_vector():
    community = CommunityFactory(description="Вложенный")
    through_orm = Community.objects.get(pk=community.pk)
    with CaptureQueriesContext(connection) as queries:
        compiled = selectors.community_get(id_or_slug=str(community.pk), with_owner=False)
    assert len(queries) == 1 and "search_vector" not in queries[0]["sql"] and "ORDER BY" not in queries[0]["sql"]
    assert compiled.get_deferred_fields() == {"search_vector"}
    assert all(getattr(compiled, field.attname) == getattr(through_orm, field.attname)
               for field in Community._meta.concrete_fields if field.attname != "search_vector")
    # A deleted community is no longer found, by id or by slug.
    Community.objects.filter(pk=community.pk).update(deleted_at=community.created_at)
    for id_or_slug in (str(community.pk), community.slug):
        with pytest.raises(NotFound):
            selectors.community_get(id_or_slug=id_or_slug, with_owner=False)


def test_a_slug_shaped_like_an_id_is_still_found_by_nested_views():
    # The API refuses such slugs, but rows written another way (admin, data imports) keep working.
    community = CommunityFactory()
    slug = str(uuid.uuid4())
    Community.objects.filter(pk=community.pk).update(slug=slug)
    assert selectors.community_get(id_or_slug=slug, with_owner=False).pk == community.pk


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def test_a_compiled_read_is_a_prepared_statement_of_its_connection():
    first, second = CommunityFactory(), CommunityFactory()
    model, using, sql, columns = selectors._COMMUNITY_BY_ID.compiled
    for _ in range(2):  # prepared from its second run on a connection
        assert selectors.community_read(id_or_slug=str(first.pk)).pk == first.pk
    prepared = [statement for statement in _prepared_statements() if '"id" = $1' in statement]
    # Parsed and planned by PostgreSQL once, then run with each call's id ($1).
    assert len(prepared) == 1 and "communities_community" in prepared[0]
    # Run through Django's execute wrappers (the metrics count queries there), prepared.
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert selectors.community_read(id_or_slug=str(second.pk)).pk == second.pk
    assert seen == [sql]
    assert [s for s in _prepared_statements() if '"id" = $1' in s] == prepared


def test_a_read_run_once_on_a_connection_is_not_prepared():
    # Preparing costs a round trip: a connection that serves one request never earns it back.
    community = CommunityFactory()
    by_name = CompiledRead(lambda name: Community.objects.filter(name=name).only("id", "name"), "probe-name")
    assert by_name.first(community.name).pk == community.pk
    assert not [statement for statement in _prepared_statements() if '"name" = $1' in statement]
    assert by_name.first(community.name).pk == community.pk
    assert [statement for statement in _prepared_statements() if '"name" = $1' in statement]


def test_with_prepared_statements_off_a_compiled_read_still_reads():
    # DB_PREPARED_STATEMENTS=false (a pooler that cannot keep them) sets psycopg's threshold to None.
    community = CommunityFactory()
    by_slug = CompiledRead(lambda slug: Community.objects.filter(slug=slug).only("id", "slug"), "probe-slug")
    connection.ensure_connection()
    raw = connection.connection
    saved, raw.prepare_threshold = raw.prepare_threshold, None
    try:
        assert by_slug.first(community.slug).pk == community.pk
        assert by_slug.first(community.slug).pk == community.pk
    finally:
        raw.prepare_threshold = saved
    assert not [statement for statement in _prepared_statements() if '"slug" = $1' in statement]
    for _ in range(2):  # and prepared once they are on again
        assert by_slug.first(community.slug).pk == community.pk
    assert [statement for statement in _prepared_statements() if '"slug" = $1' in statement]


def test_a_database_error_in_a_compiled_read_is_djangos():
    from django.db import DatabaseError

    broken = CompiledRead(lambda pk: Community.objects.filter(pk=pk).extra(where=["1/0 = 1"]), uuid.UUID(int=0))
    with pytest.raises(DatabaseError):
        broken.first(uuid.uuid4())
