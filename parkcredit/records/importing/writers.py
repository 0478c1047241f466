"""Writing parsed rows of one batch: credit records, observations, relations, archive entries.

A sink takes the rows of one chunk at a time, so lookups (enterprises by USCC, existing records
by source reference) are one query per chunk, not per row. New credit records, the bulk of any
large file, are inserted with one `executemany` per chunk and their CREATED events with one
`INSERT ... SELECT`; corrections and revocations are rare and go through the ORM row by row.
Everything runs inside the batch's transaction, opened by the service. For a large record file,
`RecordSink.feed_prepared` takes chunks already parsed and checked by the reading process
(`creditcore.collection.pipeline`) with the same outcome as `feed`.
"""

# Table and column names in the raw SQL below come from the models, never from input.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from creditcore.catalogue import METRICS, RELATION_LABELS
from creditcore.collection.pipeline import (
    AMOUNT_LIMIT,
    KindRule,
    PayloadJSON,
    PreparedChunk,
    prepared_source,
    record_check,
)
from creditcore.collection.readers import SourceRow
from creditcore.collection.rows import ParsedRow
from creditcore.collection.values import CENT
from creditcore.ledger import EventType, InvalidTransition, apply_event
from parkcredit.enterprises.models import Enterprise, EnterpriseStatus
from parkcredit.records.models import (
    CreditRecord,
    DataSource,
    ImportBatch,
    Observation,
    RecordEvent,
    RecordKind,
    Relation,
    UnmatchedRow,
)
from parkcredit.records.selectors import events_fold

METRICS_BY_CODE = {m.code: m for m in METRICS}
RELATION_TYPES = {str(r.value) for r in RELATION_LABELS}
WEIGHT_QUANTUM = Decimal("0.0001")
# Content that makes two versions of one source reference differ; payload columns do not count
# (a re-sent file may add or rename columns without changing the decision).
RECORD_CONTENT = ("enterprise_id", "severity", "occurred_on", "decided_on", "amount", "authority", "summary")
# Archive fields the enterprise profile may set; a change of any of them is a registration change.
ARCHIVE_FIELDS = {
    "name": "企业名称",
    "legal_representative": "法定代表人",
    "registered_capital": "注册资本",
    "founded_on": "成立日期",
    "industry_code": "国民经济行业代码",
    "industry_name": "行业名称",
    "address": "经营地址",
    "status": "登记状态",
}


