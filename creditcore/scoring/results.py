"""Score results and the final assembly step shared by the reference evaluator and the engine.

Given each indicator's value and points plus which vetoes and caps fired, `assemble_result`
applies the rules of spec.py ("Score, grade and overrides"), so the SQL path and the oracle
cannot drift apart on rounding, overrides, data depth or reasons.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from creditcore.scoring.spec import MAX_REASONS, SCORE_EPSILON, SCORE_MAX, SCORE_MIN, ModelSpec


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    code: str
    value: float | None
    points: float
    max_points: int
    missing: bool
    evidence: tuple[int, ...] = ()

    @property
    def lost_points(self) -> float:
        return self.max_points - self.points


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    lost_points: float
    evidence: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ScoreResult:
    enterprise_id: int
    score: int
    grade: str
    colour: str
    indicators: tuple[IndicatorResult, ...]
    vetoes: tuple[str, ...]
    caps: tuple[str, ...]
    reasons: tuple[Reason, ...]
    data_depth: float

    def indicator(self, code: str) -> IndicatorResult:
        for item in self.indicators:
            if item.code == code:
                return item
        raise KeyError(code)


def round_score(total: float) -> int:
    """floor(total + 0.5 + 1e-9) clamped to 0..1000 (the SQL uses the same expression)."""
    return max(SCORE_MIN, min(SCORE_MAX, math.floor(total + 0.5 + SCORE_EPSILON)))


def top_reasons(indicators: Sequence[IndicatorResult]) -> tuple[Reason, ...]:
    lost = [item for item in indicators if item.lost_points > SCORE_EPSILON]
    lost.sort(key=lambda item: (-item.lost_points, item.code))
    return tuple(Reason(item.code, item.lost_points, item.evidence) for item in lost[:MAX_REASONS])


def assemble_result(
    spec: ModelSpec,
    enterprise_id: int,
    indicators: Sequence[IndicatorResult],
    vetoes: Sequence[str],
    caps: Sequence[str],
) -> ScoreResult:
    """Turn indicator points and fired overrides into score, grade, colour, depth and reasons.

    `vetoes` and `caps` are the codes that fired; they are reported in spec order.
    """
    fired_vetoes = tuple(v.code for v in spec.vetoes if v.code in set(vetoes))
    fired_caps = tuple(c.code for c in spec.caps if c.code in set(caps))
    score = round_score(spec.base_score + sum(item.points for item in indicators))
    band = spec.band_for(score)
    order = [b.grade for b in spec.bands_desc]
    ceiling = band
    if fired_vetoes:
        ceiling = spec.worst_band
    for cap in spec.caps:
        if cap.code in fired_caps:
            capped = spec.band_by_grade(cap.max_grade)
            if order.index(capped.grade) > order.index(ceiling.grade):
                ceiling = capped
    if order.index(ceiling.grade) > order.index(band.grade):
        band = ceiling
        score = min(score, ceiling.max_score)
    total_max = sum(item.max_points for item in indicators)
    present = sum(item.max_points for item in indicators if not item.missing)
    depth = present / total_max if total_max else 0.0
    return ScoreResult(
        enterprise_id=enterprise_id,
        score=score,
        grade=band.grade,
        colour=band.colour,
        indicators=tuple(indicators),
        vetoes=fired_vetoes,
        caps=fired_caps,
        reasons=top_reasons(indicators),
        data_depth=depth,
    )
