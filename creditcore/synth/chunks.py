"""Columnar access at scale: the ledger as a stream of bounded chunks of numpy arrays.

Blocks of enterprises are generated one after another and cut into chunks of `chunk_rows`
rows, so memory stays bounded whatever the park's size. The chunk size never changes the data:
concatenating the chunks gives the same rows for any `chunk_rows`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from creditcore.synth.observations import observation_block
from creditcore.synth.records import record_block
from creditcore.synth.spec import ParkSpec

Columns = dict[str, np.ndarray]
DEFAULT_CHUNK_ROWS = 250_000


def record_blocks(spec: ParkSpec) -> Iterator[tuple[Columns, Columns]]:
    """(records, later events) per block of enterprises, record ids running on across blocks."""
    next_id = 1
    for block in range(spec.blocks):
        records, events = record_block(spec, block, next_id)
        next_id += len(records["record_id"])
        yield records, events


def observation_blocks(spec: ParkSpec) -> Iterator[Columns]:
    for block in range(spec.blocks):
        yield observation_block(spec, block)


def rechunk(blocks: Iterable[Columns], chunk_rows: int) -> Iterator[Columns]:
    """Cut a stream of column blocks into chunks of exactly `chunk_rows` rows (the last shorter)."""
    if chunk_rows < 1:
        raise ValueError(f"每块行数 chunk_rows={chunk_rows} 无效,应为正整数")
    pending: list[Columns] = []
    count = 0
    for block in blocks:
        size = len(next(iter(block.values())))
        if size == 0:
            continue
        pending.append(block)
        count += size
        while count >= chunk_rows:
            merged = concat(pending)
            yield {name: column[:chunk_rows] for name, column in merged.items()}
            rest = {name: column[chunk_rows:] for name, column in merged.items()}
            count -= chunk_rows
            pending = [rest] if count else []
    if count:
        yield concat(pending)


def concat(blocks: list[Columns]) -> Columns:
    if len(blocks) == 1:
        return blocks[0]
    return {name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]}


def iter_record_chunks(spec: ParkSpec, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[Columns]:
    """The credit records of `spec` in chunks; columns as in `creditcore.ledger.RECORD_COLUMNS`.

    Dates are ``datetime64[D]`` (NaT when missing), amounts float yuan (NaN when none), text
    columns object arrays of ``str``. A `variant` column (which wording a record got) rides along.
    """
    return rechunk((records for records, _ in record_blocks(spec)), chunk_rows)


def iter_event_chunks(spec: ParkSpec, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[Columns]:
    """The events after creation (disputes, repairs, ends of publicity); `at` is UTC."""
    return rechunk((events for _, events in record_blocks(spec)), chunk_rows)


def iter_observation_chunks(spec: ParkSpec, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[Columns]:
    """Monthly observations in chunks; columns as in `creditcore.ledger.OBSERVATION_COLUMNS`."""
    return rechunk(observation_blocks(spec), chunk_rows)
