"""Recounting denormalised counters (`recount_counters`): find drift, fix it, say what changed.

Each app lists its counters in `<app>/counters.py` as `COUNTERS = [CounterSpec(...), ...]`:
the model and field, and an expression for the true value. The recount walks the rows in
primary-key batches; per batch, in one transaction, it first locks the rows the app's
writers lock first (`lock_first`, e.g. the posts of comments), then the counted rows,
and only then computes the true values. Writers change counters with F() under the same
locks, so a write racing the recount either finished before the count (and is in it) or
waits for it (and adds its +1 to the corrected value): the result is exact.
"""

import dataclasses
import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import OperationalError, transaction
from django.db.models import Count, Expression, F, IntegerField, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

BATCH_SIZE = 500
DEADLOCK_RETRIES = 3


@dataclass(frozen=True)
class CounterSpec:
    model: type[Model]
    field: str
    # The true value, as an expression over one row of `model` (a Subquery count, usually).
    true_value: Expression
    # Rows are visited in these passes, in order (e.g. deepest comments first); each is a filter.
    passes: Callable[[], Iterable[Q]] = dataclasses.field(default=lambda: [Q()])
    # Locks taken before the counted rows, given the batch's primary keys (the writers' lock order).
    lock_first: Callable[[list[Any]], None] | None = None

    @property
    def name(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


@dataclass
class Drift:
    pk: UUID
    stored: int
    true: int


def count_of(related: QuerySet, link: str) -> Expression:
    """COUNT(*) of the `related` rows whose `link` is the outer row; 0 when there are none."""
    rows = related.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def counter_specs() -> list[CounterSpec]:
    """Every installed app's COUNTERS, in INSTALLED_APPS order."""
    specs: list[CounterSpec] = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.counters")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.counters":
                raise
            continue
        specs.extend(getattr(module, "COUNTERS", []))
    return specs


def _batches(queryset: QuerySet, size: int) -> Iterator[list[Any]]:
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        pks = list(page.values_list("pk", flat=True)[:size])
        if not pks:
            return
        yield pks
        last = pks[-1]


def _recount_batch(spec: CounterSpec, pks: list[Any], *, fix: bool) -> list[Drift]:
    for attempt in range(DEADLOCK_RETRIES):
        try:
            with transaction.atomic():
                if spec.lock_first is not None:
                    spec.lock_first(pks)
                list(spec.model._default_manager.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk"))
                rows = (spec.model._default_manager.filter(pk__in=pks).annotate(_true=spec.true_value)
                        .exclude(**{spec.field: F("_true")}).values_list("pk", spec.field, "_true"))
                drifts = [Drift(pk=pk, stored=stored, true=true or 0) for pk, stored, true in rows]
                if fix:
                    for drift in drifts:
                        spec.model._default_manager.filter(pk=drift.pk).update(**{spec.field: drift.true})
                return drifts
        except OperationalError:  # a deadlock with a writer: the batch rolled back whole; again
            if attempt == DEADLOCK_RETRIES - 1:
                raise
    return []


def counter_recount(spec: CounterSpec, *, fix: bool, batch_size: int = BATCH_SIZE,
                    progress: Callable[[int], None] = lambda n: None) -> list[Drift]:
    """Compare (and with `fix`, correct) one counter on every row; return the rows that drifted."""
    drifts: list[Drift] = []
    for condition in spec.passes():
        for pks in _batches(spec.model._default_manager.filter(condition), batch_size):
            drifts.extend(_recount_batch(spec, pks, fix=fix))
            progress(len(pks))
    return drifts
