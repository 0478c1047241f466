"""Reading, parsing and checking credit-record rows in a second process, beside the database writes.

A large record import spends about as long reading, decoding and parsing its file as writing it.
`prepared_chunks` moves the reading, the parsing and the pure per-row checks (`record_check`) into
a second process (this module, run by a fresh interpreter) that streams chunks back over a pipe,
so the parsing of one chunk overlaps the database writes of the one before. The pipe holds about
one chunk in flight: memory stays bounded, and when the importing process dies the next send
fails and the reader exits with it. Pickle only travels between the importer and the reader it
started, over that private pipe; the file's content is never unpickled.

The chunks are cut exactly where the in-process importer cuts them (every `chunk_rows` rows that
parse), and rejected rows arrive in the order the in-process importer rejects them, so the
outcome (counts, error rows and their order, what is written) is the same either way. A row that
needs more than the bulk insert (its subject is unknown, its reference may already exist, it is
marked revoked) carries its source cells, so the importer can parse it again in its own process
and take the ordinary path.
"""

from __future__ import annotations

import json
import logging
import pickle
import subprocess
import sys
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, Any, Protocol

from creditcore.collection.profiles import PROFILES
from creditcore.collection.readers import SourceRow, open_table_path
from creditcore.collection.rows import bind_headers, parse_row
from creditcore.collection.values import CENT

logger = logging.getLogger(__name__)
# The ledger's amount column holds 18 digits, two of them decimals.
AMOUNT_LIMIT = Decimal("1e16")

# (column, value as shown, Chinese reason) of one rejected row.
Problem = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class KindRule:
    """What the per-row check needs to know of a record kind (a `RecordKind` row, as plain data)."""

    id: int
    name: str
    is_active: bool
    severities: tuple[str, ...]


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def record_check(fields: dict[str, Any], kinds: Mapping[str, KindRule], today: date) -> Problem | None:
    """Why the ledger cannot take a parsed record row, or None; normalises severity and amount.

    Pure: the same rules whether it runs in the importing process or beside it.
    """
    kind = kinds.get(fields.get("kind") or "")
    if kind is None or not kind.is_active:
        return (
            "记录类型",
            _shown(fields.get("kind")),
            f"记录类型「{fields.get('kind')}」不在信息资源目录中或已停用",
        )
    ref = fields.get("source_ref") or ""
    if not ref:
        return ("决定文书号", "", "来源编号(决定文书号)不能为空")
    if len(ref) > 128:
        return ("决定文书号", ref, "来源编号(决定文书号)超过 128 个字符")
    if fields.get("decided_on") is None:
        return ("决定日期", "", "决定日期不能为空")
    occurred, decided = fields.get("occurred_on"), fields["decided_on"]
    if occurred is not None and occurred > decided:
        return ("发生日期", str(occurred), f"发生日期 {occurred} 晚于决定日期 {decided}")
    if decided > today:
        return ("决定日期", str(decided), f"决定日期 {decided} 晚于今天")
    severity = fields.get("severity") or ""
    if severity and kind.severities and severity not in kind.severities:
        return ("失信程度", severity, f"记录类型「{kind.name}」没有失信程度「{severity}」")
    if severity and not kind.severities:
        fields["severity"] = ""
    amount = fields.get("amount")
    if amount is not None:
        if amount < 0 or abs(amount) >= AMOUNT_LIMIT:
            return ("金额", str(amount), f"金额 {amount} 超出允许范围")
        fields["amount"] = amount.quantize(CENT)
    for name, label, limit in (("authority", "作出机关", 200), ("summary", "摘要", 500)):
        text = fields.get(name) or ""
        if len(text) > limit:
            return (label, text[:40], f"{label}超过 {limit} 个字符")
    return None


class PayloadJSON:
    """A row's payload as JSON text, built directly for the usual flat header → text mapping.

    Each header's encoded form is kept, so a row costs one C string escape per value; the result
    parses to the same object as `json.dumps` would give. Anything else falls back to json.dumps.
    """

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}

    def __call__(self, value: dict[str, Any]) -> str:
        keys = self._keys
        try:
            return "{" + ",".join([keys[k] + encode_basestring(v) for k, v in value.items()]) + "}"
        except KeyError:
            if len(keys) < 4096 and all(isinstance(k, str) for k in value):
                keys.update((k, encode_basestring(k) + ":") for k in value if k not in keys)
                return self(value)
        except TypeError:  # a value that is not text (JSON Lines may carry numbers)
            pass
        return json.dumps(value, ensure_ascii=False)


# One accepted row as it travels: (number, uscc, kind code, source ref, revoked, severity,
# occurred_on ISO or None, decided_on ISO, amount text or None, authority, summary, payload JSON,
# source cells or None when they equal the payload). Positions are used by the importer.
PreparedRow = tuple[
    int, str, str, str, bool, str, str | None, str, str | None, str, str, str, dict[str, str] | None
]
# A source row as it travels: number, cells, error, raw.
RowTuple = tuple[int, dict[str, str], str, str]


@dataclass(slots=True)
class PreparedChunk:
    """What the importer gets per chunk: rows that failed to parse (with every reason), then
    rows that parsed but fail `record_check`, then the rows ready for the ledger."""

    parse_rejects: list[tuple[RowTuple, list[Problem]]]
    check_rejects: list[tuple[RowTuple, Problem]]
    rows: list[PreparedRow]


