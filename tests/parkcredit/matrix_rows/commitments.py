"""Permission-matrix rows for credit commitments: the public list and public details are open to
everyone; a commitment's page follows the archive scope (park roles, the enterprise itself, a
consented bank); signing is for enterprise users (own enterprise) and park department staff
(government templates); staff actions, the check and template maintenance are for archive editors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import CAST
from tests.parkcredit.matrix_support import ARCHIVE_OBJECT, EDITORS, PARK, Row, World, everyone, only


def _commitment(enterprise: Any, w: World) -> Any:
    from parkcredit.commitments.models import Commitment, CommitmentTemplate
    from parkcredit.commitments.services import commitment_sign

    found = Commitment.objects.filter(enterprise=enterprise).first()
    if found is not None:
        return found
    template = CommitmentTemplate.objects.get(code="registration", is_current=True)
    # Registered at the window by staff, public, so the same object serves every row.
    return commitment_sign(
        actor=w.users["dept_staff"], enterprise=enterprise, template=template, is_public=True
    )


def by_commitment(own: bool, *, public: bool = False) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        mine = w.ent_b if role == "ent_b_user" else w.ent_a
        theirs = w.ent_a if role == "ent_b_user" else w.ent_b
        commitment = _commitment(mine if own else theirs, w)
        return {"number": commitment.number} if public else {"pk": commitment.pk}

    return kwargs


def by_signable_template(own: bool) -> Callable[[str, World], dict[str, Any]]:
    """Own: a template the role may sign (government for park editors, enterprise otherwise);
    other: one it may not."""

    def kwargs(role: str, w: World) -> dict[str, Any]:
        from parkcredit.commitments.models import CommitmentTemplate

        government = (role in EDITORS) == own
        code = "government-policy" if government else "registration"
        return {"pk": CommitmentTemplate.objects.get(code=code, is_current=True).pk}

    return kwargs


def by_current_template(role: str, w: World) -> dict[str, Any]:
    from parkcredit.commitments.models import CommitmentTemplate

    return {"pk": CommitmentTemplate.objects.get(code="policy", is_current=True).pk}


SIGNERS = EDITORS | {"ent_a_user", "ent_b_user"}
SIGN = {role: ((200, 404) if role in SIGNERS else (403, 403)) for role in CAST} | {"anon": (302, 302)}

ROWS: tuple[Row, ...] = (
    Row("commitments:public", "get", everyone(200, anon=200)),
    Row(
        "commitments:public_detail",
        "get",
        everyone(200, anon=200),
        by_commitment(True, public=True),
        by_commitment(False, public=True),
    ),
    Row("commitments:mine", "get", only(SIGNERS)),
    Row("commitments:sign", "get", SIGN, by_signable_template(True), by_signable_template(False)),
    Row("commitments:detail", "get", ARCHIVE_OBJECT, by_commitment(True), by_commitment(False)),
    # An empty POST: editors pass access control and are sent back with an explanation.
    Row("commitments:deliver", "post", only(EDITORS, allowed=302), by_commitment(True), by_commitment(False)),
    Row("commitments:breach", "post", only(EDITORS, allowed=302), by_commitment(True), by_commitment(False)),
    Row("commitments:list", "get", only(PARK)),
    Row("commitments:check", "post", only(EDITORS, allowed=302)),
    Row("commitments:templates", "get", only(PARK)),
    Row("commitments:template_create", "get", only(EDITORS)),
    Row("commitments:template_edit", "get", only(EDITORS), by_current_template, by_current_template),
)
