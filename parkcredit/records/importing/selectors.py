"""Reads for the import pages: batches, the 待关联 queue with suggestions, data quality per source.

Park roles (admin, department staff, inspector) see every batch and queued row; nobody else sees
any (404 for details, empty lists), because import files name many enterprises at once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from parkcredit.accounts.models import PARK_ROLES
from parkcredit.enterprises.models import Enterprise
from parkcredit.records.models import (
    BatchStatus,
    CreditRecord,
    DataSource,
    ImportBatch,
    UnmatchedRow,
    UnmatchedState,
)

# Enterprises read per row to score names against: up to 8 name probes of 200 matches each.
CANDIDATES_PER_ROW = 1600


def _is_park(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and getattr(actor, "role", None) in PARK_ROLES)


def batch_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[ImportBatch]:
    """Import batches, newest first; filters: profile, source (code), status."""
    if not _is_park(actor):
        return ImportBatch.objects.none()
    queryset = ImportBatch.objects.select_related("source", "created_by", "undone_by", "job").defer(
        "error_file"
    )
    filters = filters or {}
    if filters.get("profile"):
        queryset = queryset.filter(profile=filters["profile"])
    if filters.get("source"):
        queryset = queryset.filter(source__code=filters["source"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    return queryset.order_by("-created_at", "-id")


def batch_get_for_actor(*, actor: Any, pk: int) -> ImportBatch:
    """One batch for a park user; Http404 when missing or not visible alike."""
    batch = batch_list(actor=actor).filter(pk=pk).first()
    if batch is None:
        raise Http404("导入批次不存在")
    return batch


def batch_error_file(*, actor: Any, pk: int) -> tuple[bytes, str]:
    """The error file's content and name; Http404 when the batch has none or is not visible."""
    batch = batch_get_for_actor(actor=actor, pk=pk)
    content = ImportBatch.objects.filter(pk=batch.pk).values_list("error_file", flat=True).first()
    if not content or not batch.error_file_name:
        raise Http404("该批次没有错误文件")
    return bytes(content), batch.error_file_name


def unmatched_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[UnmatchedRow]:
    """Queued rows; filters: state (default pending; "all" for every state), profile, batch, q."""
    if not _is_park(actor):
        return UnmatchedRow.objects.none()
    filters = filters or {}
    queryset = UnmatchedRow.objects.select_related("batch__source", "enterprise", "resolved_by")
    state = filters.get("state", UnmatchedState.PENDING)
    if state and state != "all":
        queryset = queryset.filter(state=state)
    if filters.get("profile"):
        queryset = queryset.filter(profile=filters["profile"])
    if filters.get("batch"):
        queryset = queryset.filter(batch_id=filters["batch"])
    if filters.get("q"):
        q = str(filters["q"]).strip()
        queryset = queryset.filter(subject_name__icontains=q) | queryset.filter(uscc__icontains=q)
    return queryset.order_by("-created_at", "batch_id", "number")


def unmatched_get_for_actor(*, actor: Any, pk: int) -> UnmatchedRow:
    row = unmatched_list(actor=actor, filters={"state": "all"}).filter(pk=pk).first()
    if row is None:
        raise Http404("待关联数据不存在")
    return row


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An enterprise whose name resembles the queued row's subject: offered, never applied."""

    enterprise: Enterprise
    score: float


def _probes(name: str) -> set[str]:
    # Narrow by a few characters of the name before scoring, so the archive is not read whole.
    probes = {name[i : i + 2] for i in range(0, max(len(name) - 1, 1), 2)} - {""}
    return set(sorted(probes)[:8])


def _candidates(actor: Any, probes: set[str], cap: int) -> list[Enterprise]:
    """Visible enterprises whose name holds any probe, in one query."""
    if not probes:
        return []
    match = Q()
    for probe in probes:
        match |= Q(name__icontains=probe)
    return list(Enterprise.objects.visible_to(actor).filter(match).order_by("pk")[:cap])


def _best(name: str, candidates: list[Enterprise], limit: int) -> list[Suggestion]:
    scored = [
        Suggestion(enterprise, round(difflib.SequenceMatcher(None, name, enterprise.name).ratio(), 3))
        for enterprise in candidates
    ]
    scored = [s for s in scored if s.score >= 0.5]
    scored.sort(key=lambda s: (-s.score, s.enterprise.name))
    return scored[:limit]


