"""Signing: who may commit for whom, the frozen text and its SM3 digest, templates as versioned data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from parkcredit.audit.models import AuditEntry
from parkcredit.commitments.models import CommitmentEvent, CommitmentStatus, CommitmentTemplate, EventKind
from parkcredit.commitments.services import (
    add_months,
    commitment_prepare,
    commitment_sign,
    template_create,
    template_revise,
)
from parkcredit.common.crypto import sm3_hex
from tests import factories as f

pytestmark = pytest.mark.django_db


def current(code: str) -> CommitmentTemplate:
    return CommitmentTemplate.objects.get(code=code, is_current=True)


def test_seeded_templates_cover_every_scenario() -> None:
    scenarios = set(CommitmentTemplate.objects.filter(is_current=True).values_list("scenario", flat=True))
    assert scenarios == {"registration", "approval", "construction", "policy", "repair", "government"}


def test_an_enterprise_user_signs_for_its_own_enterprise(ent_a_user: Any, ent_a: Any) -> None:
    commitment = commitment_sign(
        actor=ent_a_user,
        enterprise=ent_a,
        template=current("construction"),
        scope="二期厂房扩建项目",
        on=date(2026, 3, 2),
    )
    assert commitment.number == f"CN2026{commitment.pk:07d}"
    assert commitment.status == CommitmentStatus.IN_FORCE
    assert commitment.valid_from == date(2026, 3, 2) and commitment.valid_until == date(2028, 3, 1)
    assert commitment.party_name == ent_a.name and commitment.signer == ent_a_user
    assert (
        ent_a.name in commitment.text
        and ent_a.uscc in commitment.text
        and "二期厂房扩建项目" in commitment.text
    )
    assert "承诺期内不发生涉及安全生产、消防、特种设备领域的行政处罚" in commitment.text
    assert commitment.digest == sm3_hex(commitment.text.encode("utf-8"))
    assert len(commitment.digest) == 64
    event = CommitmentEvent.objects.get(commitment=commitment)
    assert event.kind == EventKind.SIGNED and event.detail["digest"] == commitment.digest
    audit = AuditEntry.objects.get(action="commitment.signed")
    assert audit.detail["digest"] == commitment.digest and audit.actor_id == ent_a_user.pk


def test_the_same_draft_gives_the_same_text_and_digest(ent_a_user: Any, ent_a: Any) -> None:
    template = current("policy")
    first = commitment_prepare(actor=ent_a_user, template=template, enterprise=ent_a, scope="研发费用补助")
    second = commitment_prepare(actor=ent_a_user, template=template, enterprise=ent_a, scope="研发费用补助")
    assert first.rendered == second.rendered
    other = commitment_prepare(actor=ent_a_user, template=template, enterprise=ent_a, scope="技改补助")
    assert other.rendered.digest != first.rendered.digest


def test_a_changed_text_is_not_signed(ent_a_user: Any, ent_a: Any, dept_staff: Any) -> None:
    template = current("policy")
    draft = commitment_prepare(actor=ent_a_user, template=template, enterprise=ent_a)
    revised = template_revise(
        actor=dept_staff,
        template=template,
        data={**_data(template), "body": template.body + "\n(新增条款)本单位承诺配合事后核查。"},
    )
    with pytest.raises(ValidationError) as caught:
        commitment_sign(
            actor=ent_a_user, enterprise=ent_a, template=template, expected_digest=draft.rendered.digest
        )
    assert "已修订" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        commitment_sign(
            actor=ent_a_user, enterprise=ent_a, template=revised, expected_digest=draft.rendered.digest
        )
    assert "承诺书内容已变化" in str(caught.value)
    assert not ent_a.commitments.exists()


@pytest.mark.parametrize("who", ["ent_b_user", "bank_user", "inspector", "auditor"])
def test_nobody_else_signs_for_an_enterprise(who: str, request: pytest.FixtureRequest, ent_a: Any) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        commitment_sign(actor=actor, enterprise=ent_a, template=current("registration"))


def test_staff_register_a_paper_commitment_signed_at_the_window(dept_staff: Any, ent_a: Any) -> None:
    commitment = commitment_sign(actor=dept_staff, enterprise=ent_a, template=current("registration"))
    event = commitment.events.get()
    assert event.detail["channel"] == "counter" and "窗口" in event.note


def test_a_department_signs_a_government_commitment(park_admin: Any, ent_a_user: Any, inspector: Any) -> None:
    commitment = commitment_sign(
        actor=park_admin, template=current("government-policy"), scope="2026 年度惠企政策兑现"
    )
    assert commitment.organisation == park_admin.organisation and commitment.enterprise is None
    assert commitment.party_name == "经济发展部"
    assert commitment.is_public and commitment.is_government
    deadline = date.fromisoformat(commitment.deadlines["0"])
    assert deadline > commitment.valid_from
    assert f"{deadline:%Y年%m月%d日}前完成:完成已受理惠企政策资金的审核和拨付" in commitment.text
    for actor in (ent_a_user, inspector):
        with pytest.raises(PermissionDenied):
            commitment_sign(actor=actor, template=current("government-policy"))


def test_the_repair_scenario_narrows_to_the_repaired_record(ent_a_user: Any, ent_a: Any) -> None:
    record = f.make_record(ent_a, payload={"违法行为类型": "消防违法"})
    commitment = commitment_sign(
        actor=ent_a_user, enterprise=ent_a, scenario="repair", record=record, reference="XF-2026-001"
    )
    assert (
        commitment.scenario == "repair"
        and commitment.record == record
        and commitment.reference == "XF-2026-001"
    )
    assert commitment.conditions[0]["areas"] == ["消防违法"]
    assert "涉及消防违法领域的行政处罚" in commitment.text
    listed = f.make_record(ent_a, kind_code="abnormal-operation", amount=None, payload={})
    relisting = commitment_sign(actor=ent_a_user, enterprise=ent_a, scenario="repair", record=listed)
    assert (
        relisting.conditions[0]["kinds"] == ["abnormal-operation"] and "areas" not in relisting.conditions[0]
    )
    assert "承诺期内不发生经营异常名录" in relisting.text
    other = f.make_record(f.make_enterprise())
    with pytest.raises(ValidationError):
        commitment_sign(actor=ent_a_user, enterprise=ent_a, scenario="repair", record=other)


def test_a_scenario_with_two_templates_needs_the_template(park_admin: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        commitment_sign(actor=park_admin, scenario="government")
    assert "请指定要签署的模板" in str(caught.value)


def test_a_future_signing_date_is_refused(ent_a_user: Any, ent_a: Any) -> None:
    with pytest.raises(ValidationError):
        commitment_sign(actor=ent_a_user, enterprise=ent_a, template=current("policy"), on=date(2099, 1, 1))


def _data(template: CommitmentTemplate) -> dict[str, Any]:
    return {
        "scenario": template.scenario,
        "title": template.title,
        "body": template.body,
        "conditions": template.conditions,
        "period_months": template.period_months,
        "breach_severity": template.breach_severity,
        "public_default": template.public_default,
    }


def test_a_revision_is_a_new_version_and_old_commitments_keep_their_text(
    dept_staff: Any, ent_a_user: Any, ent_a: Any
) -> None:
    template = current("registration")
    signed = commitment_sign(actor=ent_a_user, enterprise=ent_a, template=template)
    revised = template_revise(
        actor=dept_staff, template=template, data={**_data(template), "period_months": 24, "note": "延长"}
    )
    assert revised.version == template.version + 1 and revised.is_current
    template.refresh_from_db()
    assert not template.is_current
    signed.refresh_from_db()
    assert signed.template == template and "承诺期限为12个月" in signed.text
    assert AuditEntry.objects.filter(action="commitment_template.revised").exists()
    with pytest.raises(ValidationError):
        template_revise(actor=dept_staff, template=template, data=_data(template))  # not current any more


def test_template_conditions_are_validated_with_chinese_messages(park_admin: Any) -> None:
    data = {
        "code": "env",
        "scenario": "construction",
        "title": "环保承诺",
        "body": "{主体名称}承诺:{履约条件}",
        "conditions": [{"type": "no_record", "kinds": ["no-such-kind"]}],
        "period_months": 12,
    }
    with pytest.raises(ValidationError) as caught:
        template_create(actor=park_admin, data=data)
    assert "记录类型「no-such-kind」不在信息资源目录中" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        template_create(actor=park_admin, data={**data, "conditions": [], "body": "{企业地址}"})
    assert "占位符「{企业地址}」无效" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        template_create(actor=park_admin, data={**data, "conditions": [], "period_months": 0})
    assert "承诺期限「0」" in str(caught.value)
    created = template_create(
        actor=park_admin,
        data={**data, "conditions": [{"type": "no_record", "kinds": ["penalty"], "areas": ["环境"]}]},
    )
    assert created.version == 1 and created.is_current


def test_two_simultaneous_new_templates_with_one_code_give_a_clear_refusal(
    park_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = {
        "code": "race",
        "scenario": "policy",
        "title": "政策承诺",
        "body": "{主体名称}承诺",
        "period_months": 12,
    }
    template_create(actor=park_admin, data=data)
    original = QuerySet.exists

    def blind_to_templates(self: QuerySet[Any]) -> bool:
        # The second request ran its existence check before the first one committed.
        return False if self.model is CommitmentTemplate else original(self)

    monkeypatch.setattr(QuerySet, "exists", blind_to_templates)
    with pytest.raises(ValidationError) as caught:
        template_create(actor=park_admin, data=data)
    assert "模板编码「race」已存在" in str(caught.value)
    assert CommitmentTemplate.objects.filter(code="race").count() == 1


def test_only_staff_maintain_templates(ent_a_user: Any, inspector: Any) -> None:
    for actor in (ent_a_user, inspector):
        with pytest.raises(PermissionDenied):
            template_create(actor=actor, data={})


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 15), -3) == date(2025, 12, 15)
