"""Writes of the commitments app: templates, signing, confirmations and the outcome of a check.

Signing freezes the text the signer confirmed with its SM3 digest. A breach (found by the
fulfilment check or declared by staff after a verification, e.g. materials found false — 虚假承诺)
marks the commitment breached and, for an enterprise, enters a negative `commitment-breach`
record in the ledger (which triggers the rescore) and notifies the enterprise. A commitment kept
to the end of its period enters a positive `commitment-kept` record. Every step is audited in
its own transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.catalogue import METRICS
from creditcore.commitments import (
    Condition,
    ConditionError,
    ConditionType,
    conditions_json,
    parse_conditions,
    specialise,
)
from creditcore.repair import add_months
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, OrganisationKind, Role
from parkcredit.audit.services import audit_log
from parkcredit.commitments.models import (
    BreachSeverity,
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    CommitmentTemplate,
    EventKind,
    Scenario,
)
from parkcredit.commitments.text import RenderedText, body_check, render
from parkcredit.common import once
from parkcredit.enterprises.models import Enterprise
from parkcredit.records.models import CreditRecord, DataSource, DataSourceKind, RecordKind
from parkcredit.repair.workcalendar import park_calendar

SOURCE_CODE = "park-commitments"
SOURCE_NAME = "园区信用承诺管理"
BREACH_KIND = "commitment-breach"
KEPT_KIND = "commitment-kept"
MAX_PERIOD_MONTHS = 60
BILL_METRICS = frozenset(m.code for m in METRICS if m.is_bill)


# --- permissions -----------------------------------------------------------------------------------


def _role(actor: Any) -> str | None:
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return None
    return getattr(actor, "role", None)


def can_manage(actor: Any) -> bool:
    """Park administrators and department staff keep templates, confirm, declare breaches, check."""
    return _role(actor) in ARCHIVE_EDITOR_ROLES


def can_sign_government(actor: Any) -> bool:
    """A park department commits through its administrator or staff member."""
    organisation = getattr(actor, "organisation", None)
    return can_manage(actor) and getattr(organisation, "kind", None) == OrganisationKind.PARK_DEPARTMENT


def _require_manager(actor: Any, what: str) -> None:
    if not can_manage(actor):
        raise PermissionDenied(_("只有园区管理员和部门工作人员可以%(what)s") % {"what": what})


# --- templates -------------------------------------------------------------------------------------


def conditions_parse(raw: Any) -> tuple[Condition, ...]:
    """Validate a template's conditions against the record kind catalogue and the bill metrics."""
    kinds = set(RecordKind.objects.values_list("code", flat=True))
    try:
        return parse_conditions(raw, kinds=kinds, metrics=BILL_METRICS)
    except ConditionError as exc:
        raise ValidationError({"conditions": list(exc.problems)}) from None


def _template_fields(data: dict[str, Any]) -> dict[str, Any]:
    scenario = data.get("scenario")
    if scenario not in Scenario.values:
        raise ValidationError({"scenario": _("适用场景「%(scenario)s」无效") % {"scenario": scenario}})
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 200:
        raise ValidationError({"title": _("标题必须填写,且不超过 200 字")})
    months = data.get("period_months")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_PERIOD_MONTHS:
        raise ValidationError(
            {
                "period_months": _("承诺期限「%(months)s」应为 1 到 %(max)s 之间的整数(月)")
                % {"months": months, "max": MAX_PERIOD_MONTHS}
            }
        )
    severity = data.get("breach_severity") or BreachSeverity.GENERAL
    if severity not in BreachSeverity.values:
        raise ValidationError(
            {
                "breach_severity": _("违诺失信程度「%(severity)s」无效,应为 general 或 serious")
                % {"severity": severity}
            }
        )
    note = str(data.get("note") or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("修订说明不超过 300 字")})
    conditions = conditions_parse(data.get("conditions"))
    return {
        "scenario": scenario,
        "title": title,
        "body": body_check(str(data.get("body") or "")),
        "conditions": conditions_json(conditions),
        "period_months": months,
        "breach_severity": severity,
        "public_default": bool(data.get("public_default", True)),
        "note": note,
    }


