"""Execute scoring runs: read the ledger as of the date, score, write `Score` rows in bulk.

A full run scores every in-park enterprise; an incremental run rescores a few enterprises as
of today after a ledger write. Either way the new rows replace the enterprises' current score
in one transaction (at most one current score per enterprise, enforced by the database).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.scoring.reference import percentile_ranks
from creditcore.scoring.spec import ModelSpec
from parkcredit.audit.services import audit_log
from parkcredit.scoring.extract import LedgerInputs, enterprise_fingerprint, ledger_extract, run_fingerprint
from parkcredit.scoring.models import ModelState, RunKind, RunState, Score, ScoringModel, ScoringRun
from parkcredit.scoring.scorer import grade_counts, score_inputs, spec_cached, spec_digest
from parkcredit.scoring.signals import current_grades, grades_changed_on_commit

Progress = Callable[[int, int, str], Any]
PROGRESS_TOTAL = 100
WRITE_BATCH = 1000
# Evidence lists are links on a page: the first few records say enough.
MAX_EVIDENCE = 20


def default_engine() -> str:
    """The engine of full runs: `settings.SCORING_ENGINE` (auto, duckdb, postgres, reference)."""
    return str(getattr(settings, "SCORING_ENGINE", "auto"))


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _evidence(ids: Sequence[int]) -> list[int]:
    return [int(pk) for pk in list(ids)[:MAX_EVIDENCE]]


def score_fields(spec: ModelSpec, result: Any) -> dict[str, Any]:
    """The JSON columns of a `Score` from a ScoreResult, with the indicators' names attached."""
    meta = {ind.code: ind for ind in spec.indicators}
    dims = {dim.code: dim.name for dim in spec.dimensions}
    indicators = [
        {
            "code": item.code,
            "name": meta[item.code].name,
            "dimension": meta[item.code].dimension,
            "dimension_name": dims.get(meta[item.code].dimension, ""),
            "value": _finite(item.value),
            "points": _finite(item.points),
            "max_points": item.max_points,
            "missing": bool(item.missing),
            "evidence": _evidence(item.evidence),
        }
        for item in result.indicators
    ]
    reasons = [
        {
            "code": reason.code,
            "name": meta[reason.code].name,
            "lost_points": _finite(reason.lost_points),
            "explanation": meta[reason.code].explanation,
            "evidence": _evidence(reason.evidence),
        }
        for reason in result.reasons
    ]
    return {
        "score": int(result.score),
        "grade": result.grade,
        "colour": result.colour,
        "indicators": indicators,
        "reasons": reasons,
        "vetoes": list(result.vetoes),
        "caps": list(result.caps),
        "data_depth": float(result.data_depth),
    }


def _later_current_exists(as_of: date) -> bool:
    return Score.objects.filter(is_current=True, as_of__gt=as_of).exists()


def _build_scores(
    run: ScoringRun,
    spec: ModelSpec,
    inputs: LedgerInputs,
    results: Sequence[Any],
    percentiles: dict[int, float],
) -> tuple[list[Score], list[tuple[int, str]]]:
    digest = spec_digest(run.model.spec_yaml)
    fingerprints = [(e.id, enterprise_fingerprint(inputs, e, digest)) for e in inputs.enterprises]
    fp_by_id = dict(fingerprints)
    scores = [
        Score(
            enterprise_id=result.enterprise_id,
            run=run,
            model=run.model,
            as_of=run.as_of,
            percentile=round(percentiles.get(result.enterprise_id, 0.0), 4),
            fingerprint=fp_by_id[result.enterprise_id],
            **score_fields(spec, result),
        )
        for result in results
    ]
    return scores, fingerprints


