"""Parse speed of the pure core on generated GB18030 penalty rows (not a test: no timed asserts).

`.venv/bin/python -m tests.creditcore.collection.parse_speed [ROWS]` prints one JSON object with
rows per CPU second for reading alone, parse_row alone, and both together.
"""

from __future__ import annotations

import json
import random
import sys
import time

from creditcore.collection.profiles import PROFILES
from creditcore.collection.readers import open_table
from creditcore.collection.rows import ParsedRow, bind_headers, parse_row
from tests.creditcore.collection.make_samples import make_code

HEADERS = (
    "行政相对人名称,统一社会信用代码,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,"
    "罚款金额(万元),处罚决定日期,处罚机关"
)


def penalty_csv(rows: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    codes = [make_code("410100", f"{i:08d}") for i in range(5000)]
    lines = [HEADERS]
    for i in range(rows):
        lines.append(
            f"郑州某某科技有限公司{i % 5000},{rng.choice(codes)},郑市监罚〔2023〕{i}号,违反产品质量法,"
            f"销售不合格产品,《产品质量法》第四十九条,罚款,罚款人民币{rng.randint(1, 50) * 1000}元,"
            f"{rng.randint(1, 500) / 100},2023/{rng.randint(1, 12)}/{rng.randint(1, 28)},郑州市市场监督管理局"
        )
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def measure(rows: int) -> dict[str, float]:
    """Streaming, as the import service runs: each row is parsed as it is read, then dropped."""
    data = penalty_csv(rows)
    profile = PROFILES["penalty"]
    start = time.process_time()
    read_count = sum(1 for _ in open_table(data).rows())
    read = time.process_time() - start
    start = time.process_time()
    table = open_table(data)
    binding = bind_headers(profile, table.headers)
    parsed = sum(isinstance(parse_row(profile, binding, row), ParsedRow) for row in table.rows())
    both = time.process_time() - start
    assert read_count == parsed == rows
    return {
        "rows": rows,
        "read_rows_per_s": round(rows / read),
        "parse_rows_per_s": round(rows / (both - read)),
        "read_and_parse_rows_per_s": round(rows / both),
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)))
