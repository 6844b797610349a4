"""The typo vocabulary (community_service/search/words.py) and `search_words_add(text)`,
which the name and title triggers of communities and content call."""

import django.contrib.postgres.indexes
from django.db import migrations, models

# Only words not there yet; no lock is taken on existing ones (see community_service/search/words.py).
ADD_WORDS = """
CREATE OR REPLACE FUNCTION search_words_add(words text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO community_service_searchword (word)
    SELECT w.lexeme FROM unnest(to_tsvector('search_simple', coalesce(words, ''))) AS w
     WHERE char_length(w.lexeme) BETWEEN 3 AND 40
       AND w.lexeme !~ '^[[:digit:][:punct:]]+$'  -- numbers and versions: nothing to correct
       AND NOT EXISTS (SELECT 1 FROM community_service_searchword s WHERE s.word = w.lexeme)
$$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('community_service', '0004_search_configurations'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('word', models.TextField()),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.HashIndex(fields=['word'], name='idx_search_words_word'), django.contrib.postgres.indexes.GinIndex(fastupdate=False, fields=['word'], name='idx_search_words_trgm', opclasses=['gin_trgm_ops'])],
            },
        ),
        migrations.RunSQL(ADD_WORDS, "DROP FUNCTION IF EXISTS search_words_add(text)"),
    ]
