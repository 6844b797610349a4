"""The race suite: pairs of different writes on the same rows, at once, on the real PostgreSQL.

A few rounds each keep `make test` fast; bench/test_bench_races.py runs the same scenarios
for hundreds of rounds. See tests/races/scenarios.py for what every round checks.
"""

import os

import pytest

from tests.races import scenarios, scenarios_billing, scenarios_events

pytestmark = pytest.mark.django_db(transaction=True)

# Enough to land in the window most runs (two requests at once overlap in most rounds);
# RACE_ROUNDS raises it when hunting a race.
ROUNDS = int(os.environ.get("RACE_ROUNDS", "12"))


ALL = scenarios.SCENARIOS + scenarios_events.SCENARIOS + scenarios_billing.SCENARIOS


@pytest.mark.parametrize("scenario", ALL, ids=lambda scenario: scenario.__name__)
def test_concurrent_writes_answer_no_5xx_and_keep_counters_and_outbox_exact(scenario):
    tally = scenario(ROUNDS)
    assert sum(tally.values()) == ROUNDS
