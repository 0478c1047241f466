"""Compare a draft model with the published one on the park as of a date (nothing is written).

The comparison is what governance looks at before approving a version: the grade migration
matrix (rows: grade under the published model, columns: grade under the draft), the grade
counts and score histograms of both, and how many enterprises move up or down.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from parkcredit.scoring.extract import LedgerInputs, ledger_extract
from parkcredit.scoring.scorer import grade_counts, score_inputs, spec_cached

GRADES = ("A", "B", "C", "D")
HISTOGRAM_STEP = 50  # 20 bins over 0..1000


def histogram(scores: Sequence[int]) -> list[int]:
    bins = [0] * (1000 // HISTOGRAM_STEP)
    for score in scores:
        bins[min(len(bins) - 1, max(0, score) // HISTOGRAM_STEP)] += 1
    return bins


def _summary(results: Sequence[Any]) -> dict[str, Any]:
    scores = [int(r.score) for r in results]
    return {
        "grades": grade_counts(results, GRADES),
        "histogram": histogram(scores),
        "mean": round(sum(scores) / len(scores), 2) if scores else None,
    }


def simulation_compute(
    *, spec_yaml: str, baseline_yaml: str | None, as_of: date, inputs: LedgerInputs | None = None
) -> dict[str, Any]:
    """Score the park with both specs and describe how the grades move (a JSON-ready dict)."""
    inputs = inputs if inputs is not None else ledger_extract(as_of=as_of)
    # Only grades and scores are compared: no evidence query.
    draft, _engine = score_inputs(spec_cached(spec_yaml), inputs, evidence=False)
    result: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "enterprises": len(draft),
        "grades": list(GRADES),
        "bins": [[low, low + HISTOGRAM_STEP] for low in range(0, 1000, HISTOGRAM_STEP)],
        "draft": _summary(draft),
        "published": None,
        "matrix": None,
        "changed": 0,
        "upgraded": 0,
        "downgraded": 0,
    }
    if baseline_yaml is None:
        return result
    published, _engine = score_inputs(spec_cached(baseline_yaml), inputs, evidence=False)
    order = {g: i for i, g in enumerate(GRADES)}
    matrix = {g: dict.fromkeys(GRADES, 0) for g in GRADES}
    for old, new in zip(published, draft, strict=True):
        matrix[old.grade][new.grade] += 1
        if old.grade != new.grade:
            result["changed"] += 1
            if order[new.grade] < order[old.grade]:
                result["upgraded"] += 1
            else:
                result["downgraded"] += 1
    result["published"] = _summary(published)
    result["matrix"] = matrix
    return result
