"""Post titles feed the typo vocabulary (community_service/search/words.py).

Not atomic: the trigger is created (and its lock released) first, so titles written from
then on add their words themselves; the backfill then reads the table with no lock that
blocks writers.
"""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION content_post_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_words_add(NEW.title);
    RETURN NULL;
END $$;
CREATE TRIGGER content_post_search_words AFTER INSERT OR UPDATE OF title ON content_post
    FOR EACH ROW EXECUTE FUNCTION content_post_search_words();
"""
UNTRIGGER = """
DROP TRIGGER IF EXISTS content_post_search_words ON content_post;
DROP FUNCTION IF EXISTS content_post_search_words();
"""
BACKFILL = """
INSERT INTO community_service_searchword (word)
SELECT DISTINCT w.lexeme FROM content_post p, unnest(to_tsvector('search_simple', p.title)) AS w
 WHERE char_length(w.lexeme) BETWEEN 3 AND 40
   AND w.lexeme !~ '^[[:digit:][:punct:]]+$'
   AND NOT EXISTS (SELECT 1 FROM community_service_searchword s WHERE s.word = w.lexeme);
"""


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("content", "0006_merge_0003_moderators_group_0005_search_indexes"),
        ("community_service", "0005_search_words"),
    ]

    operations = [
        migrations.RunSQL(TRIGGER, UNTRIGGER),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
