"""communities_community.owner_id is indexed once: by its foreign key's own index."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_owner_id_has_exactly_one_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'communities_community' "
            "AND indexdef ~ '\\(owner_id\\)$'"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert len(names) == 1, names
    assert names != ["idx_communities_owner"]
