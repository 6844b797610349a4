"""The schema's indexes: none twice, none a prefix of another (each copy costs every write and
its share of memory)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# Indexes of one table on the same columns, operator classes, sort options, expressions and
# predicate: the same index, whatever their names or uniqueness.
DUPLICATES = """
SELECT table_class.relname, array_agg(index_class.relname ORDER BY index_class.relname)
FROM pg_index i
JOIN pg_class table_class ON table_class.oid = i.indrelid
JOIN pg_class index_class ON index_class.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = table_class.relnamespace
WHERE n.nspname = current_schema()
GROUP BY table_class.relname, i.indkey::text, i.indclass::text, i.indoption::text,
         coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), coalesce(pg_get_expr(i.indpred, i.indrelid), '')
HAVING count(*) > 1
"""


def test_no_table_has_the_same_index_twice():
    with connection.cursor() as cursor:
        cursor.execute(DUPLICATES)
        assert cursor.fetchall() == []


# A non-unique, non-partial btree index whose columns lead another full btree index of the
# same table (unique or not): that one serves every lookup the shorter one could.
COVERED = """
WITH idx AS (
  SELECT t.relname AS tbl, c.relname AS name, i.indisunique AS is_unique, i.indpred IS NULL AS whole,
         i.indexprs IS NULL AS on_columns, string_to_array(i.indkey::text, ' ') AS cols, am.amname AS method
  FROM pg_index i
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_am am ON am.oid = c.relam
  JOIN pg_namespace n ON n.oid = t.relnamespace
  WHERE n.nspname = current_schema()
)
SELECT short.tbl, short.name, long.name
FROM idx short JOIN idx long ON long.tbl = short.tbl AND long.name <> short.name
WHERE short.method = 'btree' AND long.method = 'btree' AND NOT short.is_unique
  AND short.whole AND short.on_columns AND long.whole AND long.on_columns
  AND cardinality(short.cols) < cardinality(long.cols)
  AND long.cols[1:cardinality(short.cols)] = short.cols
ORDER BY 1, 2
"""
# Tables Django makes itself (auth and many-to-many link tables), left as Django builds them.
DJANGO_TABLES = {"auth_group_permissions", "auth_permission", "members_user_groups",
                 "members_user_user_permissions", "members_member_roles"}


def test_no_index_is_the_prefix_of_another():
    with connection.cursor() as cursor:
        cursor.execute(COVERED)
        covered = [row for row in cursor.fetchall() if row[0] not in DJANGO_TABLES]
    assert covered == []


def _index_definitions(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


def test_members_keep_their_constraints_beside_the_list_index():
    # members 0004 dropped the foreign keys' own indexes by name: the partial unique index on
    # community_id alone (one owner per community) is still there.
    definitions = _index_definitions("members_member")
    assert "UNIQUE" in definitions["uq_member_one_owner_per_community"]
    assert "WHERE is_owner" in definitions["uq_member_one_owner_per_community"]
    assert "(community_id, status, is_owner DESC, joined_at, id)" in definitions["idx_members_list_order"]
    assert "uq_member_community_user" in definitions
    assert not {"members_member_community_id_d7c7fe43", "members_member_user_id_5b73e2f8",
                "idx_members_community_status"} & set(definitions)
