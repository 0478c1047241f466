"""Writes of the scoring app: model governance, scoring runs and the incremental rescore hook.

Governance: a version is created as a draft by park staff, simulated against the published
model, approved by a *second* person and published by a park administrator; publishing retires
the previous version and starts a full rescore. Every step is audited in its own transaction.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.scoring.spec import DEFAULT_MODEL_PATH, SpecError, load_spec
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, Role
from parkcredit.audit.services import audit_log
from parkcredit.jobs.models import Job
from parkcredit.scoring.models import ModelState, RunKind, RunState, ScoringModel, ScoringRun
from parkcredit.scoring.simulation import simulation_compute

logger = logging.getLogger(__name__)

SCORING_JOB_KIND = "scoring.run"


# --- permissions ---------------------------------------------------------------------------------


def _role(actor: Any) -> str | None:
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return None
    return getattr(actor, "role", None)


def can_edit_models(actor: Any) -> bool:
    """Park staff who keep the archive may draft and simulate model versions."""
    return _role(actor) in ARCHIVE_EDITOR_ROLES


def can_approve_model(actor: Any, model: ScoringModel) -> bool:
    """A park administrator or department staff member other than the version's creator."""
    return _role(actor) in ARCHIVE_EDITOR_ROLES and model.created_by_id != getattr(actor, "pk", None)


def can_publish_models(actor: Any) -> bool:
    return _role(actor) == Role.PARK_ADMIN


def can_start_runs(actor: Any) -> bool:
    """Staff start a full rescore from the runs page; `None` is the system (commands, publish)."""
    return actor is None or _role(actor) in ARCHIVE_EDITOR_ROLES


def _refuse(message: str) -> None:
    raise PermissionDenied(message)


def _spec_problems(spec_yaml: str) -> list[str]:
    try:
        load_spec(spec_yaml)
    except SpecError as exc:
        return [str(problem) for problem in exc.problems]
    return []


def _check_state(model: ScoringModel, allowed: set[str], action: str) -> None:
    if model.state not in allowed:
        raise ValidationError(
            {
                "state": _("模型「%(model)s」当前状态为「%(state)s」,不能%(action)s")
                % {"model": str(model), "state": model.get_state_display(), "action": action}
            }
        )


def _lock(model: ScoringModel) -> ScoringModel:
    return ScoringModel.objects.select_for_update().get(pk=model.pk)


# --- governance ----------------------------------------------------------------------------------


def model_published() -> ScoringModel | None:
    return ScoringModel.objects.filter(state=ModelState.PUBLISHED).first()


def model_seed(*, actor: Any = None) -> ScoringModel:
    """Make sure a published model exists: load the default model as version 1 if none does.

    Idempotent: with a published model already in place it is returned unchanged. The seed is
    the system's act (no creator, no approver), recorded in the audit trail.
    """
    published = model_published()
    if published is not None:
        return published
    spec_yaml = DEFAULT_MODEL_PATH.read_text(encoding="utf-8")
    spec = load_spec(spec_yaml)
    with transaction.atomic():
        published = ScoringModel.objects.select_for_update().filter(state=ModelState.PUBLISHED).first()
        if published is not None:  # pragma: no cover - a concurrent seed won the race
            return published
        version = (ScoringModel.objects.filter(code=spec.code).aggregate(v=Max("version"))["v"] or 0) + 1
        now = timezone.now()
        model = ScoringModel.objects.create(
            code=spec.code,
            version=version,
            name=spec.name,
            description=spec.description,
            spec_yaml=spec_yaml,
            state=ModelState.PUBLISHED,
            published_at=now,
        )
        audit_log(
            actor=actor,
            action="scoring.model_seeded",
            obj=model,
            detail={"code": model.code, "version": model.version, "source": DEFAULT_MODEL_PATH.name},
        )
    return model


def model_create_draft(*, actor: Any, spec_yaml: str, base: ScoringModel | None = None) -> ScoringModel:
    """Save a new draft version of a model after validating its spec.

    An invalid spec raises `ValidationError` on `spec_yaml` with one Chinese message per
    problem, each naming the path of the offending item (e.g. ``dimensions[2].indicators[0]``).
    """
    if not can_edit_models(actor):
        _refuse(_("只有园区管理员或部门工作人员可以起草评价模型"))
    spec_yaml = (spec_yaml or "").replace("\r\n", "\n")
    if not spec_yaml.strip():
        raise ValidationError({"spec_yaml": _("模型定义(YAML)不能为空")})
    problems = _spec_problems(spec_yaml)
    if problems:
        raise ValidationError({"spec_yaml": problems})
    spec = load_spec(spec_yaml)
    if base is not None and base.code != spec.code:
        raise ValidationError(
            {
                "spec_yaml": _("模型编码「%(code)s」与基于版本的编码「%(base)s」不一致")
                % {"code": spec.code, "base": base.code}
            }
        )
    with transaction.atomic():
        version = (ScoringModel.objects.filter(code=spec.code).aggregate(v=Max("version"))["v"] or 0) + 1
        try:
            with transaction.atomic():
                model = ScoringModel.objects.create(
                    code=spec.code,
                    version=version,
                    name=spec.name,
                    description=spec.description,
                    spec_yaml=spec_yaml,
                    state=ModelState.DRAFT,
                    base=base,
                    created_by=actor,
                )
        except IntegrityError:  # pragma: no cover - two drafts of one code at the same instant
            raise ValidationError({"spec_yaml": _("另一位用户刚刚保存了同一模型的新版本,请重试")}) from None
        audit_log(
            actor=actor,
            action="scoring.model_drafted",
            obj=model,
            detail={"code": model.code, "version": model.version, "base": base.pk if base else None},
        )
    return model


