"""Permission-matrix rows for the repair workflow and objections.

The enterprise's records page and the application/objection forms are for enterprise users (on
their own records; another enterprise's record is 404); applications, objections and their files
are seen by park staff and the enterprise they belong to (everyone else: 404); step actions are
for archive editors; the staff queue and the park figures are for park roles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import timezone

from tests.conftest import CAST
from tests.parkcredit.matrix_support import EDITORS, PARK, Row, World, by_record, only

PDF = b"%PDF-1.7\n"
# An uploaded file (application material or objection evidence).
FILE = {"name": "a.pdf", "content_type": "application/pdf", "size": len(PDF), "sha256": "0", "data": PDF}


def _case(role: str, w: World, own: bool) -> dict[str, Any]:
    """What an application and an objection both carry: the role's own (or the other) enterprise,
    its record and the enterprise user who filed it."""
    b = (role == "ent_b_user") == own
    return {
        "record": w.record_b if b else w.record_a,
        "enterprise": w.ent_b if b else w.ent_a,
        "submitted_by": w.users["ent_b_user" if b else "ent_a_user"],
        "submitted_at": timezone.now(),
    }


def _application(role: str, w: World, own: bool) -> Any:
    from parkcredit.objections.routing import lead_department
    from parkcredit.repair.workflow.models import RepairApplication, RepairMaterial, RepairStep

    case = _case(role, w, own)
    application = RepairApplication.objects.filter(record=case["record"]).first()
    if application is None:
        application = RepairApplication.objects.create(
            **case,
            statement="矩阵测试申请",
            commitment_text="承诺",
            commitment_digest="0" * 64,
            commitment_signed_at=timezone.now(),
        )
        RepairStep.objects.create(
            application=application,
            step="acceptance",
            organisation=lead_department(),
            started_on=date(2026, 6, 1),
            due_on=date(2026, 6, 15),
            rule="测试",
        )
        RepairMaterial.objects.create(application=application, **FILE)
    return application


def _objection(role: str, w: World, own: bool) -> Any:
    from parkcredit.objections.models import Objection, ObjectionEvidence
    from parkcredit.objections.routing import lead_department

    case = _case(role, w, own)
    objection = Objection.objects.filter(record=case["record"]).first()
    if objection is None:
        objection = Objection.objects.create(
            **case,
            reasons="矩阵测试异议理由",
            due_on=date(2026, 6, 4),
            responsible=lead_department(),
        )
        ObjectionEvidence.objects.create(objection=objection, **FILE)
    return objection


def by_application(own: bool) -> Callable[[str, World], dict[str, Any]]:
    return lambda role, w: {"pk": _application(role, w, own).pk}


def by_material(own: bool) -> Callable[[str, World], dict[str, Any]]:
    return lambda role, w: {"pk": _application(role, w, own).materials.get().pk}


def by_objection(own: bool) -> Callable[[str, World], dict[str, Any]]:
    return lambda role, w: {"pk": _objection(role, w, own).pk}


def by_evidence(own: bool) -> Callable[[str, World], dict[str, Any]]:
    return lambda role, w: {"pk": _objection(role, w, own).evidence.get().pk}


ENTERPRISES = {"ent_a_user", "ent_b_user"}

# Enterprise-only pages on a record: own 200, another's 404; every other role 403.
ENTERPRISE_ON_RECORD = {**only(ENTERPRISES), "ent_a_user": (200, 404), "ent_b_user": (200, 404)}

# Applications, objections and their files: park roles see all, the enterprise its own.
CASE_OBJECT = {
    **{role: (404, 404) for role in CAST},
    **{role: (200, 200) for role in PARK},
    "ent_a_user": (200, 404),
    "ent_b_user": (200, 404),
    "anon": (302, 302),
}

ROWS: tuple[Row, ...] = (
    Row("repair_workflow:mine", "get", only(ENTERPRISES)),
    Row("repair_workflow:apply", "get", ENTERPRISE_ON_RECORD, by_record(True), by_record(False)),
    Row("repair_workflow:detail", "get", CASE_OBJECT, by_application(True), by_application(False)),
    # Without a decision the editors are sent back to the page with an explanation.
    Row(
        "repair_workflow:action",
        "post",
        only(EDITORS, allowed=302),
        by_application(True),
        by_application(False),
    ),
    Row("repair_workflow:material", "get", CASE_OBJECT, by_material(True), by_material(False)),
    Row("repair_workflow:queue", "get", only(PARK)),
    Row("repair_workflow:figures", "get", only(PARK)),
    Row("objections:create", "get", ENTERPRISE_ON_RECORD, by_record(True), by_record(False)),
    Row("objections:detail", "get", CASE_OBJECT, by_objection(True), by_objection(False)),
    Row("objections:action", "post", only(EDITORS, allowed=302), by_objection(True), by_objection(False)),
    Row("objections:evidence", "get", CASE_OBJECT, by_evidence(True), by_evidence(False)),
)
