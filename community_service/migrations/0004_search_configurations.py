"""What search needs in PostgreSQL: pg_trgm and btree_gin (required), unaccent (used where
the server has it), one text-search configuration per supported language and
`search_config(language)`, which maps a community's language code to its configuration.

The lists are frozen here on purpose: changing them later is a new migration.
"""

from django.db import migrations

# ISO 639-1 code -> built-in configuration copied as search_<name> (see community_service/search/query.py).
LANGUAGES = {
    "en": "english", "ru": "russian", "de": "german", "fr": "french", "es": "spanish",
    "it": "italian", "pt": "portuguese", "und": "simple",
}
REQUIRED = ("pg_trgm", "btree_gin")


def _available(cursor) -> set[str]:
    cursor.execute("SELECT name FROM pg_available_extensions")
    return {row[0] for row in cursor.fetchall()}


def create(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        available = _available(cursor)
        missing = [name for name in REQUIRED if name not in available]
        if missing:
            raise RuntimeError(
                f"PostgreSQL lacks the extension(s) {', '.join(missing)} that search needs; install the server's "
                "contrib package (postgresql-contrib) and migrate again."
            )
        for name in REQUIRED:
            cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
        # Without unaccent, "café" and "cafe" stay different words; everything else works.
        unaccent = "unaccent" in available
        if unaccent:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        for base in sorted(set(LANGUAGES.values())):
            config = f"search_{base}"
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [config])
            if cursor.fetchone():
                continue
            cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = pg_catalog.{base})")
            if unaccent:
                stem = "simple" if base == "simple" else f"{base}_stem"
                cursor.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION {config} "
                    f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stem}"
                )
        cases = " ".join(f"WHEN '{code}' THEN 'search_{base}'::regconfig" for code, base in LANGUAGES.items())
        cursor.execute(
            "CREATE OR REPLACE FUNCTION search_config(language text) RETURNS regconfig "
            f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE language {cases} "
            "ELSE 'search_simple'::regconfig END $$"
        )


def drop(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS search_config(text)")
        for base in sorted(set(LANGUAGES.values())):
            cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS search_{base}")


class Migration(migrations.Migration):
    dependencies = [("community_service", "0003_idempotency_keys")]

    operations = [migrations.RunPython(create, drop)]