def unmatched_suggestions(*, actor: Any, row: UnmatchedRow, limit: int = 5) -> list[Suggestion]:
    """Enterprises with a similar name (difflib ratio ≥ 0.5), best first; a name match is only a hint."""
    if not _is_park(actor) or not row.subject_name:
        return []
    name = row.subject_name
    return _best(name, _candidates(actor, _probes(name), CANDIDATES_PER_ROW), limit)


def unmatched_suggestions_for_rows(
    *, actor: Any, rows: list[UnmatchedRow], limit: int = 3
) -> dict[int, list[Suggestion]]:
    """`unmatched_suggestions` for a page of pending rows, from one candidate query for the page.

    The queue page would otherwise query once per row; the candidate set is the union of every
    row's probes, and each row is scored against the candidates that share one of its probes.
    """
    named = [row for row in rows if row.state == UnmatchedState.PENDING and row.subject_name]
    if not _is_park(actor) or not named:
        return {}
    probes = {row.pk: _probes(row.subject_name) for row in named}
    pool = _candidates(actor, set().union(*probes.values()), CANDIDATES_PER_ROW * len(named))
    out: dict[int, list[Suggestion]] = {}
    for row in named:
        mine = [e for e in pool if any(p.lower() in e.name.lower() for p in probes[row.pk])]
        out[row.pk] = _best(row.subject_name, mine, limit)
    return out


@dataclass
class SourceQuality:
    """Data quality of one source over its import batches."""

    source: DataSource
    batches: int
    rows: int
    errors: int
    unmatched: int
    last_import: datetime | None
    coverage: float  # share of in-park enterprises with at least one record from the source
    volume: list[tuple[date, int]] = field(default_factory=list)  # rows imported per month

    @property
    def error_rate(self) -> float:
        return self.errors / self.rows if self.rows else 0.0

    @property
    def unmatched_share(self) -> float:
        return self.unmatched / self.rows if self.rows else 0.0


def source_quality(*, actor: Any) -> list[SourceQuality]:
    """Per data source with at least one batch: volume by month, error rate, unmatched share,
    last import and coverage of the park's enterprises. Undone batches are left out."""
    if not _is_park(actor):
        return []
    in_park = Enterprise.objects.filter(in_park=True).count()
    batches = (
        ImportBatch.objects.exclude(status__in=[BatchStatus.UNDONE, BatchStatus.QUEUED, BatchStatus.RUNNING])
        .select_related("source")
        .only("source", "counts", "created_at", "status")
        .order_by("created_at")
    )
    stats: dict[int, SourceQuality] = {}
    volume: dict[int, dict[date, int]] = {}
    for batch in batches:
        counts = batch.counts or {}
        rows = sum(int(v) for v in counts.values())
        entry = stats.get(batch.source_id)
        if entry is None:
            entry = stats[batch.source_id] = SourceQuality(batch.source, 0, 0, 0, 0, None, 0.0)
        entry.batches += 1
        entry.rows += rows
        entry.errors += int(counts.get("error", 0))
        entry.unmatched += int(counts.get("unmatched", 0))
        entry.last_import = batch.created_at
        month = timezone.localdate(batch.created_at).replace(day=1)
        per_month = volume.setdefault(batch.source_id, {})
        per_month[month] = per_month.get(month, 0) + rows
    if stats:
        covered = (
            CreditRecord.objects.filter(source_id__in=stats, enterprise__in_park=True)
            .values("source_id")
            .annotate(n=Count("enterprise", distinct=True))
        )
        for item in covered:
            stats[item["source_id"]].coverage = item["n"] / in_park if in_park else 0.0
    for source_id, entry in stats.items():
        entry.volume = sorted(volume.get(source_id, {}).items())
    return sorted(stats.values(), key=lambda s: s.source.name)


def record_volume_by_month(*, actor: Any, source: DataSource) -> list[tuple[date, int]]:
    """Records written from one source per month (by entry time), for the volume chart."""
    if not _is_park(actor):
        return []
    rows = (
        CreditRecord.objects.filter(source=source)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"), last=Max("created_at"))
        .order_by("month")
    )
    return [(r["month"].date() if isinstance(r["month"], datetime) else r["month"], r["n"]) for r in rows]
