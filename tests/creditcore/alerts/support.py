"""Literal ledgers for the alert rule tests: frames from a few readable rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from creditcore.alerts import AlertInputs

AS_OF = date(2026, 11, 1)


def _dates(values: list[Any]) -> np.ndarray:
    return np.array([v if v is not None else "NaT" for v in values], dtype="datetime64[D]")


def records(*rows: dict[str, Any]) -> dict[str, np.ndarray]:
    """Rows with enterprise_id, kind, decided_on and optional severity/polarity/status/disputed."""
    return {
        "record_id": np.array([r.get("record_id", k + 1) for k, r in enumerate(rows)], dtype=np.int64),
        "enterprise_id": np.array([r["enterprise_id"] for r in rows], dtype=np.int64),
        "kind": np.array([r["kind"] for r in rows], dtype=object),
        "polarity": np.array([r.get("polarity", "negative") for r in rows], dtype=object),
        "severity": np.array([r.get("severity", "general") for r in rows], dtype=object),
        "decided_on": _dates([r["decided_on"] for r in rows]),
        "status_as_of": np.array([r.get("status", "active") for r in rows], dtype=object),
        "disputed": np.array([r.get("disputed", False) for r in rows], dtype=bool),
    }


def observations(*rows: dict[str, Any]) -> dict[str, np.ndarray]:
    return {
        "enterprise_id": np.array([r["enterprise_id"] for r in rows], dtype=np.int64),
        "metric": np.array([r["metric"] for r in rows], dtype=object),
        "period": _dates([r["period"] for r in rows]),
        "value": np.array([float(r.get("value", 1.0)) for r in rows], dtype=np.float64),
        "due_on": _dates([r.get("due_on") for r in rows]),
        "settled_on": _dates([r.get("settled_on") for r in rows]),
    }


def inputs(ids: list[int], **frames: Any) -> AlertInputs:
    return AlertInputs(enterprise_ids=np.array(ids, dtype=np.int64), **frames)


def monthly(enterprise_id: int, metric: str, first: date, values: list[float]) -> list[dict[str, Any]]:
    """One observation per month from `first` on."""
    rows = []
    for k, value in enumerate(values):
        year, month = divmod(first.month - 1 + k, 12)
        rows.append(
            {
                "enterprise_id": enterprise_id,
                "metric": metric,
                "period": date(first.year + year, month + 1, 1),
                "value": value,
            }
        )
    return rows
