"""Reads of the scoring app: current scores, histories, park distributions, models and runs.

Everything about an enterprise starts from `Enterprise.objects.visible_to(actor)`; model
versions and runs are park business and visible to park roles only. Missing and forbidden
both raise Http404.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.http import Http404
from django.utils import timezone

from parkcredit.accounts.models import PARK_ROLES
from parkcredit.common.stamp import Part, StampSql
from parkcredit.enterprises.models import Enterprise
from parkcredit.scoring.models import ModelState, RunKind, RunState, Score, ScoringModel, ScoringRun

GRADES = ("A", "B", "C", "D")


def _is_park(actor: Any) -> bool:
    return (
        getattr(actor, "is_authenticated", False)
        and getattr(actor, "is_active", False)
        and getattr(actor, "role", None) in PARK_ROLES
    )


def _enterprise_for_actor(actor: Any, enterprise: Enterprise | int) -> Enterprise:
    pk = enterprise.pk if isinstance(enterprise, Enterprise) else enterprise
    found = Enterprise.objects.visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise Http404("企业不存在或无权查看")
    return found


def score_current_for_actor(actor: Any, enterprise: Enterprise | int) -> Score | None:
    """The enterprise's current score (None before its first run); Http404 if not visible."""
    ent = _enterprise_for_actor(actor, enterprise)
    return Score.objects.filter(enterprise=ent, is_current=True).select_related("model", "run").first()


def score_history(actor: Any, enterprise: Enterprise | int, *, limit: int = 60) -> list[Score]:
    """One score per as-of date (the latest written for that date), oldest first.

    The newest `limit` dates, however many times a date was rescored (an enterprise's day can see
    dozens of incremental rescores): the database picks the last score of each date, two queries.
    """
    ent = _enterprise_for_actor(actor, enterprise)
    latest = (
        Score.objects.filter(enterprise=ent, run__state=RunState.SUCCEEDED)
        .values("as_of")
        .annotate(last=Max("id"))
        .order_by("-as_of")[:limit]
    )
    ids = [row["last"] for row in latest]
    return list(Score.objects.filter(id__in=ids).select_related("model").order_by("as_of"))


def _full_runs() -> QuerySet[ScoringRun]:
    return ScoringRun.objects.filter(kind=RunKind.FULL, state=RunState.SUCCEEDED)


def grade_distribution(actor: Any, as_of: date | None = None) -> dict[str, int]:
    """Grade counts over the enterprises the actor sees.

    Without `as_of`: the current scores. With it: the latest full run on or before that date.
    """
    visible = Enterprise.objects.visible_to(actor)
    if as_of is None:
        scores = Score.objects.filter(is_current=True, enterprise__in=visible)
    else:
        run = _full_runs().filter(as_of__lte=as_of).order_by("-as_of", "-created_at").first()
        if run is None:
            return dict.fromkeys(GRADES, 0)
        scores = Score.objects.filter(run=run, enterprise__in=visible)
    counts = dict.fromkeys(GRADES, 0)
    for row in scores.values("grade").annotate(n=Count("id")):
        counts[row["grade"]] = row["n"]
    return counts


def grade_trend(actor: Any, *, limit: int = 12) -> list[dict[str, Any]]:
    """Grade counts of the last `limit` full runs (one per as-of date), oldest first."""
    runs: dict[date, ScoringRun] = {}
    for run in _full_runs().order_by("-as_of", "-created_at")[: limit * 4]:
        runs.setdefault(run.as_of, run)
        if len(runs) >= limit:
            break
    if not runs:
        return []
    visible = Enterprise.objects.visible_to(actor)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GRADES, 0))
    rows = (
        Score.objects.filter(run__in=[r.pk for r in runs.values()], enterprise__in=visible)
        .values("run_id", "grade")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["run_id"]][row["grade"]] = row["n"]
    return [
        {"as_of": as_of, "run": run.pk, "grades": dict(counts[run.pk])} for as_of, run in sorted(runs.items())
    ]


