"""Credit information collection (信用信息归集): importing files and API batches into the ledger.

`services` writes (import, undo, resolving the 待关联 queue), `selectors` reads (batches, the
queue, data quality per source). The parsing itself is pure and lives in `creditcore.collection`.
"""