def model_simulate(*, actor: Any, model: ScoringModel, as_of: date | None = None) -> ScoringModel:
    """Score the park with the draft and with the published model and keep the comparison.

    `simulation` receives the grade migration matrix (published grade -> draft grade) and both
    score distributions; the version moves to SIMULATED. Simulating again refreshes it.
    """
    if not can_edit_models(actor):
        _refuse(_("只有园区管理员或部门工作人员可以模拟评价模型"))
    _check_state(model, {ModelState.DRAFT, ModelState.SIMULATED}, _("模拟"))
    as_of = as_of or timezone.localdate()
    baseline = model_published()
    simulation = simulation_compute(
        spec_yaml=model.spec_yaml, baseline_yaml=baseline.spec_yaml if baseline else None, as_of=as_of
    )
    simulation["baseline"] = {"id": baseline.pk, "version": baseline.version} if baseline else None
    with transaction.atomic():
        locked = _lock(model)
        _check_state(locked, {ModelState.DRAFT, ModelState.SIMULATED}, _("模拟"))
        locked.simulation = simulation
        locked.simulated_at = timezone.now()
        locked.state = ModelState.SIMULATED
        locked.save(update_fields=["simulation", "simulated_at", "state"])
        audit_log(
            actor=actor,
            action="scoring.model_simulated",
            obj=locked,
            detail={
                "as_of": as_of.isoformat(),
                "enterprises": simulation["enterprises"],
                "changed": simulation["changed"],
                "baseline": simulation["baseline"],
            },
        )
    return locked


def model_approve(*, actor: Any, model: ScoringModel) -> ScoringModel:
    """Approve a simulated version; the approver must be a second person, not its creator."""
    if _role(actor) not in ARCHIVE_EDITOR_ROLES:
        _refuse(_("只有园区管理员或部门工作人员可以审核评价模型"))
    if model.created_by_id is not None and model.created_by_id == actor.pk:
        _refuse(_("模型版本须由创建人以外的另一人审核,创建人不能审核自己起草的版本"))
    with transaction.atomic():
        locked = _lock(model)
        _check_state(locked, {ModelState.SIMULATED}, _("审核(须先完成模拟)"))
        locked.state = ModelState.APPROVED
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.save(update_fields=["state", "approved_by", "approved_at"])
        audit_log(
            actor=actor,
            action="scoring.model_approved",
            obj=locked,
            detail={"code": locked.code, "version": locked.version, "created_by": locked.created_by_id},
        )
    return locked


def model_publish(*, actor: Any, model: ScoringModel, rescore: bool = True) -> ScoringModel:
    """Publish an approved version, retire the previous one and start a full rescore.

    The rescore job is started after the commit, so its worker sees the new published model.
    """
    if not can_publish_models(actor):
        _refuse(_("只有园区管理员可以发布评价模型"))
    with transaction.atomic():
        locked = _lock(model)
        _check_state(locked, {ModelState.APPROVED}, _("发布(须先经他人审核)"))
        now = timezone.now()
        previous = ScoringModel.objects.select_for_update().filter(state=ModelState.PUBLISHED).first()
        if previous is not None:
            previous.state = ModelState.RETIRED
            previous.retired_at = now
            previous.save(update_fields=["state", "retired_at"])
            audit_log(
                actor=actor,
                action="scoring.model_retired",
                obj=previous,
                detail={"code": previous.code, "version": previous.version, "replaced_by": locked.pk},
            )
        locked.state = ModelState.PUBLISHED
        locked.published_at = now
        locked.published_by = actor
        locked.save(update_fields=["state", "published_at", "published_by"])
        audit_log(
            actor=actor,
            action="scoring.model_published",
            obj=locked,
            detail={
                "code": locked.code,
                "version": locked.version,
                "previous": previous.pk if previous else None,
            },
        )
        if rescore:
            transaction.on_commit(lambda: scoring_run_start(actor=actor, model=locked))
    return locked


# --- runs ----------------------------------------------------------------------------------------


def _resolve_model(model: ScoringModel | None) -> ScoringModel:
    if model is not None:
        return model
    return model_published() or model_seed()