def run_execute(
    *, run: ScoringRun, progress: Progress | None = None, engine: str | None = None
) -> ScoringRun:
    """Score the whole park for `run` and write the scores; the run ends SUCCEEDED or FAILED.

    Scores become current when the run's model is the published one and no current score is
    more recent than the run's date (a re-run of a past date is kept, but does not replace
    today's grades).
    """
    report: Progress = progress or (lambda done, total, message: None)
    started = time.monotonic()
    ScoringRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING, started_at=timezone.now())
    try:
        model = ScoringModel.objects.get(pk=run.model_id)
        run.model = model
        spec = spec_cached(model.spec_yaml)
        report(5, PROGRESS_TOTAL, _("读取 %(date)s 的账本") % {"date": run.as_of.isoformat()})
        read_at = timezone.now()
        inputs = ledger_extract(as_of=run.as_of)
        report(30, PROGRESS_TOTAL, _("计算 %(n)d 家企业的评分") % {"n": len(inputs.enterprises)})
        results, engine = score_inputs(spec, inputs, engine=engine or default_engine())
        report(70, PROGRESS_TOTAL, _("写入评分结果"))
        percentiles = percentile_ranks({r.enterprise_id: r.score for r in results})
        scores, fingerprints = _build_scores(run, spec, inputs, results, percentiles)
        counts: dict[str, Any] = grade_counts(results, [b.grade for b in spec.bands_desc])
        with transaction.atomic():
            current = model.state == ModelState.PUBLISHED and not _later_current_exists(run.as_of)
            # Incremental rescores that committed after this run read the ledger are newer than
            # what the run computed for those enterprises: they stay current.
            fresher: set[int] = set()
            before = current_grades() if current else {}
            if current:
                fresher = set(
                    Score.objects.filter(is_current=True, created_at__gt=read_at).values_list(
                        "enterprise_id", flat=True
                    )
                )
                Score.objects.filter(is_current=True).exclude(enterprise_id__in=fresher).update(
                    is_current=False
                )
            for score in scores:
                score.is_current = current and score.enterprise_id not in fresher
            for start in range(0, len(scores), WRITE_BATCH):
                Score.objects.bulk_create(scores[start : start + WRITE_BATCH])
                done = 70 + int(29 * min(len(scores), start + WRITE_BATCH) / max(1, len(scores)))
                report(done, PROGRESS_TOTAL, _("写入评分结果"))
            grades_changed_on_commit(run=run, before=before, scores=scores)
            counts.update(
                {
                    "engine": engine,
                    "records": inputs.record_count,
                    "observations": inputs.observation_count,
                    "duration_s": round(time.monotonic() - started, 3),
                    "current": current,
                }
            )
            finished = timezone.now()
            ScoringRun.objects.filter(pk=run.pk).update(
                state=RunState.SUCCEEDED,
                finished_at=finished,
                enterprises=len(scores),
                counts=counts,
                fingerprint=run_fingerprint(fingerprints),
            )
            audit_log(
                actor=run.triggered_by,
                action="scoring.run_finished",
                obj=run,
                detail={
                    "as_of": run.as_of.isoformat(),
                    "model": model.pk,
                    "enterprises": len(scores),
                    **counts,
                },
            )
    except Exception as exc:
        ScoringRun.objects.filter(pk=run.pk).update(
            state=RunState.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    run.refresh_from_db()
    report(PROGRESS_TOTAL, PROGRESS_TOTAL, _("完成"))
    return run


def _percentiles_against_park(results: Sequence[Any], ids: Sequence[int]) -> dict[int, float]:
    """Mid-rank percentile of each new score among the park's other current scores and the new ones.

    The counts run over all current scores (an index-only scan of the partial score index);
    the rescored enterprises' own previous scores are then taken back out.
    """
    current = Score.objects.filter(is_current=True)
    replaced = list(current.filter(enterprise_id__in=ids).values_list("score", flat=True))
    new_scores = [r.score for r in results]
    out: dict[int, float] = {}
    if len(results) <= 3:
        for result in results:
            agg = current.aggregate(
                below=Count("score", filter=Q(score__lt=result.score)),
                equal=Count("score", filter=Q(score=result.score)),
                total=Count("score"),
            )
            below = agg["below"] - sum(1 for s in replaced if s < result.score)
            below += sum(1 for s in new_scores if s < result.score)
            equal = agg["equal"] - sum(1 for s in replaced if s == result.score)
            equal += sum(1 for s in new_scores if s == result.score)
            total = agg["total"] - len(replaced) + len(new_scores)
            out[result.enterprise_id] = 100.0 * (below + equal / 2) / total
        return out
    others = current.exclude(enterprise_id__in=ids).order_by().values_list("score", flat=True)
    # Negative keys for the other enterprises keep them apart from the rescored ids.
    park = {-1 - i: s for i, s in enumerate(others)}
    park.update({r.enterprise_id: r.score for r in results})
    ranks = percentile_ranks(park)
    return {r.enterprise_id: ranks[r.enterprise_id] for r in results}


def run_incremental(*, model: ScoringModel, enterprise_ids: Sequence[int]) -> ScoringRun | None:
    """Rescore `enterprise_ids` with `model` as of today (reference evaluator for a few, SQL for many)."""
    as_of = timezone.localdate()
    started = timezone.now()
    spec = spec_cached(model.spec_yaml)
    inputs = ledger_extract(as_of=as_of, enterprise_ids=enterprise_ids)
    if not inputs.enterprises:
        return None
    results, engine = score_inputs(spec, inputs)
    ids = [e.id for e in inputs.enterprises]
    percentiles = _percentiles_against_park(results, ids)
    counts = {**grade_counts(results, [b.grade for b in spec.bands_desc]), "engine": engine}
    with transaction.atomic():
        run = ScoringRun.objects.create(
            model=model,
            kind=RunKind.INCREMENTAL,
            as_of=as_of,
            state=RunState.SUCCEEDED,
            started_at=started,
            finished_at=timezone.now(),
            enterprises=len(results),
            counts=counts,
        )
        scores, fingerprints = _build_scores(run, spec, inputs, results, percentiles)
        before = current_grades(ids)
        Score.objects.filter(is_current=True, enterprise_id__in=ids).update(is_current=False)
        for score in scores:
            score.is_current = True
        Score.objects.bulk_create(scores)
        grades_changed_on_commit(run=run, before=before, scores=scores)
        run.fingerprint = run_fingerprint(fingerprints)
        ScoringRun.objects.filter(pk=run.pk).update(fingerprint=run.fingerprint)
        audit_log(
            actor=None,
            action="scoring.run_incremental",
            obj=run,
            detail={
                "enterprises": ids[:50],
                "grades": {str(s.enterprise_id): s.grade for s in scores[:50]},
                "as_of": as_of.isoformat(),
            },
        )
    return run
