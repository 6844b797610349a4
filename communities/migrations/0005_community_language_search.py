"""Communities get a language, and search_vector follows it.

search_vector stops being a generated column (english only) and becomes a plain column
kept by a trigger in the community's language. DROP EXPRESSION keeps the stored values and
rewrites nothing, so the table is locked only for a moment, and the GIN index stays usable
while 0006 recomputes the rows in small batches.
"""

import django.contrib.postgres.search
from django.db import migrations, models

import communities.models

TRIGGER = """
CREATE OR REPLACE FUNCTION communities_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector(search_config(NEW.language), coalesce(NEW.name, '')), 'A')
        || setweight(to_tsvector('search_simple', coalesce(NEW.name, '')), 'A')
        || setweight(to_tsvector(search_config(NEW.language), coalesce(NEW.description, '')), 'B');
    RETURN NEW;
END $$;
CREATE TRIGGER communities_search_vector
    BEFORE INSERT OR UPDATE OF name, description, language ON communities_community
    FOR EACH ROW EXECUTE FUNCTION communities_search_vector();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS communities_search_vector ON communities_community;
DROP FUNCTION IF EXISTS communities_search_vector();
"""
GENERATED = """
DROP INDEX IF EXISTS idx_communities_search;
ALTER TABLE communities_community DROP COLUMN search_vector;
ALTER TABLE communities_community ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')) STORED;
CREATE INDEX idx_communities_search ON communities_community USING gin (search_vector);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0004_post_moderation_audit_log"),
        ("community_service", "0004_search_configurations"),
    ]

    operations = [
        # A constant default: PostgreSQL adds the column without rewriting the table.
        migrations.AddField(
            model_name="community",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("ru", "Russian"), ("de", "German"), ("fr", "French"),
                         ("es", "Spanish"), ("it", "Italian"), ("pt", "Portuguese"), ("und", "Other (no stemming)")],
                default=communities.models.default_language,
                max_length=8,
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="community",
                    name="search_vector",
                    field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE communities_community ALTER COLUMN search_vector DROP EXPRESSION",
                    reverse_sql=GENERATED,
                ),
            ],
        ),
        migrations.RunSQL(TRIGGER, reverse_sql=DROP_TRIGGER),
    ]
