"""Shared pieces of the role × object permission matrix: the world of objects, the row type,
the status tables and the URL-argument builders. Feature rows live in `tests/parkcredit/matrix_rows/`
(one module per app, each exporting `ROWS`), so apps add their rows without editing one big file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from parkcredit.accounts.models import User
from parkcredit.accounts.services import api_token_create
from parkcredit.jobs.models import Job
from parkcredit.records.models import ImportBatch, UnmatchedRow
from tests import factories as f
from tests.conftest import CAST

ROLES = (*CAST, "anon")


@dataclass
class World:
    """The objects a row's URL points at. Jobs and API tokens are made only for the rows that use
    them: creating them (a token writes an audit entry) for each of the ~2,000 cases was most of
    the matrix's run time."""

    users: dict[str, User]
    ent_a: Any
    ent_b: Any
    record_a: Any
    record_b: Any
    bystander: User

    @cached_property
    def jobs(self) -> dict[str, Job]:
        return {
            name: Job.objects.create(kind="test", title="自测", created_by=user)
            for name, user in self.users.items()
        }

    @cached_property
    def other_job(self) -> Job:
        return Job.objects.create(kind="test", title="他人任务", created_by=self.bystander)

    @cached_property
    def tokens(self) -> dict[str, int]:
        return {
            name: api_token_create(actor=None, user=user, name="matrix")[1].pk
            for name, user in self.users.items()
        }

    @cached_property
    def other_token(self) -> int:
        return api_token_create(actor=None, user=self.bystander, name="other")[1].pk


# How to build the URL for the actor's own object and for another's: (role, world) -> kwargs.
def by_enterprise(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        mine = w.ent_b if role == "ent_b_user" else w.ent_a
        theirs = w.ent_a if role == "ent_b_user" else w.ent_b
        return {"pk": (mine if own else theirs).pk}

    return kwargs


def by_record(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        mine = w.record_b if role == "ent_b_user" else w.record_a
        theirs = w.record_a if role == "ent_b_user" else w.record_b
        return {"pk": (mine if own else theirs).pk}

    return kwargs


def by_uscc(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        return {
            "uscc": w.ent_a.uscc
            if (own and role != "ent_b_user") or (not own and role == "ent_b_user")
            else w.ent_b.uscc
        }

    return kwargs


def by_job(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        job = w.jobs[role] if own and role in w.jobs else w.other_job
        return {"pk": job.pk}

    return kwargs


def by_user(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        user = w.users[role] if own and role in w.users else w.users["ent_b_user"]
        return {"pk": user.pk}

    return kwargs


def by_token(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        return {"pk": w.tokens[role] if own and role in w.tokens else w.other_token}

    return kwargs


# Import batches and queued rows are park-wide: "own" and "another's" are the same object.
def by_batch(error_file: bool = False) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        batch = ImportBatch.objects.create(
            source=f.data_source(),
            label="矩阵批次",
            profile="penalty",
            file_name="penalty.csv",
            created_by=w.users["dept_staff"],
            error_file=b"x" if error_file else None,
            error_file_name="penalty-errors.csv" if error_file else "",
        )
        return {"pk": batch.pk}

    return kwargs


def by_unmatched(role: str, w: World) -> dict[str, Any]:
    batch = ImportBatch.objects.create(source=f.data_source(), label="矩阵批次", profile="penalty")
    row = UnmatchedRow.objects.create(batch=batch, number=2, profile="penalty", subject_name="丙贸易有限公司")
    return {"pk": row.pk}


def by_sample(role: str, w: World) -> dict[str, Any]:
    return {"name": "penalty"}


@dataclass(frozen=True)
class Row:
    url_name: str
    method: str
    # role -> (status for own object, status for another's object); one value when no object.
    expected: dict[str, tuple[int, int]]
    own: Callable[[str, World], dict[str, Any]] | None = None
    other: Callable[[str, World], dict[str, Any]] | None = None


def same(**statuses: int) -> dict[str, tuple[int, int]]:
    return {role: (status, status) for role, status in statuses.items()}


def everyone(status: int, anon: int = 302, **overrides: int) -> dict[str, tuple[int, int]]:
    table = {role: (status, status) for role in CAST}
    table["anon"] = (anon, anon)
    table.update({role: (s, s) for role, s in overrides.items()})
    return table


def only(roles: set[str], allowed: int = 200, denied: int = 403) -> dict[str, tuple[int, int]]:
    table = {role: ((allowed, allowed) if role in roles else (denied, denied)) for role in CAST}
    table["anon"] = (302, 302)
    return table


def by_scoring_model(state: str, with_pk: bool = True) -> Callable[[str, World], dict[str, Any]]:
    """A scoring model in `state` (created on first use); `with_pk=False` only makes sure it
    exists, for URLs without an object (the rescore button needs a published model)."""

    def kwargs(role: str, w: World) -> dict[str, Any]:
        from parkcredit.scoring.models import ScoringModel
        from tests.parkcredit.scoring.test_views_support import make_model

        model = ScoringModel.objects.filter(state=state).first() or make_model(
            state, version=ScoringModel.objects.count() + 1, created_by=w.users["dept_staff"]
        )
        return {"pk": model.pk} if with_pk else {}

    return kwargs


PARK = {"park_admin", "dept_staff", "inspector"}
EDITORS = {"park_admin", "dept_staff"}

# Objects: park roles see both enterprises; an enterprise user its own; bank_user the consented
# enterprise A; everyone else nothing.
ARCHIVE_OBJECT = {
    **{role: (200, 200) for role in PARK},
    "ent_a_user": (200, 404),
    "ent_b_user": (200, 404),
    "bank_user": (200, 404),
    "bank_unauthorised_user": (404, 404),
    "system_admin": (404, 404),
    "security_admin": (404, 404),
    "auditor": (404, 404),
    "anon": (302, 302),
}
