"""Compile a model spec into one set-based SQL query that scores a whole park as of a date.

The query is built as a SQLGlot expression tree (never by pasting spec text into SQL: indicator
codes become quoted identifiers, kinds and metrics string literals) and rendered for DuckDB or
PostgreSQL. It reads the four ledger tables described in `creditcore.scoring.frames` and returns
one row per row of ``ledger_enterprises``:

    enterprise_id, "<code>__value", "<code>__points" (per indicator, in spec order),
    "veto__<code>", "cap__<code>" (booleans), total, score, grade, colour

Every aggregate implements the definition in the docstring of `creditcore.scoring.spec`; the
reference evaluator implements the same text and property tests hold the two together.

Shape: one grouped scan of the seen records (conditional aggregates for every record indicator,
veto and cap), one grouped scan of the observations, one of the tags, a ranked sub-query for each
"latest" indicator; all left-joined to the enterprises (so an enterprise with no rows still
scores through the missing-data rules), then points, total, bands and overrides. Float constants
are cast to DOUBLE: DuckDB otherwise computes with DECIMAL, several times slower.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache, reduce
from typing import Literal

from sqlglot import exp

from creditcore.catalogue import METRICS_BY_CODE
from creditcore.scoring.frames import ENTERPRISES, OBSERVATIONS, RECORDS, TAGS
from creditcore.scoring.spec import (
    SCORE_EPSILON,
    SCORE_MAX,
    SCORE_MIN,
    SEVERITY_RANK,
    CappedLinear,
    Indicator,
    ModelSpec,
)

Dialect = Literal["duckdb", "postgres"]
DIALECTS: tuple[Dialect, ...] = ("duckdb", "postgres")
DAYS_PER_YEAR = 365.25
LN2 = math.log(2.0)


# ---- small expression helpers -------------------------------------------------------------


def and_(*conditions: exp.Expr) -> exp.Expr:
    return exp.and_(*conditions, copy=False)


def or_(*conditions: exp.Expr) -> exp.Expr:
    return exp.or_(*conditions, copy=False)


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.Column(this=ident(name), table=exp.to_identifier(table) if table else None)


def num(value: float) -> exp.Expr:
    """A DOUBLE constant (repr keeps every bit of the Python float)."""
    if math.isinf(value) or math.isnan(value):
        raise ValueError(f"常数 {value} 无法写入 SQL")
    return exp.cast(exp.Literal.number(repr(float(value))), exp.DataType.Type.DOUBLE)


def integer(value: int) -> exp.Expr:
    return exp.Literal.number(int(value))


def string(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def day(value: date) -> exp.Expr:
    return exp.cast(string(value.isoformat()), exp.DataType.Type.DATE)


def days_between(later: exp.Expr, earlier: exp.Expr) -> exp.Expr:
    """Whole days from `earlier` to `later` (date minus date is an integer on both engines)."""
    return exp.paren(exp.Sub(this=later, expression=earlier), copy=False)


def when(condition: exp.Expr, then: exp.Expr, otherwise: exp.Expr | None = None) -> exp.Case:
    case = exp.Case().when(condition, then)
    return case.else_(otherwise) if otherwise is not None else case


def in_window(column: exp.Expr, as_of: date, window_days: int) -> exp.Expr:
    """(as_of - window_days, as_of]."""
    return and_(
        exp.GT(this=column.copy(), expression=day(as_of - timedelta(days=window_days))),
        exp.LTE(this=column.copy(), expression=day(as_of)),
    )


def is_in(column: exp.Expr, values: Sequence[str]) -> exp.Expr:
    if len(values) == 1:
        return exp.EQ(this=column, expression=string(values[0]))
    return column.isin(*[string(v) for v in values])


def count_if(condition: exp.Expr) -> exp.Expr:
    return exp.func("sum", when(condition, integer(1), integer(0)))


def alias(expression: exp.Expr, name: str) -> exp.Expr:
    return exp.alias_(expression, ident(name))


def value_name(ind: Indicator) -> str:
    return f"{ind.code}__value"


def points_name(ind: Indicator) -> str:
    return f"{ind.code}__points"


# ---- per-source aggregates ----------------------------------------------------------------


def _record_filter(ind: Indicator, as_of: date, r: str) -> exp.Expr:
    parts = [is_in(col("kind", r), ind.kinds)]
    if ind.severities:
        parts.append(is_in(col("severity", r), ind.severities))
    if ind.polarity is not None:
        parts.append(exp.EQ(this=col("polarity", r), expression=string(ind.polarity)))
    parts.append(in_window(col("decided_on", r), as_of, ind.window_days))
    return and_(*parts)


def _severity_rank(column: exp.Expr) -> exp.Expr:
    case = exp.Case()
    for name, rank in SEVERITY_RANK.items():
        case = case.when(exp.EQ(this=column.copy(), expression=string(name)), integer(rank))
    return case.else_(integer(0))


def _decay(ind: Indicator, as_of: date, r: str) -> exp.Expr:
    # Same operation order as the reference: exp(-ln2 * age / half_life).
    assert ind.half_life_days is not None
    age = days_between(day(as_of), col("decided_on", r))
    return exp.func(
        "exp", exp.Div(this=exp.Mul(this=num(-LN2), expression=age), expression=integer(ind.half_life_days))
    )


def _amount(r: str) -> exp.Expr:
    return exp.func("coalesce", exp.cast(col("amount", r), exp.DataType.Type.DOUBLE), num(0.0))


def record_aggregate(ind: Indicator, as_of: date, r: str) -> exp.Expr:
    """The grouped aggregate of a records indicator (never NULL: 'records' values are not missing)."""
    keep = _record_filter(ind, as_of, r)
    agg = ind.aggregate
    if agg == "count":
        inner: exp.Expr = count_if(keep)
    elif agg == "sum_amount":
        inner = exp.func("sum", when(keep, _amount(r), num(0.0)))
    elif agg == "max_severity":
        inner = exp.func("max", when(keep, _severity_rank(col("severity", r)), integer(0)))
    elif agg == "decayed_count":
        inner = exp.func("sum", when(keep, _decay(ind, as_of, r), num(0.0)))
    elif agg == "decayed_sum":
        inner = exp.func(
            "sum", when(keep, exp.Mul(this=_amount(r), expression=_decay(ind, as_of, r)), num(0.0))
        )
    else:  # pragma: no cover - latest_mapped is compiled as its own ranked sub-query
        raise ValueError(f"未知的聚合方式 {agg}")
    return exp.cast(inner, exp.DataType.Type.DOUBLE)


def obs_date(metric: str, o: str) -> exp.Column:
    return col("due_on" if METRICS_BY_CODE[metric].is_bill else "period", o)


def _obs_keep(metric: str, as_of: date, window_days: int, o: str) -> exp.Expr:
    return and_(
        exp.EQ(this=col("metric", o), expression=string(metric)),
        in_window(obs_date(metric, o), as_of, window_days),
    )


def _beyond(as_of: date, o: str) -> exp.Expr:
    settled, due = col("settled_on", o), col("due_on", o)
    paid = and_(
        exp.Not(this=exp.Is(this=settled.copy(), expression=exp.Null())),
        exp.LTE(this=settled.copy(), expression=day(as_of)),
    )
    return when(
        paid,
        exp.Greatest(this=integer(0), expressions=[days_between(settled.copy(), due.copy())]),
        exp.Greatest(this=integer(0), expressions=[days_between(day(as_of), due.copy())]),
    )


def _mean_if(condition: exp.Expr, value: exp.Expr) -> exp.Expr:
    return exp.func("avg", when(condition, exp.cast(value, exp.DataType.Type.DOUBLE)))


def observation_parts(ind: Indicator, as_of: date, o: str) -> dict[str, exp.Expr]:
    """Grouped pieces of an observations indicator, by suffix; `observation_value` combines them."""
    keep = _obs_keep(ind.metric, as_of, ind.window_days, o)
    value = col("value", o)
    n = {"n": count_if(keep)}
    agg = ind.aggregate
    if agg == "sum":
        return n | {"a": exp.func("sum", when(keep, exp.cast(value, exp.DataType.Type.DOUBLE)))}
    if agg == "mean":
        return n | {"a": _mean_if(keep, value)}
    if agg == "share":
        return n | {"a": count_if(and_(keep, exp.LTE(this=value.copy(), expression=num(ind.threshold))))}
    if agg == "days_beyond_terms":
        return n | {"a": _mean_if(keep, _beyond(as_of, o))}
    if agg == "max_days_beyond":
        return n | {"a": exp.func("max", when(keep, _beyond(as_of, o)))}
    if agg == "late_share":
        late = exp.GT(this=_beyond(as_of, o), expression=num(ind.threshold))
        return n | {"a": count_if(and_(keep, late))}
    if agg == "trend":
        assert ind.recent_days is not None
        recent = exp.GT(this=obs_date(ind.metric, o), expression=day(as_of - timedelta(days=ind.recent_days)))
        return {
            "a": _mean_if(and_(keep, recent), value),
            "b": _mean_if(and_(keep.copy(), exp.Not(this=exp.paren(recent.copy()))), value.copy()),
        }
    if agg == "ratio":
        den = _obs_keep(ind.denominator_metric, as_of, ind.window_days, o)
        return {"a": _mean_if(keep, value), "b": _mean_if(den, value.copy())}
    raise ValueError(f"未知的聚合方式 {agg}")  # pragma: no cover - latest is its own sub-query


def observation_value(ind: Indicator, parts: dict[str, exp.Expr]) -> exp.Expr:
    """The indicator value from its grouped pieces (NULL = missing)."""
    agg = ind.aggregate
    if agg in ("trend", "ratio"):
        a, b = parts["a"], parts["b"]
        ok = and_(
            exp.Not(this=exp.Is(this=a.copy(), expression=exp.Null())),
            exp.GT(this=b.copy(), expression=num(0.0)),
        )
        return when(ok, exp.Div(this=a, expression=b))
    present = exp.GT(this=parts["n"].copy(), expression=integer(0))
    if agg in ("share", "late_share"):
        return when(
            present,
            exp.Div(
                this=exp.cast(parts["a"], exp.DataType.Type.DOUBLE),
                expression=exp.cast(parts["n"], exp.DataType.Type.DOUBLE),
            ),
        )
    return when(present, exp.cast(parts["a"], exp.DataType.Type.DOUBLE))


def enterprise_value(ind: Indicator, as_of: date, e: str, tags: str) -> exp.Expr:
    agg = ind.aggregate
    if agg in ("age_years", "park_years"):
        column = col("founded_on" if agg == "age_years" else "park_entry_on", e)
        ok: exp.Expr = exp.LTE(this=column.copy(), expression=day(as_of))  # NULL dates fail this test
        if agg == "park_years":
            ok = and_(exp.EQ(this=col("in_park", e), expression=exp.true()), ok)
        years = exp.Div(
            this=exp.cast(days_between(day(as_of), column), exp.DataType.Type.DOUBLE),
            expression=num(DAYS_PER_YEAR),
        )
        return when(ok, years)
    if agg == "registered_capital":
        return exp.Div(
            this=exp.cast(col("registered_capital", e), exp.DataType.Type.DOUBLE), expression=num(10_000.0)
        )
    if agg == "has_tag":
        return exp.func("coalesce", col(f"{ind.code}__tag", tags), num(0.0))
    raise ValueError(f"未知的聚合方式 {agg}")  # pragma: no cover - schema rejects it


def tag_held(ind: Indicator, as_of: date, t: str) -> exp.Expr:
    held = and_(
        exp.EQ(this=col("tag", t), expression=string(ind.tag)),
        exp.LTE(this=col("since", t), expression=day(as_of)),
        exp.paren(
            or_(
                exp.Is(this=col("until", t), expression=exp.Null()),
                exp.LTE(this=day(as_of), expression=col("until", t)),
            )
        ),
    )
    return exp.func("max", when(held, num(1.0), num(0.0)))


# ---- latest value sub-queries -------------------------------------------------------------


def latest_subquery(ind: Indicator, as_of: date, *, enterprise_filter: exp.Expr | None) -> exp.Select:
    """enterprise_id, v: the value of the latest kept row (ranked with ROW_NUMBER on both engines)."""
    if ind.source == "records":
        table, keep = RECORDS, and_(_seen(as_of, "x"), _record_filter(ind, as_of, "x"))
        order = [
            exp.Ordered(this=col("decided_on", "x"), desc=True),
            exp.Ordered(this=col("record_id", "x"), desc=True),
        ]
        case = exp.Case()
        for key, mapped in ind.value_map:
            case = case.when(exp.EQ(this=col("result", "x"), expression=string(key)), num(mapped))
        value: exp.Expr = case if ind.value_map else exp.Null()
    else:
        table, keep = OBSERVATIONS, _obs_keep(ind.metric, as_of, ind.window_days, "x")
        order = [
            exp.Ordered(this=obs_date(ind.metric, "x"), desc=True),
            exp.Ordered(this=col("value", "x"), desc=True),
        ]
        value = exp.cast(col("value", "x"), exp.DataType.Type.DOUBLE)
    if enterprise_filter is not None:
        keep = and_(keep, enterprise_filter.copy().transform(_retable("x")))
    rank = exp.Window(
        this=exp.RowNumber(), partition_by=[col("enterprise_id", "x")], order=exp.Order(expressions=order)
    )
    ranked = (
        exp.select(col("enterprise_id", "x"), alias(value, "v"), alias(rank, "rn"))
        .from_(exp.to_table(table).as_("x"))
        .where(keep)
    )
    return (
        exp.select(col("enterprise_id", "y"), col("v", "y"))
        .from_(ranked.subquery("y"))
        .where(exp.EQ(this=col("rn", "y"), expression=integer(1)))
    )


def _retable(table: str):  # type: ignore[no-untyped-def]
    def visit(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            return col(node.name, table)
        return node

    return visit


def _seen(as_of: date, r: str) -> exp.Expr:
    """Records that exist and weigh on the grade as of the date (status resolved by the extract)."""
    return and_(
        exp.LTE(this=col("decided_on", r), expression=day(as_of)),
        exp.EQ(this=col("status_as_of", r), expression=string("active")),
        exp.EQ(this=col("disputed", r), expression=exp.false()),
    )


# ---- points, total, grade -----------------------------------------------------------------


def points_expression(ind: Indicator, value: exp.Expr) -> exp.Expr:
    """Points for a value; the missing-data rule when the value is NULL."""
    case = exp.Case().when(exp.Is(this=value.copy(), expression=exp.Null()), num(ind.missing_points()))
    points = ind.points
    if isinstance(points, CappedLinear):
        line = exp.Add(
            this=num(points.intercept), expression=exp.Mul(this=num(points.slope), expression=value.copy())
        )
        capped = exp.Least(
            this=num(points.max_points),
            expressions=[exp.Greatest(this=num(points.min_points), expressions=[line])],
        )
        return case.else_(capped)
    last = points.breaks[-1][1]
    for bound, pts in points.breaks:
        if bound is None:
            last = pts
            break
        case = case.when(exp.LT(this=value.copy(), expression=num(bound)), num(pts))
    return case.else_(num(last))


def _band_index(spec: ModelSpec, score: exp.Expr) -> exp.Expr:
    case = exp.Case()
    for i, band in enumerate(spec.bands_desc):
        case = case.when(
            and_(
                exp.GTE(this=score.copy(), expression=integer(band.min_score)),
                exp.LTE(this=score.copy(), expression=integer(band.max_score)),
            ),
            integer(i),
        )
    return case.else_(exp.Null())


def _by_index(spec: ModelSpec, index: exp.Expr, attribute: str) -> exp.Expr:
    case = exp.Case()
    for i, band in enumerate(spec.bands_desc):
        value = getattr(band, attribute)
        case = case.when(
            exp.EQ(this=index.copy(), expression=integer(i)),
            integer(value) if isinstance(value, int) else string(value),
        )
    return case


# ---- the query ----------------------------------------------------------------------------


def build_query(spec: ModelSpec, *, as_of: date, enterprise_ids: Sequence[int] | None = None) -> exp.Select:
    """The scoring query as a SQLGlot tree; `enterprise_ids` restricts it (incremental rescoring)."""
    indicators = spec.indicators
    only: exp.Expr | None = None
    if enterprise_ids is not None:
        only = (
            col("enterprise_id").isin(*[integer(i) for i in enterprise_ids])
            if enterprise_ids
            else exp.false()
        )

    def restrict(condition: exp.Expr, table: str) -> exp.Expr:
        return and_(condition, only.copy().transform(_retable(table))) if only is not None else condition

    ctes: list[tuple[str, exp.Select]] = []
    joins: list[str] = []

    # Records: one grouped scan for indicators, vetoes and caps.
    rec_inds = [i for i in indicators if i.source == "records" and i.aggregate != "latest_mapped"]
    if rec_inds or spec.vetoes or spec.caps:
        items: list[exp.Expr] = [col("enterprise_id", "r")]
        items += [alias(record_aggregate(i, as_of, "r"), value_name(i)) for i in rec_inds]
        for veto in spec.vetoes:
            cond = is_in(col("kind", "r"), veto.kinds)
            if veto.severity:
                cond = and_(cond, exp.EQ(this=col("severity", "r"), expression=string(veto.severity)))
            items.append(alias(count_if(cond), f"veto__{veto.code}"))
        for cap in spec.caps:
            cond = and_(
                is_in(col("kind", "r"), cap.kinds), in_window(col("decided_on", "r"), as_of, cap.window_days)
            )
            if cap.severities:
                cond = and_(cond, is_in(col("severity", "r"), cap.severities))
            items.append(alias(count_if(cond), f"cap__{cap.code}"))
        kinds = sorted(
            {k for i in rec_inds for k in i.kinds}
            | {k for v in spec.vetoes for k in v.kinds}
            | {k for c in spec.caps for k in c.kinds}
        )
        where = and_(_seen(as_of, "r"), is_in(col("kind", "r"), kinds)) if kinds else _seen(as_of, "r")
        ctes.append(
            (
                "rec",
                exp.select(*items)
                .from_(exp.to_table(RECORDS).as_("r"))
                .where(restrict(where, "r"))
                .group_by(col("enterprise_id", "r")),
            )
        )
        joins.append("rec")

    # Observations: one grouped scan over the metrics and the widest window in use.
    obs_inds = [i for i in indicators if i.source == "observations" and i.aggregate != "latest"]
    obs_parts = {i.code: observation_parts(i, as_of, "o") for i in obs_inds}
    if obs_inds:
        items = [col("enterprise_id", "o")]
        for ind in obs_inds:
            items += [alias(part, f"{ind.code}__{suffix}") for suffix, part in obs_parts[ind.code].items()]
        metrics = sorted(
            {i.metric for i in obs_inds} | {i.denominator_metric for i in obs_inds if i.denominator_metric}
        )
        where = is_in(col("metric", "o"), metrics)
        ctes.append(
            (
                "obs",
                exp.select(*items)
                .from_(exp.to_table(OBSERVATIONS).as_("o"))
                .where(restrict(where, "o"))
                .group_by(col("enterprise_id", "o")),
            )
        )
        joins.append("obs")

    tag_inds = [i for i in indicators if i.aggregate == "has_tag"]
    if tag_inds:
        items = [col("enterprise_id", "t")] + [
            alias(tag_held(i, as_of, "t"), f"{i.code}__tag") for i in tag_inds
        ]
        tags = sorted({i.tag for i in tag_inds})
        ctes.append(
            (
                "tags",
                exp.select(*items)
                .from_(exp.to_table(TAGS).as_("t"))
                .where(restrict(is_in(col("tag", "t"), tags), "t"))
                .group_by(col("enterprise_id", "t")),
            )
        )
        joins.append("tags")

    latest_alias: dict[str, str] = {}
    for n, ind in enumerate(i for i in indicators if i.aggregate in ("latest", "latest_mapped")):
        name = latest_alias[ind.code] = f"latest_{n}"
        ctes.append((name, latest_subquery(ind, as_of, enterprise_filter=only)))
        joins.append(name)

    # Values per enterprise.
    values: list[exp.Expr] = [col("enterprise_id", "e")]
    for ind in indicators:
        if ind.code in latest_alias:
            v: exp.Expr = col("v", latest_alias[ind.code])
        elif ind.source == "records":
            v = exp.func("coalesce", col(value_name(ind), "rec"), num(0.0))
        elif ind.source == "observations":
            parts: dict[str, exp.Expr] = {
                suffix: col(f"{ind.code}__{suffix}", "obs") for suffix in obs_parts[ind.code]
            }
            if "n" in parts:
                parts["n"] = exp.func("coalesce", parts["n"], integer(0))
            v = observation_value(ind, parts)
        else:
            v = enterprise_value(ind, as_of, "e", "tags")
        values.append(alias(v, value_name(ind)))
    for veto in spec.vetoes:
        values.append(
            alias(
                exp.GT(
                    this=exp.func("coalesce", col(f"veto__{veto.code}", "rec"), integer(0)),
                    expression=integer(0),
                ),
                f"veto__{veto.code}",
            )
        )
    for cap in spec.caps:
        values.append(
            alias(
                exp.GTE(
                    this=exp.func("coalesce", col(f"cap__{cap.code}", "rec"), integer(0)),
                    expression=integer(cap.min_count),
                ),
                f"cap__{cap.code}",
            )
        )
    vals = exp.select(*values).from_(exp.to_table(ENTERPRISES).as_("e"))
    for cte in joins:
        vals = vals.join(
            exp.to_table(cte),
            on=exp.EQ(this=col("enterprise_id", cte), expression=col("enterprise_id", "e")),
            join_type="left",
            copy=False,
        )
    if only is not None:
        vals = vals.where(only.copy().transform(_retable("e")), copy=False)
    ctes.append(("vals", vals))

    # Points and the total (summed left to right, as the reference's sum() does).
    pts_items: list[exp.Expr] = [exp.Star()]
    for ind in indicators:
        pts_items.append(alias(points_expression(ind, col(value_name(ind), "vals")), points_name(ind)))
    ctes.append(("pts", exp.select(*pts_items).from_("vals")))
    point_cols: list[exp.Expr] = [col(points_name(i), "pts") for i in indicators]
    summed: exp.Expr = (
        reduce(lambda a, b: exp.Add(this=a, expression=b), point_cols) if point_cols else num(0.0)
    )
    total = exp.Add(this=num(float(spec.base_score)), expression=exp.paren(summed))
    rounded = exp.func(
        "floor",
        exp.Add(
            this=exp.Add(this=exp.paren(total.copy()), expression=num(0.5)), expression=num(SCORE_EPSILON)
        ),
    )
    score0 = exp.cast(
        exp.Least(
            this=integer(SCORE_MAX),
            expressions=[exp.Greatest(this=integer(SCORE_MIN), expressions=[rounded])],
        ),
        exp.DataType.Type.INT,
    )
    ctes.append(("tot", exp.select(exp.Star(), alias(total, "total"), alias(score0, "score0")).from_("pts")))

    # Overrides: the grade is the worst of the score's band and every fired override's ceiling.
    worst = len(spec.bands_desc) - 1
    order = [b.grade for b in spec.bands_desc]
    band_idx = _band_index(spec, col("score0", "tot"))
    ceilings: list[exp.Expr] = [band_idx]
    for veto in spec.vetoes:
        ceilings.append(when(col(f"veto__{veto.code}", "tot"), integer(worst), integer(0)))
    for cap in spec.caps:
        ceilings.append(when(col(f"cap__{cap.code}", "tot"), integer(order.index(cap.max_grade)), integer(0)))
    final_idx = exp.Greatest(this=ceilings[0], expressions=ceilings[1:]) if len(ceilings) > 1 else ceilings[0]
    ctes.append(
        (
            "grd",
            exp.select(exp.Star(), alias(band_idx.copy(), "band_idx"), alias(final_idx, "grade_idx")).from_(
                "tot"
            ),
        )
    )

    g = "grd"
    lowered = exp.GT(this=col("grade_idx", g), expression=col("band_idx", g))
    score = when(
        lowered,
        exp.Least(this=col("score0", g), expressions=[_by_index(spec, col("grade_idx", g), "max_score")]),
        col("score0", g),
    )
    out: list[exp.Expr] = [col("enterprise_id", g)]
    for ind in indicators:
        out += [col(value_name(ind), g), col(points_name(ind), g)]
    out += [col(f"veto__{v.code}", g) for v in spec.vetoes]
    out += [col(f"cap__{c.code}", g) for c in spec.caps]
    out += [
        col("total", g),
        alias(exp.cast(score, exp.DataType.Type.INT), "score"),
        alias(_by_index(spec, col("grade_idx", g), "grade"), "grade"),
        alias(_by_index(spec, col("grade_idx", g), "colour"), "colour"),
    ]
    query = exp.select(*out).from_(g).order_by(col("enterprise_id", g))
    for cte_name, cte_query in ctes:
        query = query.with_(cte_name, as_=cte_query, copy=False)
    return query


@lru_cache(maxsize=64)
def compile_sql(
    spec: ModelSpec,
    *,
    as_of: date,
    dialect: Dialect = "duckdb",
    enterprise_ids: tuple[int, ...] | None = None,
    pretty: bool = True,
) -> str:
    """The scoring SQL of `spec` as of `as_of` for DuckDB or PostgreSQL (see the module docstring).

    Cached per arguments (specs are frozen): planning a park's rescore should not pay for
    rebuilding the tree; `enterprise_ids` is a tuple for that reason.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"不支持的 SQL 方言 dialect={dialect!r},应为 duckdb 或 postgres")
    return build_query(spec, as_of=as_of, enterprise_ids=enterprise_ids).sql(dialect=dialect, pretty=pretty)


