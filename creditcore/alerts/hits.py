"""A rule's finding about one enterprise (`Hit`) or one region (`RegionHit`): what fired, how badly
and on what evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Hit:
    rule_code: str
    family: str
    enterprise_id: int
    severity: str
    summary: str  # one Chinese sentence
    facts: dict[str, Any] = field(default_factory=dict)  # JSON-able numbers behind the summary
    evidence: tuple[int, ...] = ()  # credit record ids
    path: tuple[dict[str, Any], ...] = ()  # chain rules: the links from this enterprise to the source


@dataclass(frozen=True)
class RegionHit:
    """A region rule's finding about one region: a level (zone, plot, building, industry, cluster)
    and its key, with the region's figures and the thresholds it reached in `facts`."""

    rule_code: str
    family: str
    level: str
    key: str
    label: str  # what people call it: a building's name, else the key itself
    severity: str
    summary: str  # one Chinese sentence
    facts: dict[str, Any] = field(default_factory=dict)
    # The same shape as `Hit` where the alert writer does not care about the subject.
    evidence: tuple[int, ...] = ()
    path: tuple[dict[str, Any], ...] = ()
