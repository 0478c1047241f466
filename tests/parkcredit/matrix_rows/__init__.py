"""Permission-matrix rows per feature app: each module here exports `ROWS: tuple[Row, ...]`.

The guard test in `test_permission_matrix.py` demands a row for every URL name, so an app that
adds URLs adds a module here (or rows to an existing one) in the same change."""

from __future__ import annotations

import importlib
import pkgutil

from tests.parkcredit.matrix_support import Row


def feature_rows() -> tuple[Row, ...]:
    rows: list[Row] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        rows.extend(importlib.import_module(f"{__name__}.{module.name}").ROWS)
    return tuple(rows)
