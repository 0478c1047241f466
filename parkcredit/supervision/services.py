"""Writes of the supervision app: directory entries, plans through their states, findings, publication.

Every function validates its input with a Chinese message naming the field and value, writes in
one transaction and audits in that same transaction. Park staff (archive editors) run plans and
publish; an inspector records findings only for inspections they are assigned to.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.catalogue import KINDS_BY_CODE
from creditcore.supervision import DrawResult, canonical_json, commitment_of, draw
from creditcore.supervision.draw import InputError
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, Organisation, OrganisationKind, Role
from parkcredit.audit.services import audit_log
from parkcredit.enterprises.models import Enterprise, TagKind
from parkcredit.objections.files import checked_uploads
from parkcredit.records.models import DataSource, DataSourceKind
from parkcredit.records.services import record_register
from parkcredit.supervision.models import (
    ConflictKind,
    Draw,
    Evidence,
    Finding,
    Inspection,
    InspectionItem,
    InspectionMethod,
    InspectionState,
    Inspector,
    InspectorConflict,
    Outcome,
    Plan,
    PlanState,
    default_frequencies,
    default_ratios,
)
from parkcredit.supervision.population import freeze_inputs
from parkcredit.supervision.workdays import publish_due

SOURCE_CODE = "park-supervision"
CLEAN_KIND = "inspection-result"
GRADES = ("A", "B", "C", "D")


def _require_editor(actor: Any) -> None:
    if getattr(actor, "role", None) not in ARCHIVE_EDITOR_ROLES:
        raise PermissionDenied(_("只有园区管理员和部门工作人员可以管理抽查计划"))


def _department(code_or_org: Organisation | str, field: str) -> Organisation:
    if isinstance(code_or_org, Organisation):
        org = code_or_org
    else:
        found = Organisation.objects.filter(code=code_or_org).first()
        if found is None:
            raise ValidationError({field: _("部门「%(code)s」不存在") % {"code": code_or_org}})
        org = found
    if org.kind != OrganisationKind.PARK_DEPARTMENT:
        raise ValidationError({field: _("「%(name)s」不是园区部门") % {"name": org.name}})
    return org


def _percent_to_bp(value: Any, field: str, label: str) -> int:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("%(label)s「%(value)s」不是有效的百分比") % {"label": label, "value": value}}
        ) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise ValidationError(
            {field: _("%(label)s「%(value)s」应在 0 到 100 之间") % {"label": label, "value": value}}
        )
    bp = number * 100
    if bp != bp.to_integral_value():
        raise ValidationError(
            {field: _("%(label)s「%(value)s」最多保留两位小数") % {"label": label, "value": value}}
        )
    return int(bp)


# --- the directory ---------------------------------------------------------------------------


def item_create(
    *,
    actor: Any,
    code: str,
    name: str,
    basis: str,
    department: Organisation | str,
    method: str = InspectionMethod.ON_SITE,
    is_key: bool = False,
    ratios: dict[str, Any] | None = None,
    frequencies: dict[str, int] | None = None,
    problem_kind: str = "park-safety-hazard",
) -> InspectionItem:
    """Add an entry to the inspection item list; ratios are percent per grade."""
    if actor is not None:
        _require_editor(actor)
    org = _department(department, "department")
    if method not in InspectionMethod.values:
        raise ValidationError({"method": _("抽查方式「%(method)s」无效") % {"method": method}})
    spec = KINDS_BY_CODE.get(problem_kind)
    if spec is None or spec.polarity.value != "negative":
        raise ValidationError(
            {"problem_kind": _("「%(kind)s」不是负面信用记录类型") % {"kind": problem_kind}}
        )
    defaults = default_ratios()
    clean_ratios = {g: str((ratios or {}).get(g, defaults[g])) for g in GRADES}
    for grade, value in clean_ratios.items():
        _percent_to_bp(value, "ratios", _("%(grade)s 类抽查比例") % {"grade": grade})
    if InspectionItem.objects.filter(code=code).exists():
        raise ValidationError({"code": _("事项编码「%(code)s」已存在") % {"code": code}})
    with transaction.atomic():
        item = InspectionItem.objects.create(
            code=code,
            name=name.strip(),
            basis=basis.strip(),
            department=org,
            method=method,
            is_key=is_key,
            ratios=clean_ratios,
            frequencies=frequencies or default_frequencies(),
            problem_kind=problem_kind,
        )
        audit_log(actor=actor, action="supervision.item_created", obj=item, detail={"code": code})
    return item


def inspector_create(
    *,
    actor: Any,
    name: str,
    badge_no: str,
    department: Organisation | str,
    qualifications: Iterable[Organisation | str] = (),
    user: Any = None,
) -> Inspector:
    """Add a person to the inspector directory; a linked account must have the inspector role."""
    if actor is not None:
        _require_editor(actor)
    org = _department(department, "department")
    if not name.strip():
        raise ValidationError({"name": _("姓名必须填写")})
    if Inspector.objects.filter(badge_no=badge_no).exists():
        raise ValidationError({"badge_no": _("执法证号「%(badge_no)s」已登记") % {"badge_no": badge_no}})
    if user is not None and user.role != Role.INSPECTOR:
        raise ValidationError(
            {"user": _("账号「%(username)s」不是执法检查人员角色") % {"username": user.username}}
        )
    quals = [_department(q, "qualifications") for q in qualifications]
    with transaction.atomic():
        inspector = Inspector.objects.create(name=name.strip(), badge_no=badge_no, department=org, user=user)
        inspector.qualifications.set(quals)
        audit_log(
            actor=actor,
            action="supervision.inspector_created",
            obj=inspector,
            detail={"department": org.code, "qualifications": [q.code for q in quals]},
        )
    return inspector


def conflict_add(
    *,
    actor: Any,
    inspector: Inspector,
    enterprise: Enterprise,
    kind: str,
    note: str = "",
    until: date | None = None,
) -> InspectorConflict:
    """Record a conflict of interest: the inspector is never drawn for the enterprise while it lasts."""
    if actor is not None:
        _require_editor(actor)
    if kind not in ConflictKind.values:
        raise ValidationError({"kind": _("回避情形「%(kind)s」无效") % {"kind": kind}})
    if until is not None and until < timezone.localdate():
        raise ValidationError(
            {"until": _("回避截止日期「%(until)s」早于今天") % {"until": until.isoformat()}}
        )
    with transaction.atomic():
        conflict = InspectorConflict.objects.create(
            inspector=inspector,
            enterprise=enterprise,
            kind=kind,
            note=note.strip()[:200],
            until=until,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_log(
            actor=actor,
            action="supervision.conflict_added",
            obj=conflict,
            detail={"inspector": inspector.pk, "enterprise": enterprise.uscc, "kind": kind},
        )
    return conflict


# --- plans -----------------------------------------------------------------------------------


def plan_create(
    *,
    actor: Any,
    code: str,
    title: str,
    period_start: date,
    period_end: date,
    items: Sequence[InspectionItem],
    ratios: dict[str, Any] | None = None,
    control_share: Any = "10",
    yearly_cap: int = 2,
    tolerance_months: int = 36,
    exempt_tags: Sequence[str] = (TagKind.GAZELLE, TagKind.UNICORN),
    inspectors_per_target: int = 2,
) -> Plan:
    """Create a draft plan; ratios and the control share are percentages (defaults: Henan ratios, 10%)."""
    if actor is not None:
        _require_editor(actor)
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("计划编号必须填写")})
    if Plan.objects.filter(code=code).exists():
        raise ValidationError({"code": _("计划编号「%(code)s」已存在") % {"code": code}})
    if not (title or "").strip():
        raise ValidationError({"title": _("计划名称必须填写")})
    if period_end < period_start:
        raise ValidationError(
            {
                "period_end": _("结束日期「%(end)s」早于开始日期「%(start)s」")
                % {"end": period_end, "start": period_start}
            }
        )
    if not items:
        raise ValidationError({"items": _("至少选择一个抽查事项")})
    inactive = [i.name for i in items if not i.is_active]
    if inactive:
        raise ValidationError({"items": _("抽查事项「%(item)s」已停用") % {"item": inactive[0]}})
    ratios = ratios or default_ratios()
    ratios_bp = {
        g: _percent_to_bp(ratios.get(g, ""), f"ratio_{g.lower()}", _("%(grade)s 类抽查比例") % {"grade": g})
        for g in GRADES
    }
    control_bp = _percent_to_bp(control_share, "control_share", _("纯随机对照比例"))
    if not 1 <= int(yearly_cap) <= 12:
        raise ValidationError(
            {"yearly_cap": _("每年最多检查次数「%(value)s」应在 1 到 12 之间") % {"value": yearly_cap}}
        )
    if not 0 <= int(tolerance_months) <= 120:
        raise ValidationError(
            {"tolerance_months": _("包容期「%(value)s」个月应在 0 到 120 之间") % {"value": tolerance_months}}
        )
    if not 2 <= int(inspectors_per_target) <= 10:
        raise ValidationError(
            {
                "inspectors_per_target": _("每户检查人员数「%(value)s」应在 2 到 10 之间")
                % {"value": inspectors_per_target}
            }
        )
    bad_tags = [t for t in exempt_tags if t not in TagKind.values]
    if bad_tags:
        raise ValidationError({"exempt_tags": _("标签「%(tag)s」无效") % {"tag": bad_tags[0]}})
    with transaction.atomic():
        try:
            # The existence check above answers the common case; two simultaneous submissions of
            # the same code both pass it, and the unique index decides: the loser gets the message.
            with transaction.atomic():
                plan = Plan.objects.create(
                    code=code,
                    title=title.strip(),
                    period_start=period_start,
                    period_end=period_end,
                    ratios_bp=ratios_bp,
                    control_share_bp=control_bp,
                    yearly_cap=int(yearly_cap),
                    tolerance_months=int(tolerance_months),
                    exempt_tags=sorted(set(exempt_tags)),
                    inspectors_per_target=int(inspectors_per_target),
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            raise ValidationError({"code": _("计划编号「%(code)s」已存在") % {"code": code}}) from None
        plan.items.set(items)
        audit_log(
            actor=actor,
            action="supervision.plan_created",
            obj=plan,
            detail={"code": code, "items": [i.code for i in items], "ratios_bp": ratios_bp},
        )
    return plan


def _locked(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().get(pk=plan.pk)


def plan_commit(*, actor: Any, plan: Plan, as_of: date | None = None, seed: str | None = None) -> Draw:
    """Freeze the draw's inputs and publish the commitment (SM3 of a fresh secret seed and of the inputs).

    From here on the population, items, inspectors and rules of this plan cannot change; the seed
    stays secret until `plan_draw` reveals it. `seed` may be given only by tests and the demo.
    """
    if actor is not None:
        _require_editor(actor)
    as_of = as_of or timezone.localdate()
    seed = seed or secrets.token_hex(32)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.state != PlanState.DRAFT:
            raise ValidationError(
                {"state": _("计划「%(code)s」已公布承诺,不能再次冻结") % {"code": plan.code}}
            )
        inputs = freeze_inputs(plan, as_of)
        if not inputs["targets"]:
            raise ValidationError({"targets": _("检查对象名录库为空:园区内没有在营企业")})
        hashes = commitment_of(seed, inputs)
        record = Draw.objects.create(
            plan=plan,
            inputs_text=canonical_json(inputs),
            seed=seed,
            committed_at=timezone.now(),
            **hashes,
        )
        plan.state = PlanState.COMMITTED
        plan.save(update_fields=["state"])
        audit_log(actor=actor, action="supervision.plan_committed", obj=plan, detail=hashes)
    return record


def plan_draw(*, actor: Any, plan: Plan) -> DrawResult:
    """Run the draw from the frozen inputs, reveal the seed and create one inspection per staffed visit."""
    if actor is not None:
        _require_editor(actor)
    from parkcredit.notifications.services import notify

    with transaction.atomic():
        plan = _locked(plan)
        if plan.state != PlanState.COMMITTED:
            raise ValidationError(
                {
                    "state": _("计划「%(code)s」当前状态为「%(state)s」,不能抽取")
                    % {"code": plan.code, "state": plan.get_state_display()}
                }
            )
        record = Draw.objects.select_for_update().get(plan=plan)
        inputs = json.loads(record.inputs_text)
        try:
            result = draw(inputs, record.seed)
        except InputError as error:
            raise ValidationError({"inputs": str(error)}) from None
        result_dict = result.as_dict()
        record.result_text = canonical_json(result_dict)
        record.result_hash = result.digest()
        record.seed_revealed = True
        record.drawn_at = timezone.now()
        record.save(update_fields=["result_text", "result_hash", "seed_revealed", "drawn_at"])
        items = {i.code: i for i in plan.items.all()}
        inspectors = {
            i.pk: i for i in Inspector.objects.filter(pk__in={p for v in result.visits for p in v.inspectors})
        }
        grades = {t["id"]: t["grade"] for t in inputs["targets"]}
        assigned: dict[int, list[Inspection]] = {}
        for visit in result.visits:
            if visit.unstaffed:
                continue
            inspection = Inspection.objects.create(
                plan=plan,
                enterprise_id=visit.target,
                stratum=visit.stratum,
                grade=grades.get(visit.target, ""),
                joint=len(visit.departments) > 1,
            )
            inspection.items.set([items[c] for c in visit.items])
            inspection.inspectors.set([inspectors[i] for i in visit.inspectors])
            for iid in visit.inspectors:
                assigned.setdefault(iid, []).append(inspection)
        plan.state = PlanState.DRAWN
        plan.save(update_fields=["state"])
        audit_log(
            actor=actor,
            action="supervision.plan_drawn",
            obj=plan,
            detail={
                "seed": record.seed,
                "result_hash": record.result_hash,
                "visits": len(result.visits),
                "unstaffed": sum(1 for v in result.visits if v.unstaffed),
            },
        )
        for iid, inspections in assigned.items():
            user = inspectors[iid].user
            if user is not None:
                notify(
                    recipients=[user],
                    kind="supervision.task",
                    title=f"抽查计划「{plan.title}」分配给您 {len(inspections)} 项检查任务",
                    link=reverse("supervision:tasks"),
                    actor=actor,
                )
    return result


def _check_findings(inspection: Inspection, findings: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    items = {i.pk: i for i in inspection.items.all()}
    seen: set[int] = set()
    clean: list[dict[str, Any]] = []
    for n, row in enumerate(findings):
        item = row.get("item")
        item_id = item.pk if isinstance(item, InspectionItem) else item
        if item_id not in items:
            raise ValidationError(
                {
                    "findings": _("第 %(n)s 条结果的检查事项「%(item)s」不属于本次检查")
                    % {"n": n + 1, "item": item_id}
                }
            )
        if item_id in seen:
            raise ValidationError(
                {"findings": _("检查事项「%(item)s」登记了两次结果") % {"item": items[item_id].name}}
            )
        seen.add(item_id)
        outcome = row.get("outcome")
        if outcome not in Outcome.values:
            raise ValidationError(
                {
                    "outcome": _("检查事项「%(item)s」的结果「%(outcome)s」无效")
                    % {"item": items[item_id].name, "outcome": outcome}
                }
            )
        entry = {
            "item": items[item_id],
            "outcome": outcome,
            "severity": "",
            "details": "",
            "rectify_by": None,
        }
        if outcome == Outcome.PROBLEM:
            details = (row.get("details") or "").strip()
            if not details:
                raise ValidationError(
                    {
                        "details": _("检查事项「%(item)s」发现问题时必须填写问题描述")
                        % {"item": items[item_id].name}
                    }
                )
            severity = row.get("severity") or ""
            allowed = [s.value for s in KINDS_BY_CODE[items[item_id].problem_kind].severities]
            if allowed and severity not in allowed:
                raise ValidationError(
                    {
                        "severity": _("检查事项「%(item)s」的问题程度「%(severity)s」无效")
                        % {"item": items[item_id].name, "severity": severity}
                    }
                )
            rectify_by = row.get("rectify_by")
            if rectify_by is None:
                raise ValidationError(
                    {
                        "rectify_by": _("检查事项「%(item)s」发现问题时必须填写整改期限")
                        % {"item": items[item_id].name}
                    }
                )
            entry.update(details=details[:2000], severity=severity, rectify_by=rectify_by)
        clean.append(entry)
    missing = [i.name for pk, i in items.items() if pk not in seen]
    if missing:
        raise ValidationError({"findings": _("检查事项「%(item)s」尚未登记结果") % {"item": missing[0]}})
    return clean


def inspection_submit(
    *,
    actor: Any,
    inspection: Inspection,
    inspected_on: date,
    findings: Sequence[dict[str, Any]],
    files: Sequence[tuple[str, bytes]] = (),
) -> Inspection:
    """An assigned inspector records the results of every item and the evidence; review follows.

    `findings`: one dict per item with `item`, `outcome` (clean/problem) and, for a problem,
    `details`, `severity` and `rectify_by`. The result must be published within 20 working days
    of `inspected_on` (Chinese working-day calendar). `actor=None` is the system itself (results
    entered from another platform, the demo park).
    """
    if actor is not None and (
        getattr(actor, "role", None) != Role.INSPECTOR
        or not inspection.inspectors.filter(user=actor).exists()
    ):
        raise PermissionDenied(_("只有本次检查的检查人员可以登记检查结果"))
    if inspected_on > timezone.localdate():
        raise ValidationError(
            {"inspected_on": _("检查日期「%(day)s」晚于今天") % {"day": inspected_on.isoformat()}}
        )
    if inspected_on < inspection.plan.period_start:
        raise ValidationError(
            {"inspected_on": _("检查日期「%(day)s」早于计划开始日期") % {"day": inspected_on.isoformat()}}
        )
    rows = _check_findings(inspection, findings)
    for row in rows:
        if row["rectify_by"] is not None and row["rectify_by"] <= inspected_on:
            raise ValidationError(
                {
                    "rectify_by": _("整改期限「%(day)s」应晚于检查日期")
                    % {"day": row["rectify_by"].isoformat()}
                }
            )
    checked = checked_uploads(list(files), field="files")
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.state != InspectionState.ASSIGNED:
            raise ValidationError({"state": _("本次检查的结果已经提交")})
        for row in rows:
            Finding.objects.create(inspection=inspection, **row)
        for meta, data in checked:
            Evidence.objects.create(
                inspection=inspection,
                file_name=meta.name,
                content_type=meta.content_type,
                content=data,
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=actor,
            )
        inspection.state = InspectionState.SUBMITTED
        inspection.inspected_on = inspected_on
        inspection.publish_due = publish_due(inspected_on)
        inspection.submitted_by = actor
        inspection.save(update_fields=["state", "inspected_on", "publish_due", "submitted_by"])
        Plan.objects.filter(pk=inspection.plan_id, state=PlanState.DRAWN).update(state=PlanState.IN_PROGRESS)
        audit_log(
            actor=actor,
            action="supervision.findings_submitted",
            obj=inspection,
            detail={
                "inspected_on": inspected_on.isoformat(),
                "problems": sum(1 for r in rows if r["outcome"] == Outcome.PROBLEM),
                "evidence": [m.name for m, _ in checked],
            },
        )
    return inspection


def _source() -> DataSource:
    source, _created = DataSource.objects.get_or_create(
        code=SOURCE_CODE, defaults={"name": "双随机一公开抽查", "kind": DataSourceKind.PARK}
    )
    return source


def _payload(kind: str, inspection: Inspection, finding: Finding) -> dict[str, str]:
    values = {
        "检查日期": inspection.inspected_on.isoformat() if inspection.inspected_on else "",
        "隐患描述": finding.details,
        "整改期限": finding.rectify_by.isoformat() if finding.rectify_by else "",
        "检查事项": finding.item.name,
        "检查结果": finding.details or "未发现问题",
        "违约情形": finding.details,
        "问题描述": finding.details,
    }
    return {name: values[name] for name in KINDS_BY_CODE[kind].payload_fields if name in values}


def inspection_publish(*, actor: Any, inspection: Inspection, on: date | None = None) -> Inspection:
    """Review and publish one submitted inspection: its findings become ledger records.

    `on` is the publication (decision) date of the records, today unless given. A problem
    becomes a negative record of the item's kind (one per problem); a visit with no problem
    becomes one neutral 行政检查结果 record. `record_register` rescores the enterprise
    after the transaction commits.
    """
    _require_editor(actor)
    from parkcredit.notifications.selectors import enterprise_users
    from parkcredit.notifications.services import notify

    with transaction.atomic():
        inspection = (
            Inspection.objects.select_for_update().select_related("plan", "enterprise").get(pk=inspection.pk)
        )
        if inspection.state != InspectionState.SUBMITTED:
            raise ValidationError(
                {
                    "state": _("检查任务当前状态为「%(state)s」,不能公示")
                    % {"state": inspection.get_state_display()}
                }
            )
        findings = list(inspection.findings.select_related("item__department"))
        problems = [f for f in findings if f.outcome == Outcome.PROBLEM]
        today = on or timezone.localdate()
        if today > timezone.localdate() or (inspection.inspected_on and today < inspection.inspected_on):
            raise ValidationError(
                {"on": _("公示日期「%(day)s」不能早于检查日期,也不能晚于今天") % {"day": today.isoformat()}}
            )
        source = _source()
        plan = inspection.plan
        for finding in problems:
            kind = finding.item.problem_kind
            finding.record = record_register(
                actor=actor,
                enterprise=inspection.enterprise,
                kind=kind,
                source=source,
                source_ref=f"{plan.code}-{inspection.enterprise.uscc}-{finding.item.code}",
                decided_on=today,
                occurred_on=inspection.inspected_on,
                severity=finding.severity if KINDS_BY_CODE[kind].severities else "",
                authority=finding.item.department.name,
                summary=f"{plan.title}:{finding.item.name}发现问题,{finding.details}"[:500],
                payload=_payload(kind, inspection, finding),
            )
            finding.save(update_fields=["record"])
        if not problems and findings:
            first = findings[0]
            record = record_register(
                actor=actor,
                enterprise=inspection.enterprise,
                kind=CLEAN_KIND,
                source=source,
                source_ref=f"{plan.code}-{inspection.enterprise.uscc}",
                decided_on=today,
                occurred_on=inspection.inspected_on,
                authority=first.item.department.name,
                summary=f"{plan.title}:未发现问题",
                payload={"检查事项": "、".join(f.item.name for f in findings), "检查结果": "未发现问题"},
            )
            Finding.objects.filter(inspection=inspection).update(record=record)
        inspection.state = InspectionState.PUBLISHED
        inspection.published_at = timezone.now()
        inspection.published_by = actor
        inspection.save(update_fields=["state", "published_at", "published_by"])
        late = inspection.publish_due is not None and today > inspection.publish_due
        audit_log(
            actor=actor,
            action="supervision.result_published",
            obj=inspection,
            detail={"problems": len(problems), "publish_due": str(inspection.publish_due), "late": late},
        )
        if not inspection.plan.inspections.exclude(state=InspectionState.PUBLISHED).exists():
            Plan.objects.filter(pk=plan.pk).update(state=PlanState.PUBLISHED, published_at=timezone.now())
            audit_log(actor=actor, action="supervision.plan_published", obj=plan, detail={"code": plan.code})
        notify(
            recipients=enterprise_users(inspection.enterprise),
            kind="supervision.result",
            title=f"抽查结果已公示:{'发现问题,请按期整改' if problems else '未发现问题'}",
            enterprise=inspection.enterprise,
            severity="warning" if problems else "info",
            actor=actor,
        )
    return inspection


def plan_publish(*, actor: Any, plan: Plan) -> int:
    """Publish every submitted inspection of the plan; returns how many were published."""
    _require_editor(actor)
    with transaction.atomic():
        # Read and locked inside the transaction (in pk order): a result published meanwhile from
        # its own button drops out here instead of failing, and rolling back, the whole batch.
        pending = list(
            plan.inspections.select_for_update().filter(state=InspectionState.SUBMITTED).order_by("pk")
        )
        if not pending:
            raise ValidationError({"state": _("计划「%(code)s」没有待公示的检查结果") % {"code": plan.code}})
        for inspection in pending:
            inspection_publish(actor=actor, inspection=inspection)
    return len(pending)


def finding_rectified(*, actor: Any, finding: Finding, on: date) -> Finding:
    """Record that a problem was rectified on `on`."""
    _require_editor(actor)
    if finding.outcome != Outcome.PROBLEM:
        raise ValidationError({"finding": _("未发现问题的检查结果无需整改")})
    if on > timezone.localdate():
        raise ValidationError(
            {"rectified_on": _("整改完成日期「%(day)s」晚于今天") % {"day": on.isoformat()}}
        )
    inspected_on = (
        Inspection.objects.filter(pk=finding.inspection_id).values_list("inspected_on", flat=True).first()
    )
    if inspected_on is None:
        raise ValidationError({"finding": _("检查结果尚未提交,不能登记整改")})
    if on < inspected_on:
        raise ValidationError(
            {"rectified_on": _("整改完成日期「%(day)s」早于检查日期") % {"day": on.isoformat()}}
        )
    with transaction.atomic():
        # Locked and re-checked so a second click (or a second clerk) cannot silently move the
        # recorded date: the first registration stands and the audit trail shows one event.
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.rectified_on is not None:
            raise ValidationError(
                {
                    "finding": _("该问题已于「%(day)s」登记整改完成,不能重复登记")
                    % {"day": locked.rectified_on.isoformat()}
                }
            )
        finding.rectified_on = on
        finding.save(update_fields=["rectified_on"])
        audit_log(
            actor=actor,
            action="supervision.rectified",
            obj=finding,
            detail={"on": on.isoformat(), "due": str(finding.rectify_by)},
        )
    return finding
