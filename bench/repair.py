"""Benchmark: publicity and repair windows (`creditcore.repair.explain`) for many records.

    python bench/repair.py [--quick] [--records N] [--seed S]

Synthetic records: every negative kind and severity of the catalogue, decision dates spread over
2023-05-01 .. 2026-11-30 (so about a third cross the 2026-04-01 switch and take the transition
path), a penalty type on one penalty in four, all handled on 2026-12-01.

``rate`` is windows per second with one rule book for the whole run (what the sweep and the list
pages do: the book caches resolved rules per set, kind, severity and penalty type).
``baseline_rate`` is the same windows with the rules resolved afresh for every record (a new
rule book each time), measured in the same run on the first `--baseline` records;
``ratio`` = rate / baseline_rate. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from creditcore.catalogue import RECORD_KINDS, Polarity
from creditcore.repair import RuleBook, builtin_rulebook, explain

HANDLED = date(2026, 12, 1)
PENALTY_TYPES = ("罚款", "警告", "罚款;没收违法所得", "违反安全生产法", "消防")


def make_cases(count: int, seed: int) -> list[tuple[str, str, date, str | None]]:
    rng = random.Random(seed)
    pairs = [(k.code, s.value) for k in RECORD_KINDS if k.polarity is Polarity.NEGATIVE for s in k.severities]
    start = date(2023, 5, 1)
    span = (date(2026, 11, 30) - start).days
    cases = []
    for _ in range(count):
        kind, severity = rng.choice(pairs)
        penalty_type = rng.choice(PENALTY_TYPES) if kind == "penalty" and rng.random() < 0.25 else None
        cases.append((kind, severity, start + timedelta(days=rng.randrange(span)), penalty_type))
    return cases


def run(cases: list[tuple[str, str, date, str | None]], *, fresh_book: bool) -> tuple[float, int]:
    book = builtin_rulebook()
    ended = 0
    started = time.perf_counter()
    for kind, severity, decided, penalty_type in cases:
        rules = RuleBook(book.sets) if fresh_book else book
        window = explain(kind, severity, decided, penalty_type=penalty_type, on=HANDLED, rules=rules)
        ended += window.ended()
    return time.perf_counter() - started, ended


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 records instead of 1,000,000")
    parser.add_argument("--records", type=int)
    parser.add_argument("--baseline", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    count = args.records or (100_000 if args.quick else 1_000_000)
    cases = make_cases(count, args.seed)
    seconds, ended = run(cases, fresh_book=False)
    sample = cases[: min(args.baseline, count)]
    baseline_seconds, _ = run(sample, fresh_book=True)
    rate = count / seconds
    baseline_rate = len(sample) / baseline_seconds
    print(
        json.dumps(
            {
                "records": count,
                "seconds": round(seconds, 3),
                "rate": round(rate),
                "ended_on_2026_12_01": ended,
                "baseline_records": len(sample),
                "baseline_rate": round(baseline_rate),
                "ratio": round(rate / baseline_rate, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