def template_create(*, actor: Any, data: dict[str, Any]) -> CommitmentTemplate:
    """Create the first version of a template under a new code."""
    _require_manager(actor, _("维护承诺模板"))
    code = str(data.get("code") or "").strip()
    if not code or len(code) > 64 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code):
        raise ValidationError(
            {"code": _("模板编码「%(code)s」无效,只能使用英文字母、数字、连字符和下划线") % {"code": code}}
        )
    fields = _template_fields(data)
    with transaction.atomic():
        if CommitmentTemplate.objects.filter(code=code).exists():
            raise ValidationError(
                {"code": _("模板编码「%(code)s」已存在,请修订该模板而不是新建") % {"code": code}}
            )
        try:
            # Two simultaneous submissions both pass the check above; the unique index decides.
            with transaction.atomic():
                template = CommitmentTemplate.objects.create(code=code, version=1, created_by=actor, **fields)
        except IntegrityError:
            raise ValidationError(
                {"code": _("模板编码「%(code)s」已存在,请修订该模板而不是新建") % {"code": code}}
            ) from None
        audit_log(
            actor=actor,
            action="commitment_template.created",
            obj=template,
            detail={"code": code, "version": 1, "scenario": fields["scenario"]},
        )
    return template


def template_revise(*, actor: Any, template: CommitmentTemplate, data: dict[str, Any]) -> CommitmentTemplate:
    """Add the next version of `template` and retire the current one; signed commitments keep theirs."""
    _require_manager(actor, _("维护承诺模板"))
    fields = _template_fields(data)
    with transaction.atomic():
        current = (
            CommitmentTemplate.objects.select_for_update().filter(code=template.code, is_current=True).first()
        )
        if current is None or current.pk != template.pk:
            raise ValidationError(
                {
                    "version": _("「%(template)s」不是该模板的当前版本,请在当前版本上修订")
                    % {"template": template}
                }
            )
        if current.scenario != fields["scenario"] and (
            Scenario.GOVERNMENT in (current.scenario, fields["scenario"])
        ):
            raise ValidationError({"scenario": _("政务诚信模板与企业承诺模板不能互相改换,请新建模板")})
        CommitmentTemplate.objects.filter(pk=current.pk).update(is_current=False)
        revised = CommitmentTemplate.objects.create(
            code=current.code, version=current.version + 1, created_by=actor, **fields
        )
        audit_log(
            actor=actor,
            action="commitment_template.revised",
            obj=revised,
            detail={"code": current.code, "from_version": current.version, "version": revised.version},
        )
    return revised


# --- signing -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Draft:
    """What would be signed: the party, the period, the frozen conditions and the exact text."""

    template: CommitmentTemplate
    enterprise: Enterprise | None
    organisation: Any
    party_name: str
    signed_on: date
    valid_until: date
    scope: str
    record: CreditRecord | None
    conditions: tuple[Condition, ...]
    deadlines: dict[int, date]
    rendered: RenderedText


def _record_area(record: CreditRecord) -> str:
    """The violation type of a penalty (双公示 field), the area a repair commitment promises."""
    payload = record.payload or {}
    for key in ("违法行为类型", "CF_WFXW"):
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _resolve_template(template: CommitmentTemplate | None, scenario: str | None) -> CommitmentTemplate:
    if template is not None:
        # Re-read: the caller's copy may predate a revision that retired this version.
        return CommitmentTemplate.objects.get(pk=template.pk)
    if scenario not in Scenario.values:
        raise ValidationError({"scenario": _("适用场景「%(scenario)s」无效") % {"scenario": scenario}})
    current = list(CommitmentTemplate.objects.filter(scenario=scenario, is_current=True).order_by("code"))
    if len(current) != 1:
        label = Scenario(scenario).label
        raise ValidationError(
            {
                "template": _("场景「%(label)s」有 %(count)s 个当前模板,请指定要签署的模板")
                % {"label": label, "count": len(current)}
            }
        )
    return current[0]


