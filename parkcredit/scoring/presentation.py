"""Shapes scoring selector results into what the pages show: tables, badges and chart specs.

Nothing here writes, and every read goes through `parkcredit.scoring.selectors` (or, for the
records behind a reason, `CreditRecord.objects.visible_to`). Chart specs follow the formats
that static/js/charts.js documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from creditcore.catalogue import KINDS_BY_CODE, METRICS_BY_CODE
from creditcore.scoring.explain import improvement_path as explain_improvement
from creditcore.scoring.spec import ModelSpec, SpecError, dump_spec, spec_diff
from parkcredit.records.models import CreditRecord
from parkcredit.scoring import selectors, services
from parkcredit.scoring.extract import ledger_extract
from parkcredit.scoring.models import ModelState, Score, ScoringModel
from parkcredit.scoring.scorer import spec_cached

GRADES = ("A", "B", "C", "D")
GRADE_COLOURS = {"A": "green", "B": "yellow", "C": "red", "D": "black"}
MAX_MOVERS = 10
TREND_RUNS = 12


# --- specs -------------------------------------------------------------------------------------


def spec_of(model: ScoringModel) -> ModelSpec:
    """The model's spec, parsed once per distinct text (specs are immutable once stored)."""
    return spec_cached(model.spec_yaml)


def _spec_or_none(model: ScoringModel | None) -> ModelSpec | None:
    if model is None:
        return None
    try:
        return spec_of(model)
    except SpecError:
        return None


def grade_colour(grade: str, spec: ModelSpec | None = None) -> str:
    if spec is not None:
        try:
            return spec.band_by_grade(grade).colour
        except KeyError:
            pass
    return GRADE_COLOURS.get(grade, "")


def gauge_chart(*, score: int, grade_label: str, spec: ModelSpec | None) -> dict[str, Any]:
    """An ECharts gauge 0-1000 whose ring is painted in the model's band colours."""
    bands = sorted(spec.bands, key=lambda b: b.max_score) if spec else []
    return {
        "type": "gauge",
        "name": _("信用分"),
        "label": grade_label,
        "value": score,
        "min": 0,
        "max": 1000,
        "bands": [{"to": band.max_score, "colour": band.colour} for band in bands],
    }


# --- the enterprise panel ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordLink:
    pk: int
    label: str


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    code: str
    name: str
    value: float | None
    points: float
    max_points: float
    missing: bool
    explanation: str = ""


@dataclass
class DimensionRow:
    code: str
    name: str
    indicators: list[IndicatorRow] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(row.points for row in self.indicators)

    @property
    def max_points(self) -> float:
        return sum(row.max_points for row in self.indicators)


@dataclass(frozen=True, slots=True)
class ReasonRow:
    name: str
    lost_points: float
    records: list[RecordLink]


@dataclass(frozen=True, slots=True)
class ImprovementRow:
    text: str
    effective_on: date | None
    gain: float | None
    grade_after: str
    records: list[RecordLink]


@dataclass
class ScorePanel:
    """What the enterprise page shows about the current score; `score` None = no score yet."""

    score: Score | None
    grade_label: str = ""
    colour: str = ""
    gauge: dict[str, Any] | None = None
    history: dict[str, Any] | None = None
    dimensions: list[DimensionRow] = field(default_factory=list)
    reasons: list[ReasonRow] = field(default_factory=list)
    improvements: list[ImprovementRow] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)


def _record_links(actor: Any, ids: Iterable[int]) -> dict[int, RecordLink]:
    """Links only to records the actor may open; the others are counted but not linked."""
    wanted = sorted({int(pk) for pk in ids})
    if not wanted:
        return {}
    rows = (
        CreditRecord.objects.visible_to(actor)
        .filter(pk__in=wanted)
        .select_related("kind")
        .only("pk", "decided_on", "kind__name")
    )
    return {
        record.pk: RecordLink(pk=record.pk, label=f"{record.kind.name} {record.decided_on:%Y-%m-%d}")
        for record in rows
    }


def _dimensions(score: Score, spec: ModelSpec | None) -> list[DimensionRow]:
    names = {dim.code: dim.name for dim in spec.dimensions} if spec else {}
    explanations = {ind.code: ind.explanation for ind in spec.indicators} if spec else {}
    order = list(names)
    by_code: dict[str, DimensionRow] = {}
    for item in score.indicators or []:
        code = str(item.get("dimension", ""))
        row = by_code.get(code)
        if row is None:
            row = by_code[code] = DimensionRow(code=code, name=names.get(code, code or _("其他")))
        row.indicators.append(
            IndicatorRow(
                code=str(item.get("code", "")),
                name=str(item.get("name") or item.get("code", "")),
                value=item.get("value"),
                points=float(item.get("points") or 0),
                max_points=float(item.get("max_points") or 0),
                missing=bool(item.get("missing")),
                explanation=explanations.get(str(item.get("code", "")), ""),
            )
        )
    return sorted(
        by_code.values(), key=lambda row: order.index(row.code) if row.code in order else len(order)
    )


