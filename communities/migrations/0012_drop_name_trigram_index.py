"""Typos are corrected against the word vocabulary now (community_service/search/words.py):
the trigram index over every community name serves no query and costs every name write."""

from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("communities", "0011_community_name_search_words")]

    operations = [RemoveIndexConcurrently(model_name="community", name="idx_communities_name_trgm")]