def commitment_prepare(
    *,
    actor: Any,
    template: CommitmentTemplate | None = None,
    scenario: str | None = None,
    enterprise: Enterprise | None = None,
    scope: str = "",
    record: CreditRecord | None = None,
    on: date | None = None,
) -> Draft:
    """Check who may sign what and build the exact text, without writing anything.

    An enterprise user signs for their own enterprise only; a park department signs government
    integrity templates through its administrator or staff member; park staff may register a
    commitment an enterprise signed on paper at the service window (the signer is then the staff
    member who registered it, which the history shows).
    """
    template = _resolve_template(template, scenario)
    role = _role(actor)
    if role is None:
        raise PermissionDenied(_("请先登录后再签署信用承诺"))
    if not template.is_current:
        raise ValidationError(
            {"template": _("「%(template)s」已修订,请按最新版本签署") % {"template": template}}
        )
    organisation = None
    if template.is_government:
        if not can_sign_government(actor):
            raise PermissionDenied(_("政务诚信承诺只能由园区部门的管理员或工作人员代表本部门签署"))
        if enterprise is not None:
            raise ValidationError({"enterprise": _("政务诚信承诺的承诺主体是园区部门,不能指定企业")})
        organisation = actor.organisation
        party_name, uscc = organisation.name, ""
    else:
        if enterprise is None:
            raise ValidationError({"enterprise": _("请指定作出承诺的企业")})
        if role == Role.ENTERPRISE:
            if actor.enterprise_id != enterprise.pk:
                raise PermissionDenied(_("企业用户只能以本企业名义签署信用承诺"))
        elif not can_manage(actor):
            raise PermissionDenied(_("当前角色不能签署信用承诺"))
        party_name, uscc = enterprise.name, enterprise.uscc
    scope = (scope or "").strip()
    if len(scope) > 300:
        raise ValidationError({"scope": _("承诺事项「%(scope)s…」超过 300 字") % {"scope": scope[:20]}})
    if record is not None and (enterprise is None or record.enterprise_id != enterprise.pk):
        raise ValidationError({"record": _("信用记录 #%(pk)s 不属于承诺企业") % {"pk": record.pk}})
    today = timezone.localdate()
    signed_on = on or today
    if signed_on > today:
        raise ValidationError({"on": _("签署日期「%(day)s」晚于今天") % {"day": signed_on.isoformat()}})
    conditions = conditions_parse(template.conditions)
    if record is not None:
        area = _record_area(record)
        conditions = tuple(specialise(c, kind=record.kind.code, area=area) for c in conditions)
    valid_until = add_months(signed_on, template.period_months) - timedelta(days=1)
    deadlines: dict[int, date] = {}
    if any(c.type is ConditionType.DELIVER_BY for c in conditions):
        work = park_calendar()
        for index, condition in enumerate(conditions):
            if condition.type is ConditionType.DELIVER_BY:
                deadlines[index] = work.add_workdays(signed_on, condition.workdays)
        # A promise due after the period would never be checked: the period covers it.
        valid_until = max(valid_until, *deadlines.values())
    rendered = render(
        body=template.body,
        title=template.title,
        party=party_name,
        uscc=uscc,
        signed_on=signed_on,
        valid_until=valid_until,
        months=template.period_months,
        scope=scope,
        conditions=conditions,
        deadlines=deadlines,
    )
    return Draft(
        template=template,
        enterprise=None if template.is_government else enterprise,
        organisation=organisation,
        party_name=party_name,
        signed_on=signed_on,
        valid_until=valid_until,
        scope=scope,
        record=record,
        conditions=conditions,
        deadlines=deadlines,
        rendered=rendered,
    )


def sign_token_issue() -> str:
    """A fresh one-time signing token for a confirmation page (stored only once it has signed)."""
    return once.token_issue()


def already_signed_message(commitment: Commitment) -> str:
    return _("这份承诺书已经签署(承诺编号 %(number)s),重复提交没有再签一份。") % {"number": commitment.number}


class CommitmentAlreadySigned(once.Repeated):
    """The confirmation page was submitted again; `existing` is the commitment its first
    submission signed. Nothing new was written."""

    def __init__(self, existing: Commitment) -> None:
        super().__init__(
            existing, field="sign_token", message=already_signed_message(existing), code="already_signed"
        )


