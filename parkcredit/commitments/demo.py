"""Demo data of the commitments app: signed commitments of the demo enterprise and of a few park
enterprises (registered at the service window), two government integrity commitments, and a
construction commitment followed by a safety penalty — then the fulfilment check runs, so the
demo shows a breach turned into a negative record, a kept commitment and commitments in force.

Everything is chosen in primary-key order and dated relative to today, so the result is the same
on every run over the same demo park. Idempotent: with commitments present, it only reports.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.repair import add_months
from parkcredit.accounts.models import Role, User
from parkcredit.commitments.checking import commitments_check, record_stands
from parkcredit.commitments.models import Commitment, CommitmentTemplate, Scenario
from parkcredit.commitments.services import (
    commitment_confirm_delivery,
    commitment_sign,
)
from parkcredit.enterprises.models import Enterprise
from parkcredit.records.models import CreditRecord
from parkcredit.records.selectors import record_state

# Window-registered commitments of ordinary park enterprises, by scenario, one every 12 days.
COUNTER_SCENARIOS = ("registration", "approval", "construction", "policy")
COUNTER_COMMITMENTS = 16
SAFETY_AREAS = ("安全生产", "消防", "特种设备")


def _template(code: str) -> CommitmentTemplate:
    return CommitmentTemplate.objects.get(code=code, is_current=True)


def _user(username: str, role: str) -> User | None:
    return (
        User.objects.filter(username=username, is_active=True).first()
        or User.objects.filter(role=role, is_active=True).order_by("pk").first()
    )


def _safety_penalty(today: date) -> CreditRecord | None:
    """The earliest safety or fire penalty of the last ten months (the breach story)."""
    since = add_months(today, -10)
    candidates = (
        CreditRecord.objects.filter(kind__code="penalty", decided_on__gte=since, enterprise__in_park=True)
        .select_related("enterprise")
        .order_by("decided_on", "pk")
    )
    for record in candidates:
        text = " ".join(str(v) for v in (record.payload or {}).values()) + record.summary
        if any(area in text for area in SAFETY_AREAS) and record_stands(record_state(record)):
            return record
    return None


def _deliver_on_time(staff: User, commitment: Commitment, today: date) -> None:
    """Staff confirm the promised items (materials supplied) a few days before their deadlines."""
    for index, deadline in sorted((commitment.deadlines or {}).items()):
        day = max(commitment.valid_from, min(date.fromisoformat(deadline), today) - timedelta(days=2))
        commitment_confirm_delivery(
            actor=staff, commitment=commitment, condition=int(index), on=day, note=_("材料已补齐,核查通过")
        )


def demo_load() -> str:
    """Sign the demo commitments, confirm one government promise, then run the check."""
    # Repair applications (an earlier demo step) sign repair commitments of their own; only the
    # other scenarios tell whether this step has run before.
    existing = Commitment.objects.exclude(scenario=Scenario.REPAIR)
    if existing.exists():
        return _("信用承诺:已有 %(n)d 份承诺,未重复生成。") % {"n": existing.count()}
    staff = _user("staff", Role.DEPT_STAFF)
    admin = _user("parkadmin", Role.PARK_ADMIN)
    ent_user = _user("enterprise", Role.ENTERPRISE)
    if staff is None or admin is None:
        return _("信用承诺:没有园区工作人员账号,未生成演示承诺。")
    today = timezone.localdate()
    signed: list[Commitment] = []

    if ent_user is not None and ent_user.enterprise_id is not None:
        own: Any = Enterprise.objects.get(pk=ent_user.enterprise_id)
        signed.append(
            commitment_sign(
                actor=ent_user,
                enterprise=own,
                template=_template("registration"),
                scope=_("年度报告及登记事项"),
                on=today - timedelta(days=45),
            )
        )
        signed.append(
            commitment_sign(
                actor=ent_user,
                enterprise=own,
                template=_template("policy"),
                scope=_("研发费用加计扣除配套奖励"),
                on=today - timedelta(days=20),
            )
        )

    story = _safety_penalty(today)
    excluded = {story.enterprise_id} if story else set()
    if ent_user is not None and ent_user.enterprise_id is not None:
        excluded.add(ent_user.enterprise_id)
    others = list(
        Enterprise.objects.filter(in_park=True).exclude(pk__in=excluded).order_by("pk")[:COUNTER_COMMITMENTS]
    )
    for n, enterprise in enumerate(others):
        scenario = COUNTER_SCENARIOS[n % len(COUNTER_SCENARIOS)]
        commitment = commitment_sign(
            actor=staff,
            enterprise=enterprise,
            template=_template(scenario),
            on=today - timedelta(days=12 * (n + 1)),
            # Every fourth enterprise keeps its commitment off the public list.
            is_public=n % 4 != 3,
        )
        _deliver_on_time(staff, commitment, today)
        signed.append(commitment)
    # One policy commitment signed thirteen months ago: the check finds it kept (unless broken).
    if others:
        signed.append(
            commitment_sign(
                actor=staff,
                enterprise=others[0],
                template=_template("policy"),
                scope=_("上年度技术改造补助"),
                on=add_months(today, -13),
            )
        )

    if story is not None:
        happened = story.occurred_on or story.decided_on
        signed.append(
            commitment_sign(
                actor=staff,
                enterprise=story.enterprise,
                template=_template("construction"),
                scope=_("厂房改扩建项目"),
                on=happened - timedelta(days=30),
            )
        )

    policy = commitment_sign(
        actor=admin,
        template=_template("government-policy"),
        scope=_("%(year)s年度惠企政策兑现") % {"year": today.year},
        on=today - timedelta(days=60),
    )
    deadline = date.fromisoformat(policy.deadlines["0"])
    commitment_confirm_delivery(
        actor=staff,
        commitment=policy,
        condition=0,
        on=min(deadline, today) - timedelta(days=3),
        note=_("第一批政策资金已拨付到位"),
    )
    contract = commitment_sign(
        actor=staff, template=_template("government-contract"), scope=_("园区道路及管网工程合同"), on=today
    )
    signed.extend([policy, contract])

    summary = commitments_check(on=today)
    return _(
        "信用承诺:签署 %(n)d 份(含政务诚信 2 份),核查认定违诺 %(breached)d 份、已履约 %(fulfilled)d 份。"
    ) % {"n": len(signed), "breached": summary["breached"], "fulfilled": summary["fulfilled"]}
