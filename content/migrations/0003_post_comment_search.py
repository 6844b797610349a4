"""Posts and comments are indexed in their community's language.

Post.search_vector stops being a generated column (english only): DROP EXPRESSION keeps the
stored values and rewrites nothing, so the old index serves until 0004 has recomputed the
rows in batches. Comment.search_vector is a new nullable column (no rewrite). Triggers read
the community's language, so every write path (ORM, admin, COPY) indexes correctly.
"""

import django.contrib.postgres.search
from django.db import migrations

TRIGGERS = """
CREATE OR REPLACE FUNCTION content_post_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    config regconfig;
BEGIN
    SELECT search_config(language) INTO config FROM communities_community WHERE id = NEW.community_id;
    config := coalesce(config, 'search_simple'::regconfig);
    NEW.search_vector :=
        setweight(to_tsvector(config, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('search_simple', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector(config, coalesce(NEW.content, '')), 'B');
    RETURN NEW;
END $$;
CREATE TRIGGER content_post_search_vector
    BEFORE INSERT OR UPDATE OF title, content, community_id ON content_post
    FOR EACH ROW EXECUTE FUNCTION content_post_search_vector();

CREATE OR REPLACE FUNCTION content_comment_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    config regconfig;
BEGIN
    SELECT search_config(language) INTO config FROM communities_community WHERE id = NEW.community_id;
    NEW.search_vector := setweight(
        to_tsvector(coalesce(config, 'search_simple'::regconfig), coalesce(NEW.content, '')), 'B');
    RETURN NEW;
END $$;
CREATE TRIGGER content_comment_search_vector
    BEFORE INSERT OR UPDATE OF content, community_id ON content_comment
    FOR EACH ROW EXECUTE FUNCTION content_comment_search_vector();
"""
DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS content_post_search_vector ON content_post;
DROP FUNCTION IF EXISTS content_post_search_vector();
DROP TRIGGER IF EXISTS content_comment_search_vector ON content_comment;
DROP FUNCTION IF EXISTS content_comment_search_vector();
"""
GENERATED = """
DROP INDEX IF EXISTS idx_posts_search;
ALTER TABLE content_post DROP COLUMN search_vector;
ALTER TABLE content_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(content, '')), 'B')) STORED;
CREATE INDEX idx_posts_search ON content_post USING gin (search_vector);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_post_required_level_ids"),
        ("communities", "0005_community_language_search"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="post",
                    name="search_vector",
                    field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
            database_operations=[
                migrations.RunSQL("ALTER TABLE content_post ALTER COLUMN search_vector DROP EXPRESSION",
                                  reverse_sql=GENERATED),
            ],
        ),
        migrations.AddField(
            model_name="comment",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunSQL(TRIGGERS, reverse_sql=DROP_TRIGGERS),
    ]