def commitment_sign(
    *,
    actor: Any,
    enterprise: Enterprise | None = None,
    template: CommitmentTemplate | None = None,
    scenario: str | None = None,
    scope: str = "",
    reference: str = "",
    record: CreditRecord | None = None,
    is_public: bool | None = None,
    expected_digest: str | None = None,
    on: date | None = None,
    sign_token: str = "",
) -> Commitment:
    """Sign a commitment: freeze the text and its SM3 digest, record the signing, audit it.

    Give a `template`, or a `scenario` with exactly one current template (the repair workflow
    signs with `scenario="repair"`, the record being repaired as `record` and its application
    number as `reference`). `expected_digest` is the digest of the text the signer confirmed;
    if the text has changed since (a template revision, another day), nothing is signed.

    `sign_token` (from `sign_token_issue`, carried by the confirmation page) makes signing
    idempotent: when this signer has already signed with it, CommitmentAlreadySigned carries
    that commitment and nothing is written, even if the text would differ today. Two requests
    at the same moment both pass the first look; the unique constraint on (signer, token) lets
    one insert and sends the other to the same answer.
    """
    # Checked by shape like the other once pages: a value no confirmation page was given signs nothing.
    sign_token = once.token_clean(
        sign_token, field="sign_token", expired=_("签署页凭据无效,请重新打开签署页面")
    )
    existing = Commitment.objects.signed_with(actor, sign_token).first()
    if existing is not None:
        raise CommitmentAlreadySigned(existing)
    draft = commitment_prepare(
        actor=actor,
        template=template,
        scenario=scenario,
        enterprise=enterprise,
        scope=scope,
        record=record,
        on=on,
    )
    if expected_digest is not None and expected_digest != draft.rendered.digest:
        raise ValidationError(
            {"digest": _("承诺书内容已变化(模板已修订或签署日期已变更),请重新阅读确认后再签署")}
        )
    reference = (reference or "").strip()
    if len(reference) > 100:
        raise ValidationError({"reference": _("关联事项编号不超过 100 个字符")})
    public = draft.template.public_default if is_public is None else bool(is_public)
    with transaction.atomic():
        # A page sent twice at once: the database lets one insert, the other gets its commitment.
        commitment, created = once.create_once(
            lambda: Commitment.objects.create(
                number=f"tmp-{uuid.uuid4().hex[:24]}",
                template=draft.template,
                scenario=draft.template.scenario,
                title=draft.template.title,
                enterprise=draft.enterprise,
                organisation=draft.organisation,
                party_name=draft.party_name,
                text=draft.rendered.text,
                digest=draft.rendered.digest,
                conditions=conditions_json(draft.conditions),
                deadlines={str(i): d.isoformat() for i, d in draft.deadlines.items()},
                scope=draft.scope,
                reference=reference,
                record=draft.record,
                signer=actor,
                signed_at=timezone.now(),
                valid_from=draft.signed_on,
                valid_until=draft.valid_until,
                is_public=public,
                sign_token=sign_token,
            ),
            lambda: Commitment.objects.signed_with(actor, sign_token).first(),
        )
        if not created:
            raise CommitmentAlreadySigned(commitment)
        # The number follows the row id, so it is unique and the same on every replay of the demo.
        commitment.number = f"CN{draft.signed_on:%Y}{commitment.pk:07d}"
        Commitment.objects.filter(pk=commitment.pk).update(number=commitment.number)
        channel = (
            "online" if _role(actor) in (Role.ENTERPRISE,) or draft.template.is_government else "counter"
        )
        CommitmentEvent.objects.create(
            commitment=commitment,
            kind=EventKind.SIGNED,
            on=draft.signed_on,
            actor=actor,
            note="在线签署" if channel == "online" else "窗口纸质承诺,由工作人员登记",
            detail={"digest": draft.rendered.digest, "channel": channel},
        )
        audit_log(
            actor=actor,
            action="commitment.signed",
            obj=commitment,
            detail={
                "number": commitment.number,
                "template": draft.template.code,
                "version": draft.template.version,
                "party": draft.party_name,
                "enterprise": draft.enterprise.uscc if draft.enterprise else None,
                "digest": draft.rendered.digest,
                "valid_until": draft.valid_until.isoformat(),
                "public": public,
                "channel": channel,
            },
        )
    return commitment


# --- staff confirmations and declarations ----------------------------------------------------------


def _check_day(on: date | None, field: str = "on") -> date:
    today = timezone.localdate()
    if on is None:
        return today
    if isinstance(on, datetime) or not isinstance(on, date):
        raise ValidationError({field: _("日期「%(day)s」无效") % {"day": on}})
    if on > today:
        raise ValidationError({field: _("日期「%(day)s」晚于今天") % {"day": on.isoformat()}})
    return on


