"""Community names feed the typo vocabulary (community_service/search/words.py).

Not atomic: the trigger first (its lock released at once), then a backfill that reads the
table with no lock that blocks writers.
"""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION communities_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_words_add(NEW.name);
    RETURN NULL;
END $$;
CREATE TRIGGER communities_search_words AFTER INSERT OR UPDATE OF name ON communities_community
    FOR EACH ROW EXECUTE FUNCTION communities_search_words();
"""
UNTRIGGER = """
DROP TRIGGER IF EXISTS communities_search_words ON communities_community;
DROP FUNCTION IF EXISTS communities_search_words();
"""
BACKFILL = """
INSERT INTO community_service_searchword (word)
SELECT DISTINCT w.lexeme FROM communities_community c, unnest(to_tsvector('search_simple', c.name)) AS w
 WHERE char_length(w.lexeme) BETWEEN 3 AND 40
   AND w.lexeme !~ '^[[:digit:][:punct:]]+$'
   AND NOT EXISTS (SELECT 1 FROM community_service_searchword s WHERE s.word = w.lexeme);
"""


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("communities", "0010_list_order_index"),
        ("community_service", "0005_search_words"),
    ]

    operations = [
        migrations.RunSQL(TRIGGER, UNTRIGGER),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