def movers(actor: Any, limit: int = 10) -> list[dict[str, Any]]:
    """The biggest grade changes between the last two full runs, then the biggest score changes."""
    last_two = list(_full_runs().order_by("-as_of", "-created_at")[:2])
    if len(last_two) < 2:
        return []
    after_run, before_run = last_two
    visible = Enterprise.objects.visible_to(actor)
    # Only the grade and score are compared: the indicator JSON of a whole park stays in the database.
    before = {
        s.enterprise_id: s
        for s in Score.objects.filter(run=before_run, enterprise__in=visible).only(
            "enterprise_id", "grade", "score", "colour"
        )
    }
    order = {g: i for i, g in enumerate(GRADES)}
    moved: list[dict[str, Any]] = []
    after = (
        Score.objects.filter(run=after_run, enterprise__in=visible)
        .select_related("enterprise")
        .only("enterprise_id", "grade", "score", "colour", "enterprise__name", "enterprise__uscc")
    )
    for score in after:
        old = before.get(score.enterprise_id)
        if old is None or (old.grade == score.grade and old.score == score.score):
            continue
        moved.append(
            {
                "enterprise": score.enterprise,
                "before": old,
                "after": score,
                # Positive: the grade got better (e.g. C -> B is +1).
                "grade_change": order.get(old.grade, 0) - order.get(score.grade, 0),
                "score_change": score.score - old.score,
            }
        )
    moved.sort(key=lambda m: (-abs(m["grade_change"]), -abs(m["score_change"]), m["enterprise"].pk))
    return moved[:limit]


def model_list(actor: Any) -> QuerySet[ScoringModel]:
    """Every model version, newest first; park roles only."""
    if not _is_park(actor):
        return ScoringModel.objects.none()
    return ScoringModel.objects.select_related("created_by", "approved_by", "published_by", "base").order_by(
        "code", "-version"
    )


def model_get_for_actor(actor: Any, pk: int) -> ScoringModel:
    model = model_list(actor).filter(pk=pk).first()
    if model is None:
        raise Http404("评价模型不存在或无权查看")
    return model


def run_list(actor: Any) -> QuerySet[ScoringRun]:
    """Scoring runs, newest first; park roles only."""
    if not _is_park(actor):
        return ScoringRun.objects.none()
    return ScoringRun.objects.select_related("model", "job", "triggered_by").order_by("-created_at", "-id")


def run_get_for_actor(actor: Any, pk: int) -> ScoringRun:
    run = run_list(actor).filter(pk=pk).first()
    if run is None:
        raise Http404("评分批次不存在或无权查看")
    return run


def model_what_if(actor: Any, *, spec_yaml: str, as_of: date | None = None) -> dict[str, Any]:
    """The simulation of an unsaved spec against the published model (nothing is written).

    Raises `ValidationError` with the spec's problems, like `model_create_draft`.
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    from creditcore.scoring.spec import SpecError
    from parkcredit.scoring.scorer import spec_cached
    from parkcredit.scoring.services import can_edit_models, model_published
    from parkcredit.scoring.simulation import simulation_compute

    if not can_edit_models(actor):
        raise PermissionDenied("只有园区管理员或部门工作人员可以试算评价模型")
    try:
        spec_cached(spec_yaml)  # the same memoised validation the simulation uses next
    except SpecError as exc:
        raise ValidationError({"spec_yaml": [str(p) for p in exc.problems]}) from None
    baseline = model_published()
    return simulation_compute(
        spec_yaml=spec_yaml,
        baseline_yaml=baseline.spec_yaml if baseline else None,
        as_of=as_of or timezone.localdate(),
    )


# --- stamp parts of cached public pages (see parkcredit.common.stamp) -----------------------------


def current_score_stamp(sql: StampSql, enterprise: str) -> Part:
    """The current score of `enterprise` (an SQL expression of its id) as public pages show it:
    id, grade, colour and as-of date. One current score at most (a constraint); every run that
    changes it (full or incremental rescore, rerun) writes a new row and moves `is_current`."""
    table = sql.table(Score)

    def field(name: str) -> str:
        return f"sco_s.{sql.column(Score, name)}"

    current = sql.literal(True)
    return sql.row(
        f"{table} sco_s WHERE {field('enterprise')} = {enterprise} AND {field('is_current')} = {current}",
        [
            sql.text("sco_s.id"),
            sql.string(field("grade")),
            sql.string(field("colour")),
            sql.text(field("as_of")),
        ],
    )


def published_model_stamp(sql: StampSql) -> Part:
    """Park-wide: the id of the published model version, whose grade bands give the grade labels
    public pages show. At most one version is published (a constraint), and a version is never
    edited once it leaves the draft state (a change is a new version)."""
    table, state = sql.table(ScoringModel), sql.column(ScoringModel, "state")
    published = sql.literal(ModelState.PUBLISHED.value)
    return Part(f"(SELECT MAX(sco_m.id) FROM {table} sco_m WHERE sco_m.{state} = {published})")  # noqa: S608
