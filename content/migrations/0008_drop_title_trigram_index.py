"""Typos are corrected against the word vocabulary now (community_service/search/words.py):
the trigram index over every post title serves no query and costs every title write."""

from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("content", "0007_post_title_search_words")]

    operations = [RemoveIndexConcurrently(model_name="post", name="idx_posts_title_trgm")]
