"""Search room: full-text and typo-tolerant search on PostgreSQL, shared by the apps.

Owns the query engine (query.py: configurations per language, bounded candidate sets,
highlights), the vocabulary typos are corrected against (words.py, the SearchWord model),
batched backfills the apps' migrations run (backfill.py) and the `?search=` list mixin
(api.py). Above the HTTP layer (api.py pages through community_service.api.pagination);
the apps' selectors and views call it, it imports no app.
"""
