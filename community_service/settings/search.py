"""Search settings (community_service/search/query.py)."""

from community_service.settings.core import env

# Language (ISO 639-1 code, or `und` for no stemming) of new communities that do not name one.
SEARCH_DEFAULT_LANGUAGE = env.str("SEARCH_DEFAULT_LANGUAGE", default="en")
