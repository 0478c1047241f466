"""Feature data for the demo park, loaded after the park is generated and scored.

Each feature app that has something to show right after `parkcredit demo` (enterprise codes,
published inspection plans, repair applications, alerts…) exposes a `demo_load() -> str` that
creates its demo objects deterministically from what is already in the database and returns a
one-line Chinese summary. They run in the order listed: later steps may use earlier ones.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

# Dotted paths "module:function", in dependency order.
DEMO_EXTRAS: tuple[str, ...] = (
    "parkcredit.codes.demo:demo_load",
    "parkcredit.portal.demo:demo_load",
    "parkcredit.supervision.demo:demo_load",
    "parkcredit.repair.workflow.demo:demo_load",
    "parkcredit.commitments.demo:demo_load",
    "parkcredit.alerts.demo:demo_load",
)


def _resolve(path: str) -> Callable[[], str]:
    module, _, name = path.partition(":")
    function: Callable[[], str] = getattr(import_module(module), name)
    return function


def demo_extras_load() -> list[str]:
    """Run every feature's demo loader; returns their summaries in order."""
    return [_resolve(path)() for path in DEMO_EXTRAS]
