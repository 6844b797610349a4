"""The vocabulary typos are corrected against (community_service/search/query.py, `corrected_tsquery`).

Every word (its `search_simple` lexeme, 3-40 characters, not only digits and punctuation:
a title's "#1234" or "2.0.1" has no spelling to correct) that appears in some community's
name or some post's title, written by triggers on those tables (migrations
community_service 0005, communities 0011, content 0007) and never deleted: a word that
no longer appears anywhere only costs a correction that finds nothing. A trigram index
over a few hundred thousand words answers "which words are spelled like this one" in
a millisecond, where trigrams over every title of a big table cost a bitmap of all of them.

No unique constraint, on purpose: with one, two transactions writing the same new word
would wait for each other's commit (and, adding words in two statements each, could
deadlock). The triggers add only words not there yet; a duplicate from two concurrent
writers costs a row, and the correction reads DISTINCT words.
"""

from django.contrib.postgres.indexes import GinIndex, HashIndex
from django.db import models


class SearchWord(models.Model):
    id = models.BigAutoField(primary_key=True)
    word = models.TextField()

    class Meta:
        indexes = [
            # The triggers' "known yet?". A hash index, not a btree: a planner told to avoid a
            # sequential scan could read a whole btree instead of the trigram index.
            HashIndex(fields=["word"], name="idx_search_words_word"),
            # fastupdate off: new words are few, and a pending list (searched linearly until a
            # vacuum merges it) made a lookup 6 ms instead of 0.5 ms after the backfill.
            GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], fastupdate=False, name="idx_search_words_trgm"),
        ]