def _history_chart(history: Sequence[Score]) -> dict[str, Any] | None:
    points = sorted(history, key=lambda s: (s.as_of, s.pk))
    if len(points) < 2:
        return None
    return {
        "type": "line",
        "categories": [s.as_of.isoformat() for s in points],
        "series": [{"name": _("信用分"), "data": [s.score for s in points]}],
    }


def _override_names(score: Score, spec: ModelSpec | None) -> list[str]:
    """The names of the vetoes and caps that fired (their codes if the spec no longer parses)."""
    names: dict[str, str] = {}
    if spec is not None:
        names |= {veto.code: veto.name for veto in spec.vetoes}
        names |= {cap.code: cap.name for cap in spec.caps}
    return [names.get(code, code) for code in (*(score.vetoes or []), *(score.caps or []))]


MAX_REPAIRS = 5
MAX_OBLIGATIONS = 5


IMPROVEMENT_CACHE_SECONDS = 600


@dataclass(frozen=True, slots=True)
class _Step:
    text: str
    effective_on: date | None
    gain: float | None
    grade_after: str
    record_ids: tuple[int, ...]


def improvement_path(*, score: Score, spec: ModelSpec | None) -> list[_Step]:
    """How the grade can rise (`creditcore.scoring.explain`), from the ledger as of the score's date.

    Repairs and unpaid bills act at once; the timeline says from which date records leave their
    windows. Texts are built here so they are translatable (creditcore stays free of Django).
    """
    if spec is None:
        return []
    # The path is a function of one score snapshot, but costs a ledger read and dozens of
    # re-scorings: compute it once per snapshot (briefly, as same-day events can still arrive).
    key = f"scoring:improvement:{score.pk}"
    path = cache.get(key)
    if path is None:
        inputs = ledger_extract(as_of=score.as_of, enterprise_ids=[score.enterprise_id])
        if not inputs.enterprises:
            return []  # left the park, or the score predates the enterprise's founding
        enterprise = inputs.enterprises[0]
        path = explain_improvement(
            spec,
            enterprise,
            inputs.records_of(enterprise.id),
            inputs.observations_of(enterprise.id),
            score.as_of,
        )
        cache.set(key, path, IMPROVEMENT_CACHE_SECONDS)
    steps: list[_Step] = []
    for repair in path.repairs[:MAX_REPAIRS]:
        steps.append(
            _Step(
                text=_("完成「%(kind)s」记录的信用修复后,可得 %(score)s 分(%(grade)s 级),提高 %(gain)s 分")
                % {
                    "kind": KINDS_BY_CODE[repair.kind].name if repair.kind in KINDS_BY_CODE else repair.kind,
                    "score": repair.score,
                    "grade": repair.grade,
                    "gain": repair.gain,
                },
                effective_on=None,
                gain=float(repair.gain),
                grade_after=repair.grade,
                record_ids=(repair.record_id,),
            )
        )
    for bill in path.obligations[:MAX_OBLIGATIONS]:
        metric = METRICS_BY_CODE.get(bill.metric)
        # Safety findings are rectified, not paid; bills are paid.
        template = (
            _("完成 %(period)s 安全检查发现问题的整改(已超期 %(days)s 天)")
            if bill.metric == "safety_findings"
            else _("缴清 %(period)s 的%(metric)s(已逾期 %(days)s 天)")
        )
        steps.append(
            _Step(
                text=template
                % {
                    "period": bill.period.strftime("%Y-%m"),
                    "metric": metric.name if metric else bill.metric,
                    "days": bill.days_overdue,
                },
                effective_on=None,
                gain=None,
                grade_after="",
                record_ids=(),
            )
        )
    for step in path.timeline:
        steps.append(
            _Step(
                text=_("不再新增失信记录并按期缴费,可升至 %(grade)s 级(%(score)s 分)")
                % {"grade": step.grade, "score": step.score},
                effective_on=step.on,
                gain=float(step.score - path.score),
                grade_after=step.grade,
                record_ids=step.leaving,
            )
        )
    return steps


