"""Score extracted inputs with a model spec: the engine for a park, the reference for one.

A full run uses the compiled SQL on in-process DuckDB (`creditcore.scoring.engine`); a single
enterprise (incremental rescore, what-if on a handful) uses the pure-Python reference
evaluator, which is the oracle the SQL is tested against, so both give the same numbers.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from creditcore.scoring.spec import ModelSpec, load_spec
from parkcredit.scoring.extract import LedgerInputs

# The SQL engine pays a fixed cost (compile, load DuckDB) that one enterprise does not repay.
ENGINE_MIN_ENTERPRISES = 50
ENGINES = ("auto", "duckdb", "postgres", "reference")

_spec_cache: dict[str, ModelSpec] = {}
_spec_lock = threading.Lock()


def spec_digest(spec_yaml: str) -> str:
    return hashlib.sha256(spec_yaml.encode("utf-8")).hexdigest()


def spec_cached(spec_yaml: str) -> ModelSpec:
    """`load_spec` memoised on the text: validation costs more than an incremental rescore."""
    key = spec_digest(spec_yaml)
    with _spec_lock:
        cached = _spec_cache.get(key)
    if cached is not None:
        return cached
    spec = load_spec(spec_yaml)
    with _spec_lock:
        if len(_spec_cache) > 32:
            _spec_cache.clear()
        _spec_cache[key] = spec
    return spec


def engine_available() -> bool:
    try:
        from creditcore.scoring import engine  # noqa: F401
    except ImportError:
        return False
    return True


def score_reference(spec: ModelSpec, inputs: LedgerInputs) -> list[Any]:
    """Score every enterprise of `inputs` one by one with the reference evaluator."""
    from creditcore.scoring.reference import score_one

    return [
        score_one(spec, e, inputs.records_of(e.id), inputs.observations_of(e.id), inputs.as_of)
        for e in inputs.enterprises
    ]


def score_engine(spec: ModelSpec, inputs: LedgerInputs, *, evidence: bool = True) -> list[Any]:
    """Score the whole of `inputs` in one set-based query on DuckDB.

    `evidence=False` skips the second query that finds the records behind each indicator, for
    callers that only compare grades (simulation, what-if).
    """
    from creditcore.scoring.engine import score_frames_duckdb
    from creditcore.scoring.frames import frames_from_inputs

    frames = frames_from_inputs(inputs.enterprises, inputs.all_records(), inputs.all_observations())
    return list(score_frames_duckdb(spec, frames, inputs.as_of, evidence=evidence))


def score_inputs(
    spec: ModelSpec, inputs: LedgerInputs, *, engine: str = "auto", evidence: bool = True
) -> tuple[list[Any], str]:
    """Score `inputs`; returns the results in enterprise order and the name of the engine used.

    `engine`: "duckdb" (compiled SQL in process), "postgres" (compiled SQL inside the
    PostgreSQL database, over temporary views of the same ledger), "reference" (pure Python),
    or "auto": DuckDB for a park, the reference evaluator for a handful of enterprises.
    """
    if engine not in ENGINES:
        raise ValueError(f"不支持的评分引擎 engine={engine!r},应为 {'、'.join(ENGINES)}")
    if engine == "auto":
        use_engine = len(inputs.enterprises) >= ENGINE_MIN_ENTERPRISES and engine_available()
        engine = "duckdb" if use_engine else "reference"
    if engine == "duckdb":
        results = score_engine(spec, inputs, evidence=evidence)
    elif engine == "postgres":
        from parkcredit.scoring.pg import score_in_postgres

        results = score_in_postgres(
            spec, as_of=inputs.as_of, enterprise_ids=[e.id for e in inputs.enterprises]
        )
    else:
        results = score_reference(spec, inputs)
    by_id = {r.enterprise_id: r for r in results}
    missing = [e.id for e in inputs.enterprises if e.id not in by_id]
    if missing:
        # The in-database engine reads the ledger again; the park may have changed in between.
        raise RuntimeError(
            _("评分期间企业名单发生变化(%(count)d 家企业未得到评分),请重新评分") % {"count": len(missing)}
        )
    return [by_id[e.id] for e in inputs.enterprises], engine


def grade_counts(results: Sequence[Any], grades: Sequence[str] = ("A", "B", "C", "D")) -> dict[str, int]:
    counts = dict.fromkeys(grades, 0)
    for result in results:
        counts[result.grade] = counts.get(result.grade, 0) + 1
    return counts
