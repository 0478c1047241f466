"""Replaying a published draw and saying exactly what differs.

`verify` checks, in order: the revealed seed against the committed seed hash, the published
inputs against the committed inputs hash, then the replayed result against the published one,
target by target (drawn only on one side, different inspectors, items, departments or strata).
An empty list means the published draw is exactly what the committed inputs and seed give.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from creditcore.supervision.canonical import inputs_hash, seed_hash, sm3_hex
from creditcore.supervision.draw import DrawResult, InputError, draw


@dataclass(frozen=True)
class Difference:
    """One difference: `what` is a stable code, `message` one Chinese sentence."""

    what: str
    message: str
    target: int | None = None
    published: Any = None
    replayed: Any = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def replay(published_inputs: dict[str, Any], seed: str) -> DrawResult:
    """The draw recomputed from the published inputs and the revealed seed."""
    return draw(published_inputs, seed)


def diff_results(published: DrawResult, replayed: DrawResult) -> list[Difference]:
    """Target-by-target differences between a published result and a replay."""
    out: list[Difference] = []
    mine = {v.target: v for v in published.visits}
    theirs = {v.target: v for v in replayed.visits}
    for target in sorted(set(mine) | set(theirs)):
        a, b = mine.get(target), theirs.get(target)
        if a is None:
            out.append(Difference("target_missing", f"重放抽中了检查对象 {target},公布结果中没有", target))
            continue
        if b is None:
            out.append(Difference("target_extra", f"公布结果中的检查对象 {target} 在重放中未被抽中", target))
            continue
        for name, label in (
            ("inspectors", "检查人员"),
            ("items", "检查事项"),
            ("departments", "检查部门"),
            ("strata", "抽取方式"),
            ("unstaffed", "配员情况"),
        ):
            left, right = getattr(a, name), getattr(b, name)
            if left != right:
                out.append(
                    Difference(
                        name,
                        f"检查对象 {target} 的{label}不同:公布为 {_show(left)},重放为 {_show(right)}",
                        target,
                        _plain(left),
                        _plain(right),
                    )
                )
    left_ex = {e["target"]: e for e in published.excluded}
    right_ex = {e["target"]: e for e in replayed.excluded}
    for target in sorted(set(left_ex) | set(right_ex)):
        if left_ex.get(target) != right_ex.get(target):
            out.append(
                Difference(
                    "excluded",
                    f"检查对象 {target} 的排除情况不同:公布为 {_show(left_ex.get(target))},"
                    f"重放为 {_show(right_ex.get(target))}",
                    target,
                    left_ex.get(target),
                    right_ex.get(target),
                )
            )
    if not out and published.quotas != replayed.quotas:
        out.append(Difference("quotas", "各等级抽取数量不同", None, published.quotas, replayed.quotas))
    return out


def verify(
    *,
    inputs: dict[str, Any],
    seed: str,
    commitment: dict[str, str],
    published: dict[str, Any],
) -> list[Difference]:
    """Every way the published draw departs from its commitment and from a replay; [] when none."""
    out: list[Difference] = []
    actual_seed = seed_hash(seed) if seed.isascii() else ""
    if actual_seed != commitment.get("seed_hash"):
        out.append(
            Difference(
                "seed",
                "公布的随机种子与抽取前承诺的种子哈希不符",
                published=commitment.get("seed_hash"),
                replayed=actual_seed,
            )
        )
    actual_inputs = inputs_hash(inputs)
    if actual_inputs != commitment.get("inputs_hash"):
        out.append(
            Difference(
                "inputs",
                "公布的抽取输入(名录库、事项、规则)与抽取前承诺的输入哈希不符",
                published=commitment.get("inputs_hash"),
                replayed=actual_inputs,
            )
        )
    joined = sm3_hex(f"{commitment.get('seed_hash')}:{commitment.get('inputs_hash')}".encode())
    if joined != commitment.get("commitment"):
        out.append(Difference("commitment", "承诺值不是种子哈希与输入哈希的 SM3", None, commitment, joined))
    try:
        replayed = replay(inputs, seed)
    except InputError as error:
        out.append(Difference("replay", f"无法重放:{error}"))
        return out
    try:
        shown = DrawResult.from_dict(published)
    except (InputError, KeyError, TypeError, ValueError) as error:
        out.append(Difference("result", f"公布的抽取结果无法读取:{error}"))
        return out
    out.extend(diff_results(shown, replayed))
    return out


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _show(value: Any) -> str:
    if value is None or value == "":
        return "无"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(value.items())) + "}"
    return str(value)
