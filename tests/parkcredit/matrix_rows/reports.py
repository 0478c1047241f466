"""Permission-matrix rows of the credit reports: generation (a POST) and downloads follow the
archive's scope (own enterprise, park staff, consented bank; everyone else 404); the verification
page is public."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.parkcredit.matrix_support import ARCHIVE_OBJECT, Row, World, by_enterprise, everyone


def by_report(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        from tests.parkcredit.reports.support import stored_report

        mine = w.ent_b if role == "ent_b_user" else w.ent_a
        theirs = w.ent_a if role == "ent_b_user" else w.ent_b
        return {"pk": stored_report(mine if own else theirs).pk}

    return kwargs


def by_report_no(role: str, w: World) -> dict[str, Any]:
    from tests.parkcredit.reports.support import stored_report

    return {"report_no": stored_report(w.ent_a).report_no}


# Generating answers with a redirect to the new report's PDF where the archive page would be shown.
GENERATE = {
    role: (302 if own == 200 else own, 302 if other == 200 else other)
    for role, (own, other) in ARCHIVE_OBJECT.items()
}

ROWS: tuple[Row, ...] = (
    Row("reports:generate", "post", GENERATE, by_enterprise(True), by_enterprise(False)),
    Row("reports:pdf", "get", ARCHIVE_OBJECT, by_report(True), by_report(False)),
    Row("reports:verify", "get", everyone(200, anon=200), by_report_no, by_report_no),
)