def output_columns(spec: ModelSpec) -> list[str]:
    """Names of the result columns, in order."""
    names = ["enterprise_id"]
    for ind in spec.indicators:
        names += [value_name(ind), points_name(ind)]
    names += [f"veto__{v.code}" for v in spec.vetoes]
    names += [f"cap__{c.code}" for c in spec.caps]
    return [*names, "total", "score", "grade", "colour"]


def build_evidence_query(
    spec: ModelSpec, *, as_of: date, enterprise_ids: Sequence[int] | None = None
) -> exp.Select:
    """enterprise_id, record_id and one boolean per records indicator: which indicators kept the record.

    The reasons shown to people link to these records (evidence); a separate query so that a full
    rescore that stores only the top reasons does not pay for it.
    """
    rec_inds = [i for i in spec.indicators if i.source == "records"]
    items: list[exp.Expr] = [col("enterprise_id", "r"), col("record_id", "r")]
    items += [alias(_record_filter(i, as_of, "r"), f"{i.code}__kept") for i in rec_inds]
    where = _seen(as_of, "r")
    if rec_inds:
        where = and_(where, or_(*[exp.paren(_record_filter(i, as_of, "r")) for i in rec_inds]))
    else:
        where = and_(where, exp.false())
    if enterprise_ids is not None:
        ids = (
            col("enterprise_id", "r").isin(*[integer(i) for i in enterprise_ids])
            if enterprise_ids
            else exp.false()
        )
        where = and_(where, ids)
    return (
        exp.select(*items)
        .from_(exp.to_table(RECORDS).as_("r"))
        .where(where)
        .order_by(col("enterprise_id", "r"), col("record_id", "r"))
    )


@lru_cache(maxsize=64)
def compile_evidence_sql(
    spec: ModelSpec,
    *,
    as_of: date,
    dialect: Dialect = "duckdb",
    enterprise_ids: tuple[int, ...] | None = None,
) -> str:
    """The evidence query (see `build_evidence_query`) rendered for a dialect."""
    if dialect not in DIALECTS:
        raise ValueError(f"不支持的 SQL 方言 dialect={dialect!r},应为 duckdb 或 postgres")
    return build_evidence_query(spec, as_of=as_of, enterprise_ids=enterprise_ids).sql(dialect=dialect)