def jsonable(value: Any) -> Any:
    """Parsed values as JSON: dates ISO, Decimals as strings (exact)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class RowRejected(Exception):
    """A parsed row the ledger cannot take; `column`, `value`, `reason` go to the error report."""

    def __init__(self, column: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.value = "" if value is None else str(jsonable(value))
        self.reason = reason


@dataclass
class BatchContext:
    """What every sink of one batch shares: who, where from, when, and the running counts."""

    actor: Any
    source: DataSource
    batch: ImportBatch
    profile: str
    now: datetime = field(default_factory=timezone.now)
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "new": 0,
            "duplicate": 0,
            "corrected": 0,
            "revoked": 0,
            "error": 0,
            "unmatched": 0,
        }
    )
    rejected: list[tuple[SourceRow, list[tuple[str, str, str]]]] = field(default_factory=list)
    written: dict[str, list[int]] = field(default_factory=dict)
    # Existing pending queue entries by (uscc, subject name) → parsed dicts, for idempotency.
    _queued: dict[tuple[str, str], list[dict[str, Any]]] | None = None

    @property
    def actor_id(self) -> int | None:
        return self.actor.pk if getattr(self.actor, "is_authenticated", False) else None

    def reject(self, row: SourceRow, problems: list[tuple[str, str, str]]) -> None:
        self.counts["error"] += 1
        self.rejected.append((row, problems))

    def note_written(self, what: str, ids: Iterable[int]) -> None:
        self.written.setdefault(what, []).extend(ids)


class EnterpriseIndex:
    """USCC → enterprise id, filled one chunk at a time; None caches a miss."""

    def __init__(self) -> None:
        self._ids: dict[str, int | None] = {}

    def load(self, usccs: Iterable[str]) -> None:
        wanted = {u for u in usccs if u and u not in self._ids}
        if not wanted:
            return
        found = dict(Enterprise.objects.filter(uscc__in=wanted).values_list("uscc", "id"))
        for uscc in wanted:
            self._ids[uscc] = found.get(uscc)

    def get(self, uscc: str) -> int | None:
        return self._ids.get(uscc) if uscc else None

    def put(self, uscc: str, pk: int) -> None:
        self._ids[uscc] = pk


def queue_unmatched(
    ctx: BatchContext, parsed: ParsedRow, *, uscc: str, name: str, missing: str = "subject"
) -> bool:
    """Put a valid row whose subject is unknown in the 待关联 queue; False if it already waits there."""
    fields = jsonable(parsed.fields)
    fields["_missing"] = missing
    if ctx._queued is None:
        ctx._queued = {}
        pending = UnmatchedRow.objects.filter(profile=ctx.profile, state="pending", batch__source=ctx.source)
        for entry in pending.values("uscc", "subject_name", "parsed"):
            ctx._queued.setdefault((entry["uscc"], entry["subject_name"]), []).append(entry["parsed"])
    waiting = ctx._queued.setdefault((uscc, name), [])
    if fields in waiting:
        return False
    waiting.append(fields)
    UnmatchedRow.objects.create(
        batch=ctx.batch,
        number=parsed.number,
        profile=ctx.profile,
        uscc=uscc,
        subject_name=name[:200],
        parsed=fields,
        payload=parsed.payload,
    )
    return True


# --- credit records --------------------------------------------------------------------------------


class RecordSink:
    """Credit records: new ones in bulk, duplicates counted, corrections and revocations as events."""

    def __init__(self, ctx: BatchContext, enterprises: EnterpriseIndex) -> None:
        self.ctx = ctx
        self.enterprises = enterprises
        self.kinds = {k.code: k for k in RecordKind.objects.all()}
        self.kind_rules = {
            k.code: KindRule(
                id=k.pk, name=k.name, is_active=k.is_active, severities=tuple(k.severities or ())
            )
            for k in self.kinds.values()
        }
        # Parses one source row again (set by the importer when chunks come prepared from the
        # reading process): rows leaving the bulk path take the ordinary one.
        self.reparse: Callable[[SourceRow], ParsedRow | list[Any]] | None = None
        self.pending: list[tuple[Any, ...]] = []
        self.pending_keys: set[tuple[int, str]] = set()
        self.seen: set[int] = set()
        self.prior: dict[int, bool] = {}
        self._prep = _Prep()
        self._constants: tuple[Any, ...] | None = None
        self.today = timezone.localdate(ctx.now)
        self.table = CreditRecord._meta.db_table
        self.insert_sql = (
            f"INSERT INTO {self.table} (enterprise_id, kind_id, source_id, source_ref, severity, "
            "occurred_on, decided_on, amount, authority, summary, payload, batch_id, created_at, "
            "created_by_id, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )

    copy_sql = (
        f"COPY {CreditRecord._meta.db_table} (enterprise_id, kind_id, source_id, source_ref, severity, "
        "occurred_on, decided_on, amount, authority, summary, payload, batch_id, created_at, created_by_id, "
        "version) FROM STDIN"
    )

    def check(self, fields: dict[str, Any]) -> RecordKind:
        problem = record_check(fields, self.kind_rules, self.today)
        if problem is not None:
            raise RowRejected(*problem)
        return self.kinds[fields["kind"]]

    def feed(self, chunk: list[tuple[ParsedRow, SourceRow]]) -> None:
        ctx = self.ctx
        accepted: list[tuple[ParsedRow, SourceRow, RecordKind]] = []
        for parsed, row in chunk:
            try:
                accepted.append((parsed, row, self.check(parsed.fields)))
            except RowRejected as exc:
                ctx.reject(row, [(exc.column, exc.value, exc.reason)])
        self.enterprises.load(p.fields.get("uscc", "") for p, _, _ in accepted)
        matched: list[tuple[ParsedRow, SourceRow, RecordKind, int]] = []
        for parsed, row, kind in accepted:
            enterprise_id = self.enterprises.get(parsed.fields.get("uscc", ""))
            if enterprise_id is None:
                fields = parsed.fields
                queued = queue_unmatched(
                    ctx, parsed, uscc=fields.get("uscc", ""), name=fields.get("subject_name", "")
                )
                ctx.counts["unmatched" if queued else "duplicate"] += 1
            else:
                matched.append((parsed, row, kind, enterprise_id))
        current = self._current(
            {
                key
                for key in ((k.id, p.fields["source_ref"]) for p, _, k, _ in matched)
                if self._may_exist(key)
            }
        )
        seen = self.seen
        for parsed, row, kind, enterprise_id in matched:
            key = (kind.id, parsed.fields["source_ref"])
            known = current.get(key)
            if known is _PENDING or key in self.pending_keys:
                # The same reference twice in one chunk: write the first before comparing.
                self.flush()
                current.update(self._current({key}))
                known = current.get(key)
            try:
                outcome = self._one(parsed, kind, enterprise_id, known)
            except RowRejected as exc:
                ctx.reject(row, [(exc.column, exc.value, exc.reason)])
                continue
            current[key] = _PENDING if outcome is None else outcome
            seen.add(hash(key))
        self.flush()

    def feed_prepared(self, chunk: PreparedChunk) -> None:
        """`feed` for a chunk read, parsed and checked in the reading process (see `pipeline`).

        Same steps in the same order as `feed`. A new row of a known subject whose reference the
        ledger cannot hold yet goes straight to the bulk insert as the reading process built it;
        any other row (unknown subject, reference that may exist, marked revoked) is parsed again
        here and takes the ordinary path of `_one`.
        """
        ctx = self.ctx
        for values, problem in chunk.check_rejects:
            ctx.reject(SourceRow(*values), [problem])
        rows = chunk.rows
        self.enterprises.load(r[1] for r in rows)
        lookup = self.enterprises.get
        matched = []
        for row in rows:
            enterprise_id = lookup(row[1])
            if enterprise_id is None:
                parsed, _kind = self._reparsed(row)
                fields = parsed.fields
                queued = queue_unmatched(
                    ctx, parsed, uscc=fields.get("uscc", ""), name=fields.get("subject_name", "")
                )
                ctx.counts["unmatched" if queued else "duplicate"] += 1
            else:
                matched.append((row, self.kinds[row[2]].id, enterprise_id))
        current = self._current(
            {key for key in ((kind_id, r[3]) for r, kind_id, _ in matched) if self._may_exist(key)}
        )
        seen, pending, pending_keys, counts = self.seen, self.pending, self.pending_keys, ctx.counts
        source_id, batch_id, now, actor_id = self._batch_constants()
        for row, kind_id, enterprise_id in matched:
            key = (kind_id, row[3])
            known = current.get(key)
            if known is _PENDING or key in pending_keys:
                self.flush()
                pending = self.pending
                pending_keys = self.pending_keys
                current.update(self._current({key}))
                known = current.get(key)
            if known is None and not row[4]:
                # What `_one` and `_row` do for a new row, from the values the reader built. The
                # dates (ISO) and the amount (decimal text) stay text: SQLite stores them as such,
                # and PostgreSQL's text-format COPY parses text into any column type anyway, so
                # turning them into date and Decimal here would only be turned back into text.
                pending.append(
                    (
                        enterprise_id,
                        kind_id,
                        source_id,
                        row[3],
                        row[5],
                        row[6],
                        row[7],
                        row[8],
                        row[9],
                        row[10],
                        row[11],
                        batch_id,
                        now,
                        actor_id,
                        1,
                    )
                )
                pending_keys.add(key)
                counts["new"] += 1
                outcome = None
            else:
                parsed, kind = self._reparsed(row)
                try:
                    outcome = self._one(parsed, kind, enterprise_id, known)
                except RowRejected as exc:
                    ctx.reject(prepared_source(row), [(exc.column, exc.value, exc.reason)])
                    continue
                pending = self.pending
                pending_keys = self.pending_keys
            current[key] = _PENDING if outcome is None else outcome
            seen.add(hash(key))
        self.flush()

    def _reparsed(self, row: Any) -> tuple[ParsedRow, RecordKind]:
        assert self.reparse is not None, "feed_prepared needs the importer's reparse"
        parsed = self.reparse(prepared_source(row))
        if isinstance(parsed, list):  # pragma: no cover - the reading process parsed it
            raise RuntimeError(f"第 {row[0]} 行再次解析失败")
        return parsed, self.check(parsed.fields)

    def _may_exist(self, key: tuple[int, str]) -> bool:
        """Whether the ledger may hold this reference: skips the lookup for a first import.

        A source that had no record of the kind before this batch can only hold the references the
        batch itself wrote, which `seen` remembers as hashes (a collision merely costs a lookup).
        """
        kind_id = key[0]
        prior = self.prior.get(kind_id)
        if prior is None:
            prior = self.prior[kind_id] = CreditRecord.objects.filter(
                source=self.ctx.source, kind_id=kind_id
            ).exists()
        return prior or hash(key) in self.seen

    def _fingerprint(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            values.get(name) if name != "amount" else _cents(values.get(name)) for name in RECORD_CONTENT
        )

    def _current(self, keys: set[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
        if not keys:
            return {}
        refs = {ref for _, ref in keys}
        kind_ids = {kind_id for kind_id, _ in keys}
        found: dict[tuple[int, str], dict[str, Any]] = {}
        rows = CreditRecord.objects.filter(
            source=self.ctx.source, kind_id__in=kind_ids, source_ref__in=refs
        ).values("id", "kind_id", "source_ref", "version", *RECORD_CONTENT)
        for values in rows:
            key = (values["kind_id"], values["source_ref"])
            if key in keys and (key not in found or found[key]["version"] < values["version"]):
                found[key] = values
        return found

    def _one(
        self, parsed: ParsedRow, kind: RecordKind, enterprise_id: int, existing: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        fields = parsed.fields
        values = {
            "enterprise_id": enterprise_id,
            "severity": fields.get("severity") or "",
            "occurred_on": fields.get("occurred_on"),
            "decided_on": fields["decided_on"],
            "amount": fields.get("amount"),
            "authority": fields.get("authority") or "",
            "summary": fields.get("summary") or "",
        }
        counts = self.ctx.counts
        revoked = bool(fields.get("revoked"))
        if existing is None:
            if revoked:
                record = self._create(
                    kind, fields["source_ref"], values, parsed.payload, version=1, supersedes=None
                )
                self._event(record.pk, EventType.REVOKED, "来源标注该决定已撤销")
                counts["revoked"] += 1
                return {
                    "id": record.pk,
                    "version": 1,
                    "kind_id": kind.pk,
                    "source_ref": record.source_ref,
                    **values,
                }
            self.pending.append(self._row(kind, fields["source_ref"], values, parsed.payload))
            self.pending_keys.add((kind.id, fields["source_ref"]))
            counts["new"] += 1
            return None
        same = self._fingerprint(existing) == self._fingerprint(values)
        if same and not revoked:
            counts["duplicate"] += 1
            return existing
        state = events_fold(RecordEvent.objects.filter(record_id=existing["id"]).order_by("at", "id"))
        if same:
            if revoked and state.status.value != "revoked":
                self._transition(existing["id"], state, EventType.REVOKED, "来源标注该决定已撤销")
                # An earlier batch's record: undoing this batch must bring it back.
                self.ctx.note_written("revocations", [existing["id"]])
                counts["revoked"] += 1
            else:
                counts["duplicate"] += 1
            return existing
        self._transition(existing["id"], state, EventType.CORRECTED, "来源重新报送了更正后的内容")
        record = self._create(
            kind,
            fields["source_ref"],
            values,
            parsed.payload,
            version=existing["version"] + 1,
            supersedes=existing["id"],
        )
        if revoked:
            self._event(record.pk, EventType.REVOKED, "来源标注该决定已撤销")
            counts["revoked"] += 1
        else:
            counts["corrected"] += 1
        return {
            "id": record.pk,
            "version": record.version,
            "kind_id": kind.pk,
            "source_ref": record.source_ref,
            **values,
        }

    def _transition(self, record_id: int, state: Any, event: EventType, note: str) -> None:
        try:
            apply_event(state, event)
        except InvalidTransition as exc:
            raise RowRejected("决定文书号", "", f"已入库的同文号记录{exc}") from None
        self._event(record_id, event, note)

    def _event(self, record_id: int, event: EventType, note: str) -> None:
        RecordEvent.objects.create(
            record_id=record_id,
            event_type=event.value,
            at=timezone.now(),
            actor_id=self.ctx.actor_id,
            note=note,
            payload={"batch": self.ctx.batch.pk},
        )

    def _create(
        self,
        kind: RecordKind,
        ref: str,
        values: dict[str, Any],
        payload: dict[str, str],
        *,
        version: int,
        supersedes: int | None,
    ) -> CreditRecord:
        record = CreditRecord(
            kind=kind,
            source=self.ctx.source,
            source_ref=ref,
            payload=payload,
            batch=self.ctx.batch,
            version=version,
            supersedes_id=supersedes,
            created_by_id=self.ctx.actor_id,
            **values,
        )
        # Pending bulk rows first, so the set-based CREATED insert of `flush` never sees this row.
        self.flush()
        record.save(force_insert=True)
        self._event(record.pk, EventType.CREATED, "")
        return record

    def _batch_constants(self) -> tuple[Any, ...]:
        """Source, batch, time and importer: the same for every row of the batch."""
        if self._constants is None:
            ctx = self.ctx
            self._constants = (ctx.source.pk, ctx.batch.pk, self._prep.now(ctx.now), ctx.actor_id)
        return self._constants

    def _row(
        self, kind: RecordKind, ref: str, values: dict[str, Any], payload: dict[str, str]
    ) -> tuple[Any, ...]:
        prep = self._prep
        source_id, batch_id, now, actor_id = self._batch_constants()
        occurred, amount = values["occurred_on"], values["amount"]
        if prep.sqlite:
            # The strings Django itself would send; inline because this runs once per new row.
            occurred = occurred and occurred.isoformat()
            decided = values["decided_on"].isoformat()
            amount = None if amount is None else str(amount)
        else:
            decided = values["decided_on"]
        return (
            values["enterprise_id"],
            kind.id,
            source_id,
            ref,
            values["severity"],
            occurred,
            decided,
            amount,
            values["authority"],
            values["summary"],
            prep.json(payload),
            batch_id,
            now,
            actor_id,
            1,
        )

    def flush(self) -> None:
        """Insert the pending new records and their CREATED events."""
        if not self.pending:
            return
        prep = self._prep
        with connection.cursor() as cursor:
            # The highest id before this insert, by primary key (constant time): the new rows of the
            # batch are exactly those above it, whatever other batches commit meanwhile.
            cursor.execute(f"SELECT MAX(id) FROM {self.table}")
            before = cursor.fetchone()[0] or 0
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path; executemany would cost a round trip per row.
            with connection.connection.cursor() as raw, raw.copy(self.copy_sql) as copy:
                for values in self.pending:
                    copy.write_row(values)
        else:
            with connection.cursor() as cursor:
                cursor.executemany(self.insert_sql, self.pending)
        with connection.cursor() as cursor:
            # ORDER BY id: the events get their ids in record order whatever the table's physical
            # layout (PostgreSQL's COPY may put a row into an earlier page's free space).
            cursor.execute(
                f"INSERT INTO {RecordEvent._meta.db_table} "
                "(record_id, event_type, at, recorded_at, actor_id, "
                "note, payload) SELECT id, %s, %s, %s, %s, '', %s "
                f"FROM {self.table} WHERE id > %s AND batch_id = %s ORDER BY id",
                [
                    EventType.CREATED.value,
                    prep.now_param(self.ctx.now),
                    prep.now_param(self.ctx.now),
                    self.ctx.actor_id,
                    prep.json_param({}),
                    before,
                    self.ctx.batch.pk,
                ],
            )
        self.pending = []
        self.pending_keys = set()


_PENDING: dict[str, Any] = {}


def _cents(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(CENT)


class _Prep:
    """Row values for the bulk path, as the backend's driver wants them.

    SQLite gets the strings Django itself would send (ISO dates, decimal text, JSON text);
    PostgreSQL's COPY takes Python values and JSON text directly.
    """

    def __init__(self) -> None:
        self.ops = connection.ops
        self.sqlite = connection.vendor == "sqlite"
        self.json_field = CreditRecord._meta.get_field("payload")
        self._now: tuple[datetime, Any] | None = None
        self._json = PayloadJSON()

    def json(self, value: dict[str, Any]) -> str:
        """The payload as JSON text (see `PayloadJSON`)."""
        return self._json(value)

    def json_param(self, value: dict[str, Any]) -> Any:
        """A JSON value as a query parameter (not for COPY)."""
        return self.json_field.get_db_prep_save(value, connection)

    def now(self, value: datetime) -> Any:
        if not self.sqlite:
            return value
        if self._now is None or self._now[0] != value:
            self._now = (value, self.ops.adapt_datetimefield_value(value))
        return self._now[1]

    def now_param(self, value: datetime) -> Any:
        return self.ops.adapt_datetimefield_value(value)


# --- observations ----------------------------------------------------------------------------------


class ObservationSink:
    """Bills, readings, statistics and findings, keyed by enterprise + metric + period + source.

    The same values again are duplicates. A settlement date for a bill that was open is the one
    accepted change (counted as corrected, the previous state kept in the payload's history);
    any other difference is refused as an error row (数值与已入库数据不一致): the existing
    figure stays and staff decide.
    """

    def __init__(self, ctx: BatchContext, enterprises: EnterpriseIndex) -> None:
        self.ctx = ctx
        self.enterprises = enterprises
        self.today = timezone.localdate()

    def check(self, fields: dict[str, Any]) -> tuple[str, date, Decimal]:
        spec = METRICS_BY_CODE.get(fields.get("metric") or "")
        if spec is None:
            raise RowRejected(
                "指标", fields.get("metric"), f"指标「{fields.get('metric')}」不在园区指标目录中"
            )
        period = fields["period"].replace(day=1)
        if period > self.today:
            raise RowRejected("期间", period, f"期间 {period:%Y-%m} 晚于本月,不能登记未来的数据")
        try:
            value = Decimal(fields["value"])
        except (InvalidOperation, TypeError, ValueError):
            raise RowRejected("数值", fields["value"], "数值无效") from None
        if value < 0 or value >= AMOUNT_LIMIT:
            raise RowRejected("数值", value, f"{spec.name}数值 {value} 不能为负数且不能超出允许范围")
        if not spec.is_bill:
            fields["due_on"] = fields["due_on"] if fields.get("metric") == "safety_findings" else None
            if fields.get("metric") != "safety_findings":
                fields["settled_on"] = None
        return spec.code, period, value.quantize(CENT)

    def feed(self, chunk: list[tuple[ParsedRow, SourceRow]]) -> None:
        ctx = self.ctx
        self.enterprises.load(p.fields.get("uscc", "") for p, _ in chunk)
        new: list[Observation] = []
        keys: dict[tuple[int, str, date], Observation] = {}
        candidates: list[tuple[ParsedRow, SourceRow, tuple[str, date, Decimal], int]] = []
        for parsed, row in chunk:
            try:
                checked = self.check(parsed.fields)
            except RowRejected as exc:
                ctx.reject(row, [(exc.column, exc.value, exc.reason)])
                continue
            enterprise_id = self.enterprises.get(parsed.fields.get("uscc", ""))
            if enterprise_id is None:
                f = parsed.fields
                queued = queue_unmatched(ctx, parsed, uscc=f.get("uscc", ""), name=f.get("subject_name", ""))
                ctx.counts["unmatched" if queued else "duplicate"] += 1
                continue
            candidates.append((parsed, row, checked, enterprise_id))
        existing = {
            (o.enterprise_id, o.metric, o.period): o
            for o in Observation.objects.filter(
                source=ctx.source,
                enterprise_id__in={c[3] for c in candidates},
                metric__in={c[2][0] for c in candidates},
                period__in={c[2][1] for c in candidates},
            )
        }
        for parsed, row, (metric, period, value), enterprise_id in candidates:
            key = (enterprise_id, metric, period)
            due, settled = parsed.fields.get("due_on"), parsed.fields.get("settled_on")
            current = existing.get(key) or keys.get(key)
            if current is None:
                observation = Observation(
                    enterprise_id=enterprise_id,
                    metric=metric,
                    period=period,
                    value=value,
                    due_on=due,
                    settled_on=settled,
                    source=ctx.source,
                    payload=parsed.payload,
                )
                keys[key] = observation
                new.append(observation)
                ctx.counts["new"] += 1
                continue
            try:
                self._compare(current, value, due, settled, pending=current.pk is None)
            except RowRejected as exc:
                ctx.reject(row, [(exc.column, exc.value, exc.reason)])
        created = Observation.objects.bulk_create(new, batch_size=2000)
        ctx.note_written("observations", [o.pk for o in created if o.pk is not None])

    def _compare(
        self, current: Observation, value: Decimal, due: date | None, settled: date | None, pending: bool
    ) -> None:
        ctx = self.ctx
        if current.value != value or (due is not None and current.due_on not in (None, due)):
            raise RowRejected(
                "数值",
                value,
                f"数值与已入库数据不一致(已入库 {current.value},到期日 {current.due_on or '无'});"
                "如需更正请联系数据管理员",
            )
        if settled is None or current.settled_on == settled:
            ctx.counts["duplicate"] += 1
            return
        if current.settled_on is not None:
            raise RowRejected("结清日", settled, f"结清日与已入库数据不一致(已入库 {current.settled_on})")
        if pending:
            current.settled_on = settled
            ctx.counts["duplicate"] += 1
            return
        history = list(current.payload.get("_history", [])) if isinstance(current.payload, dict) else []
        history.append({"settled_on": None, "changed_at": ctx.now.isoformat(), "batch": ctx.batch.pk})
        current.settled_on = settled
        current.payload = {**(current.payload or {}), "_history": history}
        current.save(update_fields=["settled_on", "payload"])
        ctx.note_written("settlements", [current.pk])
        ctx.counts["corrected"] += 1


# --- relations -------------------------------------------------------------------------------------


class RelationSink:
    """Supplier/customer/guarantee links keyed by both enterprises, type and start date.

    The same link with the same weight is a duplicate; a different weight is refused as an error
    row (record a new period instead). An unknown counterparty sends the row to the queue.
    """

    def __init__(self, ctx: BatchContext, enterprises: EnterpriseIndex) -> None:
        self.ctx = ctx
        self.enterprises = enterprises

    def feed(self, chunk: list[tuple[ParsedRow, SourceRow]]) -> None:
        ctx = self.ctx
        self.enterprises.load(
            u for p, _ in chunk for u in (p.fields.get("uscc", ""), p.fields.get("counterparty_uscc", ""))
        )
        for parsed, row in chunk:
            f = parsed.fields
            try:
                self._one(parsed, f)
            except RowRejected as exc:
                ctx.reject(row, [(exc.column, exc.value, exc.reason)])

    def _one(self, parsed: ParsedRow, f: dict[str, Any]) -> None:
        ctx = self.ctx
        rtype = f.get("relation_type") or ""
        if rtype not in RELATION_TYPES:
            raise RowRejected("关系类型", rtype, f"关系类型「{rtype}」无效")
        weight = f.get("weight")
        weight = Decimal("1") if weight is None else Decimal(weight)
        if weight < 0 or weight > 1:
            raise RowRejected("依赖度", weight, f"依赖度 {weight} 应在 0 到 1 之间")
        enterprise_id = self.enterprises.get(f.get("uscc", ""))
        counterparty_id = self.enterprises.get(f.get("counterparty_uscc", ""))
        if enterprise_id is None or counterparty_id is None:
            if enterprise_id is None:
                uscc, name, missing = f.get("uscc", ""), f.get("subject_name", ""), "subject"
            else:
                uscc, name, missing = (
                    f.get("counterparty_uscc", ""),
                    f.get("counterparty_name", ""),
                    "counterparty",
                )
            queued = queue_unmatched(ctx, parsed, uscc=uscc, name=name, missing=missing)
            ctx.counts["unmatched" if queued else "duplicate"] += 1
            return
        write_relation(ctx, enterprise_id, counterparty_id, f, weight.quantize(WEIGHT_QUANTUM))


def write_relation(
    ctx: BatchContext, enterprise_id: int, counterparty_id: int, f: dict[str, Any], weight: Decimal
) -> None:
    if enterprise_id == counterparty_id:
        raise RowRejected("对方统一社会信用代码", f.get("counterparty_uscc"), "企业不能与自身建立关联关系")
    valid_from = f.get("valid_from")
    lookup = {"valid_from": valid_from} if valid_from is not None else {"valid_from__isnull": True}
    existing = Relation.objects.filter(
        enterprise_id=enterprise_id,
        counterparty_id=counterparty_id,
        relation_type=f["relation_type"],
        **lookup,
    ).first()
    if existing is not None:
        if existing.weight != weight:
            raise RowRejected(
                "依赖度", weight, f"依赖度与已入库数据不一致(已入库 {existing.weight});请登记新的起始日期"
            )
        ctx.counts["duplicate"] += 1
        return
    relation = Relation.objects.create(
        enterprise_id=enterprise_id,
        counterparty_id=counterparty_id,
        relation_type=f["relation_type"],
        weight=weight,
        valid_from=valid_from,
        valid_to=f.get("valid_to"),
        source=ctx.source,
    )
    ctx.note_written("relations", [relation.pk])
    ctx.counts["new"] += 1


# --- enterprise archive ----------------------------------------------------------------------------


class EnterpriseSink:
    """登记注册基本信息: creates archive entries and updates them, keeping every change.

    A changed registration field becomes a `registration-change` credit record (变更事项, 变更前,
    变更后) from this source, so the archive's history is in the ledger; the batch's audit entry
    lists which enterprises were created and which fields changed (never personal values).
    """

    def __init__(self, ctx: BatchContext, enterprises: EnterpriseIndex) -> None:
        self.ctx = ctx
        self.enterprises = enterprises
        self.kind = RecordKind.objects.get(code="registration-change")
        self.changes: list[dict[str, Any]] = []
        self.status_values = {str(v) for v in EnterpriseStatus.values}

    def feed(self, chunk: list[tuple[ParsedRow, SourceRow]]) -> None:
        for parsed, row in chunk:
            try:
                self._one(parsed)
            except RowRejected as exc:
                self.ctx.reject(row, [(exc.column, exc.value, exc.reason)])

    def values(self, f: dict[str, Any]) -> dict[str, Any]:
        values = {name: f.get(name) for name in ARCHIVE_FIELDS if f.get(name) not in (None, "")}
        if "status" in values and values["status"] not in self.status_values:
            raise RowRejected("登记状态", values["status"], f"登记状态「{values['status']}」无效")
        return values

    def _one(self, parsed: ParsedRow) -> None:
        ctx = self.ctx
        f = parsed.fields
        uscc = f.get("uscc") or ""
        if not uscc:
            raise RowRejected("统一社会信用代码", "", "统一社会信用代码不能为空")
        values = self.values(f)
        enterprise = Enterprise.objects.filter(uscc=uscc).first()
        if enterprise is None:
            enterprise = Enterprise(uscc=uscc, uscc_legacy=bool(f.get("uscc_legacy")), **values)
            _full_clean(enterprise)
            enterprise.save()
            self.enterprises.put(uscc, enterprise.pk)
            ctx.note_written("enterprises", [enterprise.pk])
            self.changes.append({"uscc": uscc, "created": True})
            ctx.counts["new"] += 1
            return
        changed = {
            name: (getattr(enterprise, name), value)
            for name, value in values.items()
            if getattr(enterprise, name) != value
        }
        if not changed:
            ctx.counts["duplicate"] += 1
            return
        for name, (_, value) in changed.items():
            setattr(enterprise, name, value)
        _full_clean(enterprise)
        enterprise.save(update_fields=[*changed, "updated_at"])
        changed_on = f.get("changed_on") or timezone.localdate(ctx.now)
        for name, (before, after) in changed.items():
            # One change record per field and row: a re-import of the same file changes nothing, and
            # a file that changes the same field twice keeps both changes.
            ref = f"{uscc}|{name}|{ctx.batch.pk}|{parsed.number}"
            record = CreditRecord(
                enterprise=enterprise,
                kind=self.kind,
                source=ctx.source,
                source_ref=ref,
                decided_on=min(changed_on, timezone.localdate(ctx.now)),
                summary=f"{ARCHIVE_FIELDS[name]}变更",
                payload={
                    "变更事项": ARCHIVE_FIELDS[name],
                    "变更前": "" if before is None else str(jsonable(before)),
                    "变更后": str(jsonable(after)),
                },
                batch=ctx.batch,
                created_by_id=ctx.actor_id,
            )
            record.save(force_insert=True)
            RecordEvent.objects.create(
                record=record, event_type=EventType.CREATED.value, at=timezone.now(), actor_id=ctx.actor_id
            )
        self.changes.append({"uscc": uscc, "changed": sorted(changed)})
        ctx.note_written("enterprise_changes", [enterprise.pk])
        ctx.counts["corrected"] += 1


def _full_clean(enterprise: Enterprise) -> None:
    try:
        enterprise.full_clean(validate_unique=False)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        label = ARCHIVE_FIELDS.get(name, name)
        raise RowRejected(label, getattr(enterprise, name, ""), f"{label}:{';'.join(messages)}") from None


class Sink(Protocol):
    def feed(self, chunk: list[tuple[ParsedRow, SourceRow]]) -> None: ...


SINKS: dict[str, Callable[[BatchContext, EnterpriseIndex], Sink]] = {
    "record": RecordSink,
    "observation": ObservationSink,
    "relation": RelationSink,
    "enterprise": EnterpriseSink,
}