def enterprise_score_panel(*, actor: Any, enterprise: Any) -> ScorePanel:
    """The score panel of an enterprise the actor may already see (the caller checked access)."""
    score = selectors.score_current_for_actor(actor, enterprise)
    if score is None:
        return ScorePanel(score=None)
    spec = _spec_or_none(score.model)
    history = list(selectors.score_history(actor, enterprise))
    evidence = [pk for reason in score.reasons or [] for pk in reason.get("evidence", [])]
    improvement_steps = improvement_path(score=score, spec=spec)
    evidence += [pk for step in improvement_steps for pk in step.record_ids]
    links = _record_links(actor, evidence)
    try:
        grade_label = spec.band_by_grade(score.grade).label if spec else ""
    except KeyError:
        grade_label = ""
    return ScorePanel(
        score=score,
        grade_label=grade_label or score.get_grade_display(),
        colour=score.colour or grade_colour(score.grade, spec),
        gauge=gauge_chart(score=score.score, grade_label=grade_label or score.grade, spec=spec),
        history=_history_chart(history),
        dimensions=_dimensions(score, spec),
        reasons=[
            ReasonRow(
                name=str(reason.get("name") or reason.get("code", "")),
                lost_points=float(reason.get("lost_points") or 0),
                records=[links[int(pk)] for pk in reason.get("evidence", []) if int(pk) in links],
            )
            for reason in score.reasons or []
        ],
        improvements=[
            ImprovementRow(
                text=step.text,
                effective_on=step.effective_on,
                gain=step.gain,
                grade_after=step.grade_after,
                records=[links[pk] for pk in step.record_ids if pk in links],
            )
            for step in improvement_steps
        ],
        overrides=_override_names(score, spec),
    )


# --- the park overview -------------------------------------------------------------------------


def grade_pie(counts: dict[str, int]) -> dict[str, Any]:
    return {
        "type": "pie",
        "name": _("等级分布"),
        "items": [
            {
                "name": _("%(grade)s 级") % {"grade": grade},
                "value": counts.get(grade, 0),
                "colour": GRADE_COLOURS[grade],
            }
            for grade in GRADES
            if counts.get(grade, 0)
        ],
    }


def grade_trend_chart(points: Sequence[tuple[str, dict[str, int]]]) -> dict[str, Any]:
    """Stacked bars: one bar per run (labelled by its as-of date), one stack part per grade."""
    return {
        "type": "bar",
        "categories": [label for label, _counts in points],
        "series": [
            {
                "name": _("%(grade)s 级") % {"grade": grade},
                "data": [counts.get(grade, 0) for _label, counts in points],
                "stack": "grade",
                "colour": GRADE_COLOURS[grade],
            }
            for grade in GRADES
        ],
    }


@dataclass(frozen=True, slots=True)
class MoverRow:
    enterprise_id: int
    name: str
    grade_before: str
    grade_after: str
    colour_before: str
    colour_after: str
    score_before: int
    score_after: int
    grade_change: int


def _mover_rows(movers: Iterable[dict[str, Any]]) -> list[MoverRow]:
    return [
        MoverRow(
            enterprise_id=m["enterprise"].pk,
            name=m["enterprise"].name,
            grade_before=m["before"].grade,
            grade_after=m["after"].grade,
            colour_before=m["before"].colour or GRADE_COLOURS.get(m["before"].grade, ""),
            colour_after=m["after"].colour or GRADE_COLOURS.get(m["after"].grade, ""),
            score_before=m["before"].score,
            score_after=m["after"].score,
            grade_change=m["grade_change"],
        )
        for m in movers
    ]


def overview_context(*, actor: Any) -> dict[str, Any]:
    counts = selectors.grade_distribution(actor)
    trend = selectors.grade_trend(actor, limit=TREND_RUNS)
    rows = _mover_rows(selectors.movers(actor, limit=MAX_MOVERS * 2))
    ups = [
        row
        for row in rows
        if row.grade_change > 0 or (row.grade_change == 0 and row.score_after > row.score_before)
    ]
    downs = [row for row in rows if row not in ups]
    total = sum(counts.values())
    return {
        "counts": [
            {
                "grade": g,
                "count": counts.get(g, 0),
                "colour": GRADE_COLOURS[g],
                "share": _share(counts.get(g, 0), total),
            }
            for g in GRADES
        ],
        "total": total,
        "pie": grade_pie(counts),
        "trend": grade_trend_chart([(p["as_of"].isoformat(), p["grades"]) for p in trend]) if trend else None,
        "movers_blocks": [
            (_("等级上升"), ups[:MAX_MOVERS], "up"),
            (_("等级下降"), downs[:MAX_MOVERS], "down"),
        ],
        "last_run": selectors.run_list(actor).first(),
        "published": services.model_published(),
    }


def _share(part: int, total: int) -> int:
    return round(100 * part / total) if total else 0


# --- model versions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatrixCell:
    count: int
    css: str


@dataclass(frozen=True, slots=True)
class MatrixRow:
    grade: str
    cells: list[MatrixCell]
    total: int


