"""Risk early warning, pure: rule families over ledger frames, chain propagation, region roll-ups and
region rules.

No Django here: the app (`parkcredit.alerts`) extracts frames from the database, runs
`evaluate` and turns hits into alerts; the benchmark runs the same code over a synthetic park.
"""

from creditcore.alerts.engine import evaluate
from creditcore.alerts.hits import Hit, RegionHit
from creditcore.alerts.inputs import AlertInputs
from creditcore.alerts.rules import FAMILIES, RuleError, RuleSpec, default_rules, validate_params

__all__ = [
    "FAMILIES",
    "AlertInputs",
    "Hit",
    "RegionHit",
    "RuleError",
    "RuleSpec",
    "default_rules",
    "evaluate",
    "validate_params",
]
