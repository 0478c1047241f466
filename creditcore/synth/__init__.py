"""Synthetic parks: deterministic, realistic enterprises, ledgers and outcomes (demo, tests, benchmarks).

A latent risk per enterprise drives everything: records of every catalogue kind over the history
window, monthly park observations, relations, and the held-apart outcomes after `as_of`. The
same `ParkSpec` always gives the same park, through either of two paths over one generator:

- `generate_park(spec)`: the whole park as plain objects (demo loader, tests);
- `iter_record_chunks` / `iter_event_chunks` / `iter_observation_chunks`: bounded column chunks
  for parks of any size, and `write_parquet(spec, out_dir)` on top of them.

Pure Python and numpy (DuckDB for Parquet); no Django. See docs/synth.md.
"""

from creditcore.synth.chunks import iter_event_chunks, iter_observation_chunks, iter_record_chunks
from creditcore.synth.kinds import METRIC_SOURCES, SOURCES, Source
from creditcore.synth.park import (
    SynthBuilding,
    SynthEnterprise,
    SynthEvent,
    SynthObservation,
    SynthOutcome,
    SynthPark,
    SynthRecord,
    SynthRelation,
    SynthTag,
    generate_park,
    record_payload,
)
from creditcore.synth.parquet import write_parquet
from creditcore.synth.records import expected_record_rows, spec_for_rows
from creditcore.synth.relations import OUTCOME_KINDS, OUTCOME_LABELS
from creditcore.synth.spec import ParkSpec

__all__ = [
    "METRIC_SOURCES",
    "OUTCOME_KINDS",
    "OUTCOME_LABELS",
    "SOURCES",
    "ParkSpec",
    "Source",
    "SynthBuilding",
    "SynthEnterprise",
    "SynthEvent",
    "SynthObservation",
    "SynthOutcome",
    "SynthPark",
    "SynthRecord",
    "SynthRelation",
    "SynthTag",
    "expected_record_rows",
    "generate_park",
    "iter_event_chunks",
    "iter_observation_chunks",
    "iter_record_chunks",
    "record_payload",
    "spec_for_rows",
    "write_parquet",
]
