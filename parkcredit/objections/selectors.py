"""Reads of objections: scope per actor, one objection, and the late days of each."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from parkcredit.objections.models import Objection


def objection_list(*, actor: Any) -> QuerySet[Objection]:
    return Objection.objects.visible_to(actor).select_related(
        "record", "record__kind", "enterprise", "responsible", "submitted_by", "decided_by"
    )


def objection_submitted_with(*, actor: Any, token: str) -> Objection | None:
    """What `actor` submitted from the objection page carrying one-time token `token`, if anything."""
    return Objection.objects.submitted_with(actor, token).first()


def objection_open_for(*, actor: Any, record: Any) -> Objection | None:
    """The record's objection still being handled, if the actor may see it."""
    return objection_list(actor=actor).filter(record=record, state="open").first()


def objection_get_for_actor(actor: Any, pk: int) -> Objection:
    """The objection `pk` if the actor may see it; Http404 for missing and forbidden alike."""
    objection = objection_list(actor=actor).filter(pk=pk).first()
    if objection is None:
        raise Http404(_("异议不存在"))
    return objection


def open_objection_for(record: Any) -> Objection | None:
    """The record's objection still being handled (at most one: a database constraint)."""
    return Objection.objects.filter(record=record, state="open").first()
