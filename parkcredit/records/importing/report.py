"""The outcome of one import: counts, the first errors, and the error file's name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How many row errors a report and a batch keep inline; the error file holds all of them.
ERRORS_KEPT = 200

COUNT_KEYS = ("new", "duplicate", "corrected", "revoked", "error", "unmatched")


@dataclass(slots=True)
class ImportReport:
    """What an import did. Every row of the file is counted exactly once in one of the counts."""

    batch_id: int | None
    status: str
    new: int = 0
    duplicate: int = 0
    corrected: int = 0
    revoked: int = 0
    error: int = 0
    unmatched: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_file_name: str = ""
    message: str = ""
    profile: str = ""
    file_name: str = ""
    file_sha256: str = ""

    @property
    def has_error_file(self) -> bool:
        return bool(self.error_file_name)

    @property
    def rows(self) -> int:
        return sum(getattr(self, key) for key in COUNT_KEYS)

    def counts(self) -> dict[str, int]:
        return {key: int(getattr(self, key)) for key in COUNT_KEYS}

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "status": self.status,
            "profile": self.profile,
            "file_name": self.file_name,
            "file_sha256": self.file_sha256,
            **self.counts(),
            "rows": self.rows,
            "errors": list(self.errors),
            "error_file": self.error_file_name or None,
            "message": self.message,
        }


def report_from_batch(batch: Any) -> ImportReport:
    """The report of a finished batch, e.g. for an idempotency-key replay."""
    counts = batch.counts or {}
    return ImportReport(
        batch_id=batch.pk,
        status=batch.status,
        errors=list(batch.errors or []),
        error_file_name=batch.error_file_name,
        message=batch.message,
        profile=batch.profile,
        file_name=batch.file_name,
        file_sha256=batch.file_sha256,
        **{key: int(counts.get(key, 0)) for key in COUNT_KEYS},
    )