def prepared_source(row: PreparedRow) -> SourceRow:
    """The source row of a prepared row, for parsing it again in the importing process."""
    cells = row[12]
    return SourceRow(row[0], json.loads(row[11]) if cells is None else cells)


class _Conn(Protocol):
    def send(self, message: tuple[str, Any]) -> None: ...


def _produce(
    path: str, profile: str, kinds: dict[str, KindRule], today: date, chunk_rows: int, conn: _Conn
) -> None:
    spec = PROFILES[profile]
    table = open_table_path(path)
    binding = bind_headers(spec, table.headers)
    encode = PayloadJSON()
    parse_rejects: list[tuple[RowTuple, list[Problem]]] = []
    check_rejects: list[tuple[RowTuple, Problem]] = []
    rows: list[PreparedRow] = []
    count = 0
    for row in table.rows():
        if row.error:
            parse_rejects.append(
                ((row.number, row.values, row.error, row.raw), [("", row.raw[:80], row.error)])
            )
            continue
        parsed = parse_row(spec, binding, row)
        if isinstance(parsed, list):
            problems = [(e.column, e.value, e.reason) for e in parsed]
            parse_rejects.append(((row.number, row.values, row.error, row.raw), problems))
            continue
        count += 1
        fields = parsed.fields
        problem = record_check(fields, kinds, today)
        if problem is not None:
            check_rejects.append(((row.number, row.values, row.error, row.raw), problem))
        else:
            occurred, amount, payload = fields["occurred_on"], fields["amount"], parsed.payload
            rows.append(
                (
                    row.number,
                    fields["uscc"],
                    fields["kind"],
                    fields["source_ref"],
                    bool(fields["revoked"]),
                    fields["severity"] or "",
                    occurred and occurred.isoformat(),
                    fields["decided_on"].isoformat(),
                    None if amount is None else str(amount),
                    fields["authority"] or "",
                    fields["summary"] or "",
                    encode(payload),
                    None if payload == row.values else row.values,
                )
            )
        if count >= chunk_rows:
            conn.send(("chunk", PreparedChunk(parse_rejects, check_rejects, rows)))
            parse_rejects, check_rejects, rows, count = [], [], [], 0
    conn.send(("chunk", PreparedChunk(parse_rejects, check_rejects, rows)))


def _worker() -> None:
    """The reading process: arguments arrive pickled on stdin, chunks leave pickled on stdout."""
    out = sys.stdout.buffer
    conn = _Sender(out)
    try:
        path, profile, kinds, today, chunk_rows = pickle.load(sys.stdin.buffer)  # noqa: S301 - our parent
        _produce(path, profile, kinds, today, chunk_rows, conn)
    except BrokenPipeError:  # the importer is gone: nobody to tell
        return
    except BaseException as exc:  # handed to the importer, which raises it as in-process
        try:
            conn.send(("error", exc))
        except BrokenPipeError:
            return
        except Exception:  # an exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    else:
        conn.send(("end", peak_rss_mb()))


def peak_rss_mb() -> float | None:
    """This process's own peak resident memory in MB, or None where the system does not say.

    Read from /proc (VmHWM, the high-water mark of this program's memory), not from getrusage:
    Linux carries a process's `ru_maxrss` across exec, so a reader started by a large importer
    would report the importer's size instead of its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


class _Sender:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def send(self, message: tuple[str, Any]) -> None:
        pickle.dump(message, self.out, protocol=pickle.HIGHEST_PROTOCOL)
        self.out.flush()


def reader_allowed() -> bool:
    """Whether a reading process can be started (an embedded interpreter may have no executable)."""
    return bool(sys.executable)


def prepared_chunks(
    path: str, profile: str, kinds: dict[str, KindRule], today: date, *, chunk_rows: int
) -> Generator[PreparedChunk, None, None]:
    """Chunks of the record file at `path`, read and checked in a second process.

    The reading process is a fresh interpreter running this module (not a fork: no inherited
    database connections, threads or locks, and nothing of the importing program runs again in
    it). An exception in the reader is raised here, as the in-process importer would raise it.
    Closing the iterator early stops the reader.
    """
    root = Path(__file__).resolve().parent.parent.parent  # the directory holding `creditcore`
    process = subprocess.Popen(
        [sys.executable, "-m", "creditcore.collection.pipeline"],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        pickle.dump(
            (str(Path(path).resolve()), profile, kinds, today, chunk_rows),
            process.stdin,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        process.stdin.close()
        while True:
            try:
                what, value = pickle.load(process.stdout)  # noqa: S301 - our own child
            except EOFError:
                raise RuntimeError("读取文件的子进程意外退出") from None
            if what == "error":
                raise value
            if what == "end":
                # For diagnostics and bench/import.py: what the reading process itself needed.
                logger.info("reading process finished", extra={"reader_peak_rss_mb": value})
                return
            yield value
    finally:
        process.stdout.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    # Through the module's own name, so what is pickled names `creditcore.collection.pipeline`.
    from creditcore.collection import pipeline

    pipeline._worker()
