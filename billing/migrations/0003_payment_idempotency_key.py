"""Payments remember the Idempotency-Key of the request that opened them, so a retry whose
first attempt charged but never stored its answer resumes that payment (docs/billing.md).
The column has a database default, so the code of the previous release keeps inserting payments
during a rolling deploy; the index is built concurrently, as payments are written meanwhile."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("billing", "0002_foreign_key_indexes_covered"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="idempotency_key",
            field=models.CharField(blank=True, default="", db_default="", max_length=255),
        ),
        AddIndexConcurrently(
            model_name="payment",
            index=models.Index(condition=models.Q(("idempotency_key", ""), _negated=True),
                               fields=["idempotency_key"], name="idx_payments_idempotency_key"),
        ),
    ]