def commitment_confirm_delivery(
    *, actor: Any, commitment: Commitment, condition: int, on: date | None = None, note: str = ""
) -> CommitmentEvent:
    """Staff confirm that a promised item (a `deliver_by` condition) was completed on `on`."""
    _require_manager(actor, _("确认承诺事项完成"))
    day = _check_day(on)
    note = (note or "").strip()[:500]
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if locked.status != CommitmentStatus.IN_FORCE:
            raise ValidationError(
                {
                    "status": _("承诺「%(number)s」状态为「%(status)s」,不能再确认")
                    % {"number": locked.number, "status": locked.get_status_display()}
                }
            )
        conditions = locked.conditions or []
        if (
            not 0 <= condition < len(conditions)
            or conditions[condition].get("type") != ConditionType.DELIVER_BY
        ):
            raise ValidationError(
                {"condition": _("第 %(n)s 条履约条件不是需要确认完成的承诺事项") % {"n": condition + 1}}
            )
        if day < locked.valid_from:
            raise ValidationError(
                {
                    "on": _("完成日期「%(day)s」早于承诺签署日期「%(signed)s」")
                    % {"day": day.isoformat(), "signed": locked.valid_from.isoformat()}
                }
            )
        done = locked.events.filter(kind=EventKind.DELIVERED, detail__condition=condition)
        if done.exists():
            raise ValidationError({"condition": _("第 %(n)s 条承诺事项已确认完成") % {"n": condition + 1}})
        event = CommitmentEvent.objects.create(
            commitment=locked,
            kind=EventKind.DELIVERED,
            on=day,
            actor=actor,
            note=note or str(conditions[condition].get("label", "")),
            detail={"condition": condition},
        )
        audit_log(
            actor=actor,
            action="commitment.delivered",
            obj=locked,
            detail={"number": locked.number, "condition": condition, "on": day.isoformat()},
        )
    return event


def commitment_breach_declare(
    *, actor: Any, commitment: Commitment, reason: str, on: date | None = None
) -> Commitment:
    """Staff declare a breach found by verification (e.g. the promised facts were false: 虚假承诺).

    The commitment may still be in force or already past its period; the consequences are the
    same as a breach the check finds.
    """
    _require_manager(actor, _("认定违背信用承诺"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("认定违诺必须写明违诺情形")})
    if len(reason) > 400:
        raise ValidationError({"reason": _("违诺情形「%(reason)s…」超过 400 字") % {"reason": reason[:20]}})
    day = _check_day(on)
    with transaction.atomic():
        # Checked under the row lock: a second click, another clerk or the fulfilment check may
        # have changed the status since the page was shown; the later request is refused.
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if locked.status not in (CommitmentStatus.IN_FORCE, CommitmentStatus.EXPIRED):
            raise ValidationError(
                {
                    "status": _("承诺「%(number)s」状态为「%(status)s」,不能认定违诺")
                    % {"number": locked.number, "status": locked.get_status_display()}
                }
            )
        return commitment_breach(
            actor=actor, commitment=locked, on=day, reason=reason, evidence={"declared": True}
        )


def _source() -> DataSource:
    source, _created = DataSource.objects.get_or_create(
        code=SOURCE_CODE, defaults={"name": SOURCE_NAME, "kind": DataSourceKind.PARK}
    )
    return source


def _detail_link(commitment: Commitment) -> str:
    return reverse("commitments:detail", kwargs={"pk": commitment.pk})


def _party_recipients(commitment: Commitment) -> list[Any]:
    from parkcredit.notifications.selectors import enterprise_users

    if commitment.enterprise_id is not None:
        return list(enterprise_users(commitment.enterprise_id))
    organisation = commitment.organisation
    if organisation is None:
        return []
    return list(organisation.users.filter(is_active=True, role__in=ARCHIVE_EDITOR_ROLES))


def _ledger_write(
    *,
    actor: Any,
    commitment: Commitment,
    kind: str,
    ref: str,
    on: date,
    severity: str,
    summary: str,
    payload: dict[str, Any],
) -> CreditRecord:
    """Enter the outcome in the ledger; a replay after a failure finds the record already there."""
    from parkcredit.records.services import RecordDuplicate, record_register

    assert commitment.enterprise is not None
    try:
        return record_register(
            actor=actor if can_manage(actor) else None,
            enterprise=commitment.enterprise,
            kind=kind,
            source=_source(),
            source_ref=ref,
            decided_on=on,
            severity=severity,
            authority=settings.PARK_NAME,
            summary=summary,
            payload=payload,
        )
    except RecordDuplicate as duplicate:
        return duplicate.existing


