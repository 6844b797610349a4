"""`make bench` entry: the race suite's scenarios (tests/races/scenarios.py) for many rounds.

    BENCH_RACE_ROUNDS=200 .venv/bin/python -m pytest bench/test_bench_races.py -s

`make test` runs each scenario a dozen rounds; here each runs BENCH_RACE_ROUNDS (default
200), still asserting every round (no 5xx, counters equal to rows, outbox exact), and prints
how often each combination of answers came up: both orders showing up is the evidence that
the requests really overlapped.
"""

import json
import os
import time

import pytest

from tests.races.test_races import ALL

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = int(os.environ.get("BENCH_RACE_ROUNDS", "200"))


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.mark.parametrize("scenario", ALL, ids=lambda scenario: scenario.__name__)
def test_race_scenario_holds_for_many_rounds(scenario):
    started = time.perf_counter()
    tally = scenario(ROUNDS)
    seconds = time.perf_counter() - started
    outcomes = {" ".join(f"{name}={status}" for name, status in combo): n for combo, n in tally.most_common()}
    print(json.dumps({"scenario": scenario.__name__, "rounds": ROUNDS, "seconds": round(seconds, 1),
                      "outcomes": outcomes}))
    assert sum(tally.values()) == ROUNDS
