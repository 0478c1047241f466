"""Fixtures' building blocks for the scoring page tests: a tiny valid model spec and Score rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from parkcredit.enterprises.models import Enterprise
from parkcredit.scoring.models import ModelState, RunKind, RunState, Score, ScoringModel, ScoringRun

# Two dimensions, two indicators: 600 base + 300 (no penalties in three years) + 100 (age).
SPEC_YAML = """\
code: test_model
name: 测试评价模型
version: "1"
description: 页面测试用的小模型
base_score: 600
bands:
  - {grade: A, min_score: 800, max_score: 1000, colour: green, label: 守信}
  - {grade: B, min_score: 600, max_score: 799, colour: yellow, label: 基本守信}
  - {grade: C, min_score: 400, max_score: 599, colour: red, label: 失信风险}
  - {grade: D, min_score: 0, max_score: 399, colour: black, label: 严重失信}
vetoes:
  - {code: court_defaulter, name: 失信被执行人, kinds: [court-defaulter]}
dimensions:
  - code: compliance
    name: 公共信用合规
    indicators:
      - code: penalties
        name: 行政处罚次数
        source: records
        aggregate: count
        kinds: [penalty]
        window_days: 1095
        max_points: 300
        points: {piecewise: [[1, 300], [2, 150], [null, 0]]}
        missing: {rule: neutral}
        explanation: 近三年行政处罚越少得分越高
  - code: basic
    name: 基本情况
    indicators:
      - code: age
        name: 成立年限
        source: enterprise
        aggregate: age_years
        max_points: 100
        points: {linear: {intercept: 0, slope: 20, min: 0, max: 100}}
        missing: {rule: worst}
"""


def make_model(state: str = ModelState.PUBLISHED, version: int = 1, **fields: Any) -> ScoringModel:
    return ScoringModel.objects.create(
        code="test_model",
        version=version,
        name="测试评价模型",
        spec_yaml=fields.pop("spec_yaml", SPEC_YAML),
        state=state,
        **fields,
    )


def make_run(model: ScoringModel, as_of: date, **fields: Any) -> ScoringRun:
    defaults: dict[str, Any] = {"kind": RunKind.FULL, "state": RunState.SUCCEEDED, "enterprises": 1}
    defaults.update(fields)
    return ScoringRun.objects.create(model=model, as_of=as_of, **defaults)


def make_score(
    enterprise: Enterprise,
    run: ScoringRun,
    *,
    score: int = 712,
    grade: str = "B",
    colour: str = "yellow",
    evidence: tuple[int, ...] = (),
    current: bool = True,
) -> Score:
    if current:
        Score.objects.filter(enterprise=enterprise, is_current=True).update(is_current=False)
    return Score.objects.create(
        enterprise=enterprise,
        run=run,
        model=run.model,
        as_of=run.as_of,
        score=score,
        grade=grade,
        colour=colour,
        percentile=42.0,
        indicators=[
            {
                "code": "penalties",
                "name": "行政处罚次数",
                "dimension": "compliance",
                "value": float(len(evidence)),
                "points": 12.0,
                "max_points": 300,
                "missing": False,
                "evidence": list(evidence),
            },
            {
                "code": "age",
                "name": "成立年限",
                "dimension": "basic",
                "value": None,
                "points": 0.0,
                "max_points": 100,
                "missing": True,
                "evidence": [],
            },
        ],
        reasons=[
            {"code": "penalties", "name": "行政处罚次数", "lost_points": 288.0, "evidence": list(evidence)}
        ],
        data_depth=0.75,
        fingerprint="f" * 64,
        is_current=current,
    )
