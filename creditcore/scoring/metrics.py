"""Back-test and monitoring metrics: AUC, KS, PSI, bad rate and hit rate by grade.

Convention: a higher `risk` means a worse enterprise. With credit scores (higher = better) pass
`risk = -score`, or use the `*_of_scores` helpers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

PSI_EPSILON = 1e-4


def _pairs(risk: Sequence[float], bad: Sequence[bool]) -> tuple[list[float], list[bool]]:
    if len(risk) != len(bad):
        raise ValueError(f"风险值({len(risk)} 个)与结果({len(bad)} 个)数量不一致")
    return [float(r) for r in risk], [bool(b) for b in bad]


def auc(risk: Sequence[float], bad: Sequence[bool]) -> float:
    """Probability that a random bad case has a higher risk than a random good one (ties count half).

    Rank-based (Mann-Whitney U with mid-ranks). NaN when either class is empty.
    """
    values, labels = _pairs(risk, bad)
    n_bad = sum(labels)
    n_good = len(labels) - n_bad
    if n_bad == 0 or n_good == 0:
        return math.nan
    order = sorted(range(len(values)), key=lambda i: values[i])
    rank_sum_bad = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        mid_rank = (i + j) / 2 + 1  # ranks are 1-based
        rank_sum_bad += mid_rank * sum(1 for k in order[i : j + 1] if labels[k])
        i = j + 1
    u = rank_sum_bad - n_bad * (n_bad + 1) / 2
    return u / (n_bad * n_good)


def ks(risk: Sequence[float], bad: Sequence[bool]) -> float:
    """Largest gap between the cumulative distributions of bad and good cases over risk (0..1)."""
    values, labels = _pairs(risk, bad)
    n_bad = sum(labels)
    n_good = len(labels) - n_bad
    if n_bad == 0 or n_good == 0:
        return math.nan
    pairs = sorted(zip(values, labels, strict=True))
    best = cum_bad = cum_good = 0.0
    i = 0
    while i < len(pairs):
        value = pairs[i][0]
        while i < len(pairs) and pairs[i][0] == value:  # a tie group moves both curves at once
            if pairs[i][1]:
                cum_bad += 1
            else:
                cum_good += 1
            i += 1
        best = max(best, abs(cum_bad / n_bad - cum_good / n_good))
    return best


def psi(expected: Sequence[float], actual: Sequence[float], *, bins: Sequence[float] | int = 10) -> float:
    """Population stability index of `actual` against `expected`.

    `bins` is either a number of quantile bins of `expected` or the inner cut points. Values fall
    in bin i when cut[i-1] <= v < cut[i]. Empty bins get a share of 1e-4 so the log stays finite.
    """
    if not expected or not actual:
        raise ValueError("计算 PSI 需要两组非空数据")
    if isinstance(bins, int):
        ordered = sorted(expected)
        cuts = sorted({ordered[min(len(ordered) - 1, (len(ordered) * k) // bins)] for k in range(1, bins)})
    else:
        cuts = sorted(bins)
    exp_share = _shares(expected, cuts)
    act_share = _shares(actual, cuts)
    return sum((a - e) * math.log(a / e) for e, a in zip(exp_share, act_share, strict=True))


def _shares(values: Sequence[float], cuts: Sequence[float]) -> list[float]:
    import bisect

    counts = [0] * (len(cuts) + 1)
    for value in values:
        counts[bisect.bisect_right(cuts, value)] += 1
    return [max(c / len(values), PSI_EPSILON) for c in counts]


def psi_of_grades(expected: Iterable[str], actual: Iterable[str]) -> float:
    """PSI over grade shares (each grade is a bin)."""
    exp_list, act_list = list(expected), list(actual)
    if not exp_list or not act_list:
        raise ValueError("计算 PSI 需要两组非空数据")
    grades = sorted(set(exp_list) | set(act_list))
    total = 0.0
    for grade in grades:
        e = max(exp_list.count(grade) / len(exp_list), PSI_EPSILON)
        a = max(act_list.count(grade) / len(act_list), PSI_EPSILON)
        total += (a - e) * math.log(a / e)
    return total


def bad_rate(bad: Sequence[bool]) -> float:
    """Share of bad outcomes (NaN for an empty group)."""
    return sum(1 for b in bad if b) / len(bad) if bad else math.nan


def hit_rate_by_grade(
    grades: Sequence[str], bad: Sequence[bool], *, order: Sequence[str] = ("A", "B", "C", "D")
) -> dict[str, dict[str, float]]:
    """Per grade: n, bad count and bad rate (the hit rate of that grade as a warning)."""
    if len(grades) != len(bad):
        raise ValueError(f"等级({len(grades)} 个)与结果({len(bad)} 个)数量不一致")
    out: dict[str, dict[str, float]] = {}
    for grade in order:
        group = [b for g, b in zip(grades, bad, strict=True) if g == grade]
        out[grade] = {"n": len(group), "bad": sum(1 for b in group if b), "bad_rate": bad_rate(group)}
    return out


def auc_of_scores(scores: Sequence[float], bad: Sequence[bool]) -> float:
    """AUC of a credit score where higher means better."""
    return auc([-s for s in scores], bad)


def ks_of_scores(scores: Sequence[float], bad: Sequence[bool]) -> float:
    return ks([-s for s in scores], bad)