def scoring_run_create(
    *, actor: Any, as_of: date | None = None, model: ScoringModel | None = None, kind: str = RunKind.FULL
) -> ScoringRun:
    """A queued run row (the command runs it in the foreground, the button via a job)."""
    if not can_start_runs(actor):
        _refuse(_("只有园区管理员或部门工作人员可以发起重新评分"))
    model = _resolve_model(model)
    if model.state not in {ModelState.PUBLISHED, ModelState.RETIRED}:
        raise ValidationError(
            {"model": _("模型「%(model)s」尚未发布,不能用于正式评分") % {"model": str(model)}}
        )
    as_of = as_of or timezone.localdate()
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": _("评价基准日「%(d)s」晚于今天") % {"d": as_of.isoformat()}})
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        run = ScoringRun.objects.create(model=model, kind=kind, as_of=as_of, triggered_by=user)
        audit_log(
            actor=actor,
            action="scoring.run_created",
            obj=run,
            detail={"model": model.pk, "version": model.version, "as_of": as_of.isoformat(), "kind": kind},
        )
    return run


def scoring_run_start(*, actor: Any, as_of: date | None = None, model: ScoringModel | None = None) -> Job:
    """Start a full rescore as a background job; the job page shows its progress."""
    from parkcredit.jobs.services import job_start
    from parkcredit.scoring.tasks import scoring_run_task

    run = scoring_run_create(actor=actor, as_of=as_of, model=model)
    title = _("全量评分 %(date)s(%(model)s)") % {"date": run.as_of.isoformat(), "model": str(run.model)}
    job = job_start(actor=actor, kind=SCORING_JOB_KIND, title=title, task=scoring_run_task, run_id=run.pk)
    ScoringRun.objects.filter(pk=run.pk).update(job=job)
    return job


def scoring_run_execute(*, run: ScoringRun, progress: Any = None, engine: str | None = None) -> ScoringRun:
    """Score the park for `run` and write its scores (see `parkcredit.scoring.runner`).

    `progress(done, total, message)` is called as the run advances; `engine` overrides
    `settings.SCORING_ENGINE` (auto, duckdb, postgres, reference).
    """
    from parkcredit.scoring.runner import run_execute

    return run_execute(run=run, progress=progress, engine=engine)


def scoring_bootstrap(*, actor: Any = None, as_of: date | None = None) -> ScoringRun:
    """Seed the default model if nothing is published, then score the park now (in the foreground).

    For the demo loader and fresh installations: afterwards every enterprise has a current grade.
    """
    model_seed(actor=actor)
    run = scoring_run_create(actor=actor, as_of=as_of)
    return scoring_run_execute(run=run)


def scoring_on_ledger_change(enterprise_ids: Iterable[int]) -> ScoringRun | None:
    """Rescore these enterprises with the published model as of today (incremental run).

    Called after a ledger write has committed (records services, import batches). A failure
    is logged and swallowed: the ledger write stands, and the next full run catches up.
    """
    from parkcredit.scoring.runner import run_incremental

    ids = sorted({int(pk) for pk in enterprise_ids})
    if not ids:
        return None
    model = model_published()
    if model is None:
        return None
    try:
        return run_incremental(model=model, enterprise_ids=ids)
    except Exception:
        logger.exception("incremental rescore of %d enterprise(s) failed", len(ids))
        return None


_pending = threading.local()


def _in_transaction() -> bool:
    return transaction.get_connection().in_atomic_block


def scoring_on_commit(enterprise_ids: Iterable[int]) -> None:
    """Rescore these enterprises once the current transaction commits.

    Many writes in one transaction (an import batch) coalesce into one incremental run: the
    enterprise ids collect in a set that a single on-commit callback flushes. Outside a
    transaction the rescore runs at once.
    """
    ids = {int(pk) for pk in enterprise_ids}
    if not _in_transaction():
        scoring_on_ledger_change(ids)
        return
    connection = transaction.get_connection()
    state = getattr(_pending, "state", None)
    # A rolled-back transaction drops its callbacks; then the collected set is stale too.
    if state is None or not any(func is state[1] for _sids, func, _robust in connection.run_on_commit):
        collected: set[int] = set()

        def flush() -> None:
            _pending.state = None
            scoring_on_ledger_change(collected)

        state = (collected, flush)
        _pending.state = state
        transaction.on_commit(flush, robust=True)
    state[0].update(ids)


def run_mark(run: ScoringRun, state: str, **fields: Any) -> None:
    ScoringRun.objects.filter(pk=run.pk).update(state=state, **fields)
    run.state = state
    for name, value in fields.items():
        setattr(run, name, value)


__all__ = [
    "RunState",
    "can_approve_model",
    "can_edit_models",
    "can_publish_models",
    "can_start_runs",
    "model_approve",
    "model_create_draft",
    "model_publish",
    "model_published",
    "model_seed",
    "model_simulate",
    "scoring_bootstrap",
    "scoring_on_commit",
    "scoring_on_ledger_change",
    "scoring_run_create",
    "scoring_run_execute",
    "scoring_run_start",
]
