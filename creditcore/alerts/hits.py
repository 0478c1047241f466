"""A rule's finding about one enterprise: what fired, how badly and on what evidence."""

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
