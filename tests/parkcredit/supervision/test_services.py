"""Plans through their states: commitment, draw, findings, publication into the ledger, and tampering."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from creditcore.supervision import commitment_of
from parkcredit.audit.models import AuditEntry
from parkcredit.records.models import CreditRecord
from parkcredit.supervision import services
from parkcredit.supervision.models import (
    Draw,
    Inspection,
    InspectionState,
    Outcome,
    Plan,
    PlanState,
)
from parkcredit.supervision.selectors import draw_verify, published_inspections, yield_stats
from tests.parkcredit.supervision.support import SEED, drawn_plan, make_plan, tag

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def findings_for(inspection: Inspection, problem: bool) -> list[dict[str, Any]]:
    items = list(inspection.items.all())
    return [
        {
            "item": item.pk,
            "outcome": Outcome.PROBLEM if problem and n == 0 else Outcome.CLEAN,
            "details": "疏散通道堵塞" if problem and n == 0 else "",
            "severity": "general" if problem and n == 0 else "",
            "rectify_by": date(2026, 12, 20) if problem and n == 0 else None,
        }
        for n, item in enumerate(items)
    ]


def test_commit_publishes_a_commitment_over_the_frozen_inputs(park: Any, dept_staff: Any) -> None:
    plan = make_plan(dept_staff, park)
    draw = services.plan_commit(actor=dept_staff, plan=plan, as_of=date(2026, 11, 2), seed=SEED)
    plan.refresh_from_db()
    assert plan.state == PlanState.COMMITTED
    inputs = json.loads(draw.inputs_text)
    assert draw.commitment_dict == commitment_of(SEED, inputs)
    assert not draw.seed_revealed and draw.public_seed == ""
    assert {t["grade"] for t in inputs["targets"]} == {"A", "B", "C", "D"}
    assert AuditEntry.objects.filter(action="supervision.plan_committed").count() == 1
    with pytest.raises(ValidationError):
        services.plan_commit(actor=dept_staff, plan=plan)


def test_draw_reveals_the_seed_and_replays_identically(park: Any, dept_staff: Any) -> None:
    plan = drawn_plan(dept_staff, park)
    assert plan.state == PlanState.DRAWN
    assert plan.draw.seed_revealed and plan.draw.seed == SEED
    inspections = list(plan.inspections.prefetch_related("inspectors", "items"))
    assert inspections
    # D firms at 100%: every D-graded enterprise is visited, jointly by both departments.
    d_firms = {e.pk for e in park.enterprises[3::4]}
    assert d_firms <= {i.enterprise_id for i in inspections}
    for inspection in inspections:
        assert inspection.inspectors.count() >= 2
    assert draw_verify(plan) == []


def test_conflicted_inspector_is_never_assigned(park: Any, dept_staff: Any) -> None:
    target = park.enterprises[3]  # a D firm: always drawn
    services.conflict_add(actor=dept_staff, inspector=park.me, enterprise=target, kind="relative")
    plan = drawn_plan(dept_staff, park)
    inspection = plan.inspections.get(enterprise=target)
    assert park.me not in inspection.inspectors.all()


def test_exempt_tolerance_and_cap_are_honoured(park: Any, dept_staff: Any) -> None:
    unicorn, young, other = park.enterprises[3], park.enterprises[7], park.enterprises[11]
    tag(unicorn, "unicorn")
    tag(young, "new_economy")
    young.founded_on = date(2025, 6, 1)
    young.save()
    first = drawn_plan(dept_staff, park, yearly_cap=1)
    drawn = set(first.inspections.values_list("enterprise_id", flat=True))
    assert unicorn.pk not in drawn and young.pk not in drawn
    assert other.pk in drawn
    second = drawn_plan(dept_staff, park, code="t-2", yearly_cap=1)
    again = set(second.inspections.values_list("enterprise_id", flat=True))
    assert not (drawn & again), "an enterprise at its yearly cap was drawn again"
    excluded = {e["target"]: e["reason"] for e in json.loads(second.draw.result_text)["excluded"]}
    assert excluded[other.pk] == "cap"
    assert excluded[unicorn.pk] == "exempt" and excluded[young.pk] == "tolerance"


def test_findings_publish_into_the_ledger(park: Any, dept_staff: Any, inspector: Any) -> None:
    plan = drawn_plan(dept_staff, park)
    mine = list(plan.inspections.filter(inspectors=park.me).order_by("pk"))
    assert len(mine) >= 2
    bad, good = mine[0], mine[1]
    services.inspection_submit(
        actor=inspector, inspection=bad, inspected_on=date(2026, 11, 20), findings=findings_for(bad, True)
    )
    services.inspection_submit(
        actor=inspector, inspection=good, inspected_on=date(2026, 11, 20), findings=findings_for(good, False)
    )
    bad.refresh_from_db()
    # 20 working days after Friday 2026-11-20: 2026-12-18.
    assert bad.publish_due == date(2026, 12, 18)
    assert bad.state == InspectionState.SUBMITTED
    plan.refresh_from_db()
    assert plan.state == PlanState.IN_PROGRESS
    services.inspection_publish(actor=dept_staff, inspection=bad)
    services.inspection_publish(actor=dept_staff, inspection=good)
    negative = CreditRecord.objects.get(enterprise=bad.enterprise, source__code="park-supervision")
    assert negative.kind.polarity == "negative"
    assert negative.severity == "general"
    assert "疏散通道堵塞" in negative.payload.values()
    clean = CreditRecord.objects.get(enterprise=good.enterprise, source__code="park-supervision")
    assert clean.kind.code == "inspection-result" and clean.kind.polarity == "neutral"
    assert list(published_inspections(bad.enterprise)) == [bad]
    assert AuditEntry.objects.filter(action="supervision.result_published").count() == 2
    stats = yield_stats(dept_staff, since=date(2026, 1, 1))
    assert stats["total"] == 2


def test_plan_is_published_when_every_result_is(park: Any, dept_staff: Any) -> None:
    plan = drawn_plan(dept_staff, park, ratios={"A": 0, "B": 0, "C": 0, "D": 10}, control_share=0)
    inspection = plan.inspections.get()
    services.inspection_submit(
        actor=None,
        inspection=inspection,
        inspected_on=date(2026, 11, 20),
        findings=findings_for(inspection, False),
    )
    assert services.plan_publish(actor=dept_staff, plan=plan) == 1
    plan.refresh_from_db()
    assert plan.state == PlanState.PUBLISHED and plan.published_at is not None


def test_only_assigned_inspectors_submit_and_only_staff_publish(
    park: Any, dept_staff: Any, inspector: Any, ent_a_user: Any
) -> None:
    plan = drawn_plan(dept_staff, park)
    other = plan.inspections.exclude(inspectors=park.me)[0]
    assert other is not None
    with pytest.raises(PermissionDenied):
        services.inspection_submit(
            actor=inspector,
            inspection=other,
            inspected_on=date(2026, 11, 20),
            findings=findings_for(other, False),
        )
    with pytest.raises(PermissionDenied):
        services.plan_commit(actor=ent_a_user, plan=make_plan(dept_staff, park, code="t-9"))
    with pytest.raises(PermissionDenied):
        services.plan_publish(actor=inspector, plan=plan)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outcome": "problem", "details": ""}, "details"),
        ({"outcome": "problem", "details": "x", "severity": "general", "rectify_by": None}, "rectify_by"),
        (
            {"outcome": "problem", "details": "x", "severity": "huge", "rectify_by": date(2026, 12, 1)},
            "severity",
        ),
        ({"outcome": "maybe"}, "outcome"),
    ],
)
def test_bad_findings_name_the_field(
    park: Any, dept_staff: Any, inspector: Any, change: dict[str, Any], field: str
) -> None:
    plan = drawn_plan(dept_staff, park)
    inspection = plan.inspections.filter(inspectors=park.me)[0]
    rows = findings_for(inspection, False)
    rows[0].update(change)
    with pytest.raises(ValidationError) as error:
        services.inspection_submit(
            actor=inspector, inspection=inspection, inspected_on=date(2026, 11, 20), findings=rows
        )
    assert field in error.value.message_dict
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.ASSIGNED and not inspection.findings.exists()


def test_two_simultaneous_creations_of_one_plan_code_give_a_clear_refusal(
    park: Any, dept_staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_plan(dept_staff, park, code="race-1")
    original = QuerySet.exists

    def blind_to_plans(self: QuerySet[Any]) -> bool:
        # The second request ran its existence check before the first one committed.
        return False if self.model is Plan else original(self)

    monkeypatch.setattr(QuerySet, "exists", blind_to_plans)
    with pytest.raises(ValidationError) as error:
        make_plan(dept_staff, park, code="race-1")
    assert "race-1" in error.value.message_dict["code"][0]
    assert Plan.objects.filter(code="race-1").count() == 1


def test_plan_create_refuses_bad_ratios_and_periods(park: Any, dept_staff: Any) -> None:
    with pytest.raises(ValidationError) as error:
        make_plan(dept_staff, park, ratios={"A": 150, "B": 2, "C": 10, "D": 30})
    assert "ratio_a" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_plan(dept_staff, park, period_end=date(2026, 1, 1))
    assert "period_end" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_plan(dept_staff, park, control_share="abc")
    assert "control_share" in error.value.message_dict


def test_verify_names_tampering_with_inputs_and_inspections(park: Any, dept_staff: Any) -> None:
    plan = drawn_plan(dept_staff, park)
    inspection = plan.inspections.all()[0]
    inspection.inspectors.remove(inspection.inspectors.all()[0])
    found = {d.what for d in draw_verify(plan)}
    assert "inspection_inspectors" in found
    inputs = json.loads(plan.draw.inputs_text)
    inputs["targets"][0]["grade"] = "D" if inputs["targets"][0]["grade"] != "D" else "A"
    Draw.objects.filter(pk=plan.draw.pk).update(inputs_text=json.dumps(inputs, ensure_ascii=False))
    plan.refresh_from_db()
    assert "inputs" in {d.what for d in draw_verify(plan)}
    Draw.objects.filter(pk=plan.draw.pk).update(seed="cd" * 32)
    plan.refresh_from_db()
    assert "seed" in {d.what for d in draw_verify(plan)}


def test_rectification_is_tracked(park: Any, dept_staff: Any, inspector: Any) -> None:
    plan = drawn_plan(dept_staff, park)
    inspection = plan.inspections.filter(inspectors=park.me)[0]
    services.inspection_submit(
        actor=inspector,
        inspection=inspection,
        inspected_on=date(2026, 11, 20),
        findings=findings_for(inspection, True),
    )
    finding = inspection.findings.get(outcome=Outcome.PROBLEM)
    with pytest.raises(ValidationError):
        services.finding_rectified(actor=dept_staff, finding=finding, on=date(2026, 11, 19))
    services.finding_rectified(actor=dept_staff, finding=finding, on=date(2026, 11, 26))
    finding.refresh_from_db()
    assert finding.rectified_on == date(2026, 11, 26)
    # A second registration (double click, second clerk) is refused and keeps the first date.
    stale = inspection.findings.get(pk=finding.pk)
    stale.rectified_on = None
    with pytest.raises(ValidationError) as error:
        services.finding_rectified(actor=dept_staff, finding=stale, on=date(2026, 11, 27))
    assert "2026-11-26" in error.value.message_dict["finding"][0]
    finding.refresh_from_db()
    assert finding.rectified_on == date(2026, 11, 26)
    assert AuditEntry.objects.filter(action="supervision.rectified").count() == 1


def test_evidence_is_limited_in_number_and_checked_by_content(
    park: Any, dept_staff: Any, inspector: Any
) -> None:
    plan = drawn_plan(dept_staff, park)
    inspection = plan.inspections.filter(inspectors=park.me)[0]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    for files, expected in (
        ([(f"现场{n}.png", png) for n in range(11)], "最多上传 10 个文件,收到 11 个"),
        ([("说明.txt", b"plain text")], "文件「说明.txt」不是允许的格式"),
    ):
        with pytest.raises(ValidationError) as error:
            services.inspection_submit(
                actor=inspector,
                inspection=inspection,
                inspected_on=date(2026, 11, 20),
                findings=findings_for(inspection, False),
                files=files,
            )
        assert expected in error.value.message_dict["files"][0]
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.ASSIGNED and not inspection.evidence.exists()
