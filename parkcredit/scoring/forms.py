"""The what-if form: a draft's indicator weights (max points) and grade band thresholds.

Changing an indicator's max points scales its whole points map by the same factor, so its shape
is kept; the base score takes up the rest so that base + all max points is still 1000. The
lowest band always starts at 0; every other band's lower bound is a field, and each band ends
one point below the next better one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from creditcore.scoring.spec import (
    SCORE_MAX,
    SCORE_MIN,
    Band,
    CappedLinear,
    Dimension,
    Indicator,
    ModelSpec,
    Piecewise,
    PointsMap,
    SpecError,
    dump_spec,
    load_spec,
)

POINTS_DIGITS = 4


def indicator_field(code: str) -> str:
    return f"ind__{code}"


def band_field(grade: str) -> str:
    return f"band__{grade}"


def _scaled(points: PointsMap, factor: float) -> PointsMap:
    if isinstance(points, Piecewise):
        return Piecewise(
            breaks=tuple((bound, round(value * factor, POINTS_DIGITS)) for bound, value in points.breaks)
        )
    return CappedLinear(
        intercept=round(points.intercept * factor, POINTS_DIGITS),
        slope=round(points.slope * factor, POINTS_DIGITS + 4),
        min_points=round(points.min_points * factor, POINTS_DIGITS),
        max_points=round(points.max_points * factor, POINTS_DIGITS),
    )


def reweighted(indicator: Indicator, max_points: int) -> Indicator:
    """The indicator with `max_points` as its weight and its points map scaled to match."""
    if max_points == indicator.max_points:
        return indicator
    factor = max_points / indicator.max_points if indicator.max_points else 0.0
    missing = indicator.missing
    if missing.rule == "points":
        missing = dataclasses.replace(missing, points=round(missing.points * factor, POINTS_DIGITS))
    return dataclasses.replace(
        indicator, max_points=max_points, points=_scaled(indicator.points, factor), missing=missing
    )


class WhatIfForm(forms.Form):
    """One integer per indicator (满分) and per band lower bound, built from the draft's spec."""

    def __init__(self, data: Any = None, *, spec: ModelSpec) -> None:
        super().__init__(data)
        self.spec = spec
        self.dimension_fields: list[tuple[Dimension, list[forms.BoundField]]] = []
        for dimension in spec.dimensions:
            names = []
            for indicator in dimension.indicators:
                name = indicator_field(indicator.code)
                self.fields[name] = forms.IntegerField(
                    label=indicator.name,
                    initial=indicator.max_points,
                    min_value=0,
                    max_value=SCORE_MAX,
                    help_text=indicator.code,
                )
                names.append(name)
            self.dimension_fields.append((dimension, [self[name] for name in names]))
        self.band_names: list[str] = []
        # The worst band starts at 0 and has no field.
        for band in spec.bands_desc[:-1]:
            name = band_field(band.grade)
            self.fields[name] = forms.IntegerField(
                label=_("%(grade)s 级下限") % {"grade": band.grade},
                initial=band.min_score,
                min_value=SCORE_MIN + 1,
                max_value=SCORE_MAX,
            )
            self.band_names.append(name)
        self._edited: ModelSpec | None = None

    @property
    def band_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.band_names]

    def _bands(self, data: dict[str, Any]) -> tuple[Band, ...] | None:
        ordered = self.spec.bands_desc
        lows = [data[band_field(band.grade)] for band in ordered[:-1]] + [SCORE_MIN]
        for better, worse, low, next_low in zip(ordered, ordered[1:], lows, lows[1:], strict=False):
            if next_low >= low:
                # The worst band starts at 0 and every field is at least 1, so `worse` has a field.
                self.add_error(
                    band_field(worse.grade),
                    _("%(worse)s 级下限 %(low)s 必须低于 %(better)s 级下限 %(high)s")
                    % {"worse": worse.grade, "low": next_low, "better": better.grade, "high": low},
                )
                return None
        bands = []
        high = SCORE_MAX
        for band, low in zip(ordered, lows, strict=True):
            bands.append(dataclasses.replace(band, min_score=low, max_score=high))
            high = low - 1
        return tuple(bands)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        dimensions = tuple(
            dataclasses.replace(
                dimension,
                indicators=tuple(
                    reweighted(indicator, data[indicator_field(indicator.code)])
                    for indicator in dimension.indicators
                ),
            )
            for dimension in self.spec.dimensions
        )
        total = sum(indicator.max_points for dimension in dimensions for indicator in dimension.indicators)
        if total > SCORE_MAX:
            raise forms.ValidationError(
                _("各指标满分合计 %(total)s 超过 %(max)s 分,请调低部分指标的满分"),
                params={"total": total, "max": SCORE_MAX},
            )
        bands = self._bands(data)
        if bands is None:
            return data
        edited = dataclasses.replace(
            self.spec, dimensions=dimensions, bands=bands, base_score=SCORE_MAX - total
        )
        try:
            # Round-trip through YAML so the edited spec passes the same checks as a saved one.
            self._edited = load_spec(dump_spec(edited))
        except SpecError as error:
            for problem in error.problems:
                self.add_error(None, str(problem))
        return data

    def edited_spec(self) -> ModelSpec:
        """The spec with the submitted weights and bands; only after `is_valid()`."""
        if self._edited is None:
            raise ValueError("edited_spec() needs a valid form")
        return self._edited
