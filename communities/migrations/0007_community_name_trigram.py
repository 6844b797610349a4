from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY: writes go on while the index builds.
    atomic = False
    dependencies = [("communities", "0006_backfill_search_vector")]

    operations = [
        AddIndexConcurrently(
            model_name="community",
            index=GinIndex(fields=["name"], name="idx_communities_name_trgm", opclasses=["gin_trgm_ops"]),
        ),
    ]
