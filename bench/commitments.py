"""Benchmark: the commitment fulfilment check over a demo park with one commitment per enterprise.

    python bench/commitments.py [--quick] [--enterprises N] [--seed S] [--runs K]

Sets up a throw-away SQLite database in a temporary folder (migrated), loads a synthetic demo
park (creditcore.synth through `demo_park_load`: enterprises, ledger records with their events,
park observations including safety findings), and registers one commitment per enterprise through
`commitment_sign` (the seeded templates in turn, signed 0–360 days ago). No scoring model is
published, so the breach records do not start rescoring runs: the numbers are the check itself.

The last line is one JSON object with the keys
- ``verdicts_s``: `commitments_verdicts` (the set-based read: one query each for the candidate
  records, their events, the late findings and the confirmations, then the pure verdicts),
  median of `--runs`;
- ``baseline_s``: the same verdicts computed the naive way in the same run — per commitment, its
  own queries for records, each record's events, findings and confirmations;
- ``ratio``: baseline_s / verdicts_s (how many times faster the set-based read is);
- ``check_s``: one full `commitments_check` that applies the outcomes (breach records, notices,
  closings), with ``breached`` / ``fulfilled`` / ``in_force`` counts;
- ``sign_ms_median``: one `commitment_sign` call; ``commitments``, ``enterprises``.

Nothing asserts on time: the numbers are for people and docs/commitments.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FULL: dict[str, Any] = {"enterprises": 1000}
QUICK: dict[str, Any] = {"enterprises": 100}
SCENARIOS = ("registration", "approval", "construction", "policy")


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def setup_django(data_dir: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ["PARKCREDIT_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def sign_all(seed: int) -> list[float]:
    """One commitment per in-park enterprise, registered by a department staff member."""
    import random

    from django.utils import timezone

    from parkcredit.accounts.models import Organisation, Role, User
    from parkcredit.commitments.models import CommitmentTemplate
    from parkcredit.commitments.services import commitment_sign
    from parkcredit.enterprises.models import Enterprise

    staff = User.objects.create_user(
        username="bench_staff",
        password=None,
        role=Role.DEPT_STAFF,
        organisation=Organisation.objects.get(code="czjrb"),
    )
    templates = {code: CommitmentTemplate.objects.get(code=code, is_current=True) for code in SCENARIOS}
    rng = random.Random(seed)
    today = timezone.localdate()
    timings: list[float] = []
    for n, enterprise in enumerate(Enterprise.objects.filter(in_park=True).order_by("pk")):
        started = time.perf_counter()
        commitment_sign(
            actor=staff,
            enterprise=enterprise,
            template=templates[SCENARIOS[n % len(SCENARIOS)]],
            on=today - timedelta(days=rng.randrange(0, 361)),
        )
        timings.append(time.perf_counter() - started)
    return timings


def naive_verdicts(on: date) -> list[Any]:
    """The verdicts with per-commitment queries: the shape a straightforward loop would take."""
    from creditcore.commitments import ConditionType, FindingFact, RecordFact, evaluate, parse_conditions
    from parkcredit.commitments.checking import _text_of, record_stands
    from parkcredit.commitments.models import Commitment, CommitmentEvent, CommitmentStatus, EventKind
    from parkcredit.commitments.services import BILL_METRICS
    from parkcredit.records.models import CreditRecord, Observation, RecordEvent, RecordKind
    from parkcredit.records.selectors import events_fold

    catalogue = set(RecordKind.objects.values_list("code", flat=True))
    out = []
    pending = Commitment.objects.filter(status=CommitmentStatus.IN_FORCE, valid_from__lte=on)
    for commitment in pending.order_by("pk"):
        conditions = parse_conditions(commitment.conditions, kinds=catalogue, metrics=BILL_METRICS)
        kinds = {k for c in conditions if c.type is ConditionType.NO_RECORD for k in c.kinds}
        metrics = {c.metric for c in conditions if c.type is ConditionType.RECTIFY_ON_TIME}
        records = []
        for row in CreditRecord.objects.filter(
            enterprise_id=commitment.enterprise_id or 0, kind__code__in=kinds, decided_on__lte=on
        ).values(
            "id", "kind__code", "occurred_on", "decided_on", "severity", "summary", "authority", "payload"
        ):
            state = events_fold(RecordEvent.objects.filter(record_id=row["id"]).order_by("at", "id"))
            records.append(
                RecordFact(
                    row["id"],
                    row["kind__code"],
                    row["occurred_on"] or row["decided_on"],
                    row["severity"] or "",
                    _text_of(row),
                    record_stands(state),
                )
            )
        findings = [
            FindingFact(o.pk, o.metric, o.due_on, o.settled_on, float(o.value))
            for o in Observation.objects.filter(
                enterprise_id=commitment.enterprise_id or 0, metric__in=metrics, due_on__isnull=False
            )
            if o.due_on is not None
        ]
        delivered = {
            e.detail.get("condition"): e.on
            for e in CommitmentEvent.objects.filter(commitment=commitment, kind=EventKind.DELIVERED)
        }
        out.append(
            evaluate(
                conditions,
                start=commitment.valid_from,
                end=commitment.valid_until,
                on=on,
                records=records,
                findings=findings,
                deadlines={int(i): date.fromisoformat(d) for i, d in (commitment.deadlines or {}).items()},
                delivered=delivered,
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--enterprises", type=int)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    size = dict(QUICK if args.quick else FULL)
    if args.enterprises:
        size["enterprises"] = args.enterprises

    with tempfile.TemporaryDirectory(prefix="parkcredit-commitments-bench-") as data_dir:
        setup_django(data_dir)
        from django.utils import timezone

        from parkcredit.commitments.checking import commitments_check, commitments_verdicts
        from parkcredit.demo.services import demo_park_load

        started = time.perf_counter()
        demo_park_load(enterprises=size["enterprises"], seed=args.seed)
        emit({"step": "park", "seconds": round(time.perf_counter() - started, 2)})
        sign_timings = sign_all(args.seed)
        emit({"step": "signed", "commitments": len(sign_timings), "seconds": round(sum(sign_timings), 2)})
        today = timezone.localdate()

        fast, slow = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            verdicts = commitments_verdicts(on=today)
            fast.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            baseline = naive_verdicts(today)
            slow.append(time.perf_counter() - t0)
        same = [v.outcome for _c, v in verdicts] == [v.outcome for v in baseline]
        t0 = time.perf_counter()
        summary = commitments_check(on=today)
        check_s = time.perf_counter() - t0
        verdicts_s, baseline_s = statistics.median(fast), statistics.median(slow)
        emit(
            {
                "enterprises": size["enterprises"],
                "commitments": len(sign_timings),
                "verdicts_s": round(verdicts_s, 4),
                "baseline_s": round(baseline_s, 4),
                "ratio": round(baseline_s / verdicts_s, 1) if verdicts_s else None,
                "same_outcomes": same,
                "check_s": round(check_s, 3),
                "breached": summary["breached"],
                "fulfilled": summary["fulfilled"],
                "in_force": summary["in_force"],
                "sign_ms_median": round(statistics.median(sign_timings) * 1000, 2),
            }
        )


if __name__ == "__main__":
    main()
