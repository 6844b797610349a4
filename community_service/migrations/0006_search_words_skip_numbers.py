"""Numbers and versions are not words to correct (a title's "#1234", "2.0.1").

0005 was changed to this body before it was released; a database that applied its first
version (development and benchmark databases) gets the new body here, and loses the number
"words" its backfills and triggers added.
"""

from django.db import migrations

ADD_WORDS = """
CREATE OR REPLACE FUNCTION search_words_add(words text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO community_service_searchword (word)
    SELECT w.lexeme FROM unnest(to_tsvector('search_simple', coalesce(words, ''))) AS w
     WHERE char_length(w.lexeme) BETWEEN 3 AND 40
       AND w.lexeme !~ '^[[:digit:][:punct:]]+$'  -- numbers and versions: nothing to correct
       AND NOT EXISTS (SELECT 1 FROM community_service_searchword s WHERE s.word = w.lexeme)
$$;
DELETE FROM community_service_searchword WHERE word ~ '^[[:digit:][:punct:]]+$';
"""


class Migration(migrations.Migration):
    dependencies = [("community_service", "0005_search_words")]

    operations = [migrations.RunSQL(ADD_WORDS, migrations.RunSQL.noop)]
