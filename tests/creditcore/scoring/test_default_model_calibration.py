"""The default model against outcomes of a seeded synthetic park (deterministic, ~15 s)."""

from __future__ import annotations

from functools import cache

from creditcore.scoring.from_synth import ParkInputs, park_inputs
from creditcore.scoring.metrics import auc_of_scores, hit_rate_by_grade
from creditcore.scoring.reference import score_many
from creditcore.scoring.spec import load_default_spec
from creditcore.synth import ParkSpec, generate_park


@cache
def scored(enterprises: int, seed: int):
    park = generate_park(ParkSpec(enterprises=enterprises, seed=seed))
    inputs = park_inputs(park)
    results = score_many(
        load_default_spec(), inputs.enterprises, inputs.records, inputs.observations, inputs.as_of
    )
    outcome = {o.enterprise_id: o.event for o in park.outcomes}
    return inputs, results, [outcome[r.enterprise_id] for r in results]


def test_park_inputs_fold_statuses_as_of_the_date():
    inputs, _, _ = scored(200, 2026)
    assert isinstance(inputs, ParkInputs)
    statuses = {r.status_as_of for r in inputs.records}
    assert "active" in statuses and statuses <= {
        "active",
        "repaired",
        "publicity_ended",
        "revoked",
        "superseded",
    }
    assert all(r.decided_on <= inputs.as_of for r in inputs.records)
    assert all(o.period <= inputs.as_of for o in inputs.observations)


def test_auc_and_bad_rate_rising_from_a_to_d():
    _, results, bad = scored(2000, 2026)
    assert auc_of_scores([r.score for r in results], bad) >= 0.75
    table = hit_rate_by_grade([r.grade for r in results], bad)
    rates = [table[g]["bad_rate"] for g in "ABCD"]
    assert rates == sorted(rates) and rates[0] < rates[-1]
    assert all(table[g]["n"] >= 50 for g in "ABCD")
