"""Back-test a model on a synthetic park whose future is known (no database).

`creditcore.synth` generates a park with a ledger up to `as_of` and, held apart, which
enterprises suffered a serious negative event in the months after it. The model scores the park
as of `as_of`; the report says how well the scores rank the future bad outcomes (AUC, KS), the
bad rate overall and by grade (the hit rate of each grade as a warning), and the population
stability (PSI) of the scores against a run six months earlier.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from datetime import date
from typing import Any

from creditcore.scoring import metrics
from creditcore.scoring.from_synth import park_inputs
from creditcore.scoring.spec import ModelSpec
from creditcore.synth import ParkSpec, generate_park
from parkcredit.scoring.extract import LedgerInputs

PSI_LOOKBACK_MONTHS = 6


def _months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year = day.year + month // 12
    return date(year, month % 12 + 1, min(day.day, 28))


def _finite(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


def _ledger_inputs(park: Any, as_of: date, in_park: set[int]) -> LedgerInputs:
    raw = park_inputs(park, as_of)
    records: dict[int, list[Any]] = {}
    for record in raw.records:
        if record.enterprise_id in in_park:
            records.setdefault(record.enterprise_id, []).append(record)
    observations: dict[int, list[Any]] = {}
    for obs in raw.observations:
        if obs.enterprise_id in in_park:
            observations.setdefault(obs.enterprise_id, []).append(obs)
    enterprises = [
        e for e in raw.enterprises if e.id in in_park and (e.founded_on is None or e.founded_on <= as_of)
    ]
    return LedgerInputs(as_of=as_of, enterprises=enterprises, records=records, observations=observations)


def backtest_run(
    spec: ModelSpec, *, enterprises: int = 2000, seed: int = 2026, engine: str = "auto"
) -> dict[str, Any]:
    """Generate a park, score it as of its `as_of`, and measure the scores against the future."""
    from parkcredit.scoring.scorer import score_inputs

    started = time.monotonic()
    park = generate_park(ParkSpec(enterprises=enterprises, seed=seed))
    as_of = park.spec.as_of
    in_park = {e.id for e in park.enterprises if e.in_park}
    inputs = _ledger_inputs(park, as_of, in_park)
    results, used = score_inputs(spec, inputs, engine=engine)
    bad_of = {o.enterprise_id: bool(o.event) for o in park.outcomes}
    scores = [r.score for r in results]
    grades = [r.grade for r in results]
    bad = [bad_of.get(r.enterprise_id, False) for r in results]
    order = [b.grade for b in spec.bands_desc]
    by_grade = metrics.hit_rate_by_grade(grades, bad, order=order)

    earlier_as_of = _months_before(as_of, PSI_LOOKBACK_MONTHS)
    earlier_inputs = _ledger_inputs(park, earlier_as_of, in_park)
    earlier, _engine = score_inputs(spec, earlier_inputs, engine=engine)
    earlier_scores = [r.score for r in earlier]
    return {
        "enterprises": len(results),
        "seed": seed,
        "as_of": as_of.isoformat(),
        "future_months": park.spec.future_months,
        "bad": sum(bad),
        "bad_rate": _finite(metrics.bad_rate(bad)),
        "auc": _finite(metrics.auc_of_scores(scores, bad)),
        "ks": _finite(metrics.ks_of_scores(scores, bad)),
        "hit_rate_by_grade": {g: _finite(row["bad_rate"]) for g, row in by_grade.items()},
        "grades": {g: {"n": int(row["n"]), "bad": int(row["bad"])} for g, row in by_grade.items()},
        "hit_rate_rising": _rising([by_grade[g]["bad_rate"] for g in order if by_grade[g]["n"]]),
        "psi": _finite(metrics.psi(earlier_scores, scores)),
        "psi_grades": _finite(metrics.psi_of_grades([r.grade for r in earlier], grades)),
        "psi_as_of": [earlier_as_of.isoformat(), as_of.isoformat()],
        "model": {"code": spec.code, "version": spec.version},
        "engine": used,
        "seconds": round(time.monotonic() - started, 2),
    }


def _rising(rates: Sequence[float]) -> bool:
    return all(later > earlier for earlier, later in itertools.pairwise(rates))
