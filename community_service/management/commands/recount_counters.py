"""Recompute every denormalised counter from the rows it counts, fix drift, report what changed."""

from typing import Any

from django.core.management.base import CommandError, CommandParser
from tqdm import tqdm

from community_service.db.counters import BATCH_SIZE, counter_recount, counter_specs
from community_service.management.base import DocumentedCommand


class Command(DocumentedCommand):
    help = (
        "Recompute the denormalised counters from the rows they count: communities' member_count and\n"
        "post_count, posts' like_count and comment_count, comments' like_count and reply_count, and any\n"
        "counter another app lists in its counters.py. Rows are locked batch by batch in the writers'\n"
        "lock order, so the service stays up and no concurrent write is lost. Prints each counter with\n"
        "the rows that drifted (stored -> true). --dry-run only reports."
    )

    examples = (
        "manage.py recount_counters --dry-run         # what drifted, change nothing",
        "manage.py recount_counters                   # fix everything",
        "manage.py recount_counters --only communities.Community.member_count",
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report drift without fixing it.")
        parser.add_argument("--only", action="append", default=[], metavar="APP.Model.field",
                            help="Recount only this counter (repeatable). Default: all.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                            help=f"Rows locked and recounted per transaction (default {BATCH_SIZE}).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars (logs, cron).")
        parser.add_argument("--examples", type=int, default=5, help="Drifted rows listed per counter (default 5).")

    def handle(self, *args: Any, dry_run: bool, only: list[str], batch_size: int, no_progress: bool,
               examples: int, **options: Any) -> None:
        specs = counter_specs()
        known = {spec.name for spec in specs}
        unknown = sorted(set(only) - known)
        if unknown:
            raise CommandError(f"Unknown counter {unknown[0]}; known: {', '.join(sorted(known))}")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total_fixed = 0
        for spec in specs:
            if only and spec.name not in only:
                continue
            with tqdm(total=spec.model._default_manager.count(), desc=spec.name, unit="row", file=self.stderr,
                      disable=no_progress, leave=False) as bar:
                drifts = counter_recount(spec, fix=not dry_run, batch_size=batch_size, progress=bar.update)
            total_fixed += len(drifts)
            if not drifts:
                self.stdout.write(f"{spec.name}: ok")
                continue
            verb = "drifted" if dry_run else "fixed"
            self.stdout.write(f"{spec.name}: {len(drifts)} row(s) {verb}")
            for drift in drifts[:examples]:
                self.stdout.write(f"  {drift.pk}: {drift.stored} -> {drift.true}")
        summary = "would fix" if dry_run else "fixed"
        self.stdout.write(f"{summary} {total_fixed} row(s) in total")