def _heat(count: int, total: int, diagonal: bool, upgrade: bool) -> str:
    """Tabler classes: the diagonal (unchanged) in blue, up moves green, down moves red;
    a solid colour once a move concerns at least a tenth of the row."""
    if not count:
        return "text-secondary"
    tone = "azure" if diagonal else "green" if upgrade else "red"
    strong = total and count * 10 >= total
    return f"bg-{tone} text-white" if strong and not diagonal else f"bg-{tone}-lt"


def migration_rows(matrix: dict[str, dict[str, int]]) -> list[MatrixRow]:
    """Rows: grade under the published model; columns: grade under the candidate."""
    rows = []
    for i, old in enumerate(GRADES):
        counts = [int((matrix.get(old) or {}).get(new, 0)) for new in GRADES]
        total = sum(counts)
        cells = [
            MatrixCell(count=n, css=_heat(n, total, diagonal=i == j, upgrade=j < i))
            for j, n in enumerate(counts)
        ]
        rows.append(MatrixRow(grade=old, cells=cells, total=total))
    return rows


def distribution_chart(simulation: dict[str, Any]) -> dict[str, Any] | None:
    """Bars of the score histograms of both models, one category per score bin."""
    bins = simulation.get("bins") or []
    parts = [
        (_("现行发布模型"), simulation.get("published")),
        (_("本版本"), simulation.get("draft")),
    ]
    series = [
        {"name": str(name), "data": list(summary["histogram"])}
        for name, summary in parts
        if isinstance(summary, dict) and summary.get("histogram")
    ]
    if not bins or not series:
        return None
    return {
        "type": "bar",
        "categories": [f"{low}-{high - 1}" for low, high in bins],
        "series": series,
        "labels": False,  # twenty bins of mostly zeros: value labels would only clutter
    }


def simulation_view(simulation: dict[str, Any]) -> dict[str, Any]:
    """What `scoring/_simulation.html` needs from a simulation dict."""
    matrix = simulation.get("matrix")
    chart = distribution_chart(simulation)
    return {
        "simulation": simulation,
        "matrix": migration_rows(matrix) if matrix else None,
        "grades": GRADES,
        "chart": chart,
        "chart_json": json.dumps(chart, ensure_ascii=False) if chart else "",
    }


@dataclass(frozen=True, slots=True)
class Actions:
    """Which governance buttons the actor sees for a model."""

    draft: bool
    simulate: bool
    whatif: bool
    approve: bool
    publish: bool


def model_actions(actor: Any, model: ScoringModel) -> Actions:
    editor = services.can_edit_models(actor)
    editable = model.state in {ModelState.DRAFT, ModelState.SIMULATED}
    return Actions(
        draft=editor and model.state == ModelState.PUBLISHED,
        simulate=editor and editable,
        whatif=editor and editable,
        approve=model.state == ModelState.SIMULATED and services.can_approve_model(actor, model),
        publish=model.state == ModelState.APPROVED and services.can_publish_models(actor),
    )


def action_buttons(actions: Actions) -> list[tuple[str, str, str]]:
    """(action, label, button classes) of the POST buttons the actor may press."""
    buttons = [
        ("draft", _("基于此版本创建草稿"), "btn-outline-primary", actions.draft),
        ("simulate", _("模拟"), "btn-outline-primary", actions.simulate),
        ("approve", _("审核通过"), "btn-success", actions.approve),
        ("publish", _("发布"), "btn-primary", actions.publish),
    ]
    return [(name, label, style) for name, label, style, shown in buttons if shown]


def model_detail_context(*, actor: Any, model: ScoringModel) -> dict[str, Any]:
    published = services.model_published()
    spec = _spec_or_none(model)
    diff: list[str] | None = None
    if published is not None and published.pk != model.pk and spec is not None:
        published_spec = _spec_or_none(published)
        diff = spec_diff(published_spec, spec) if published_spec is not None else None
    simulation = model.simulation or {}
    view = simulation_view(simulation)
    actions = model_actions(actor, model)
    return {
        "model": model,
        "spec": spec,
        "published": published,
        "diff": diff,
        "simulation": simulation,
        "matrix": view["matrix"],
        "grades": GRADES,
        "distribution_chart": view["chart"],
        "distribution_json": view["chart_json"],
        "actions": actions,
        "action_buttons": action_buttons(actions),
    }


def whatif_result(*, actor: Any, spec: ModelSpec) -> dict[str, Any]:
    """Score the park in memory with `spec` and compare it with the published model."""
    simulation = selectors.model_what_if(actor, spec_yaml=dump_spec(spec))
    return {**simulation_view(simulation), "base_score": spec.base_score}