def commitment_breach(
    *, actor: Any, commitment: Commitment, on: date, reason: str, evidence: dict[str, Any]
) -> Commitment:
    """Mark the commitment breached on `on`; enterprise: a negative ledger record; notify the party.

    Used by the fulfilment check (`actor=None`) and by `commitment_breach_declare`.
    """
    from parkcredit.notifications.services import notify

    with transaction.atomic():
        locked = (
            Commitment.objects.select_for_update(of=("self",))
            .select_related("enterprise", "organisation", "template")
            .get(pk=commitment.pk)
        )
        # Only a live commitment can be breached; a terminal one (breached, or closed as fulfilled
        # by a check that ran meanwhile) is left as it is rather than given a contradicting record.
        if locked.status not in (CommitmentStatus.IN_FORCE, CommitmentStatus.EXPIRED):
            return locked
        record = None
        if locked.enterprise_id is not None:
            record = _ledger_write(
                actor=actor,
                commitment=locked,
                kind=BREACH_KIND,
                ref=locked.number,
                on=on,
                severity=locked.template.breach_severity,
                summary=f"违背信用承诺:{locked.title}",
                payload={
                    "承诺事项": locked.scope or locked.title,
                    "违诺情形": reason,
                    "承诺编号": locked.number,
                },
            )
        locked.status = CommitmentStatus.BREACHED
        locked.status_on = on
        locked.breach_reason = reason[:500]
        locked.breach_record = record
        locked.save(update_fields=["status", "status_on", "breach_reason", "breach_record"])
        CommitmentEvent.objects.create(
            commitment=locked,
            kind=EventKind.BREACHED,
            on=on,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            note=reason[:500],
            detail={**evidence, "record": record.pk if record else None},
        )
        audit_log(
            actor=actor,
            action="commitment.breached",
            obj=locked,
            detail={
                "number": locked.number,
                "on": on.isoformat(),
                "reason": reason,
                "record": record.pk if record else None,
                **evidence,
            },
        )
        notify(
            recipients=_party_recipients(locked),
            kind="commitment.breached",
            title=f"信用承诺「{locked.title}」被认定违诺",
            body=f"承诺编号 {locked.number}:{reason}"
            + ("。已记入信用记录(违背信用承诺),可在纠正后按规定申请信用修复。" if record else ""),
            link=_detail_link(locked),
            enterprise=locked.enterprise,
            severity="critical",
            actor=actor,
        )
    return locked


def commitment_close(*, commitment: Commitment, on: date, fulfilled: bool) -> Commitment:
    """The period is over without a breach: fulfilled (a positive ledger record) or expired."""
    from parkcredit.notifications.services import notify

    with transaction.atomic():
        locked = (
            Commitment.objects.select_for_update(of=("self",))
            .select_related("enterprise", "organisation")
            .get(pk=commitment.pk)
        )
        if locked.status != CommitmentStatus.IN_FORCE:
            return locked
        record = None
        if fulfilled and locked.enterprise_id is not None:
            record = _ledger_write(
                actor=None,
                commitment=locked,
                kind=KEPT_KIND,
                ref=f"{locked.number}-履约",
                on=on,
                severity="",
                summary=f"信用承诺按期履行:{locked.title}",
                payload={"承诺事项": locked.scope or locked.title, "承诺编号": locked.number},
            )
        locked.status = CommitmentStatus.FULFILLED if fulfilled else CommitmentStatus.EXPIRED
        locked.status_on = on
        locked.kept_record = record
        locked.save(update_fields=["status", "status_on", "kept_record"])
        CommitmentEvent.objects.create(
            commitment=locked,
            kind=EventKind.FULFILLED if fulfilled else EventKind.EXPIRED,
            on=on,
            note="承诺期满,核查未发现违诺" if fulfilled else "承诺期满",
            detail={"record": record.pk if record else None},
        )
        audit_log(
            actor=None,
            action="commitment.fulfilled" if fulfilled else "commitment.expired",
            obj=locked,
            detail={"number": locked.number, "on": on.isoformat(), "record": record.pk if record else None},
        )
        if fulfilled:
            notify(
                recipients=_party_recipients(locked),
                kind="commitment.fulfilled",
                title=f"信用承诺「{locked.title}」已履约",
                body=f"承诺编号 {locked.number} 承诺期满,经核查已按承诺履行。",
                link=_detail_link(locked),
                enterprise=locked.enterprise,
            )
    return locked
