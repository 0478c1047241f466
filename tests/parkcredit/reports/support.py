"""Helpers of the reports tests: a scored enterprise and the poppler tools (pdftotext, pdffonts,
pdftoppm from poppler-utils; CI must install that package)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

from parkcredit.enterprises.models import Enterprise
from parkcredit.scoring.models import Score
from tests.parkcredit.scoring.test_views_support import make_model, make_run, make_score

POPPLER = ("pdftotext", "pdffonts", "pdftoppm")


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} 不可用:请安装 poppler-utils(apt-get install -y poppler-utils)"
    return path


def scored(enterprise: Enterprise, *, grade: str = "B", colour: str = "yellow", score: int = 712) -> Score:
    """Give the enterprise a current score under the small test model."""
    from datetime import date

    from parkcredit.scoring.models import ScoringModel

    model = ScoringModel.objects.filter(state="published").first() or make_model()
    run = make_run(model, date(2026, 11, 1))
    return make_score(enterprise, run, score=score, grade=grade, colour=colour)


def _run(args: list[str], data: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(data)
        result = subprocess.run([*args, str(path), "-"], capture_output=True, check=True, timeout=60)  # noqa: S603
    return result.stdout


def pdf_text(data: bytes, *, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _run([_tool("pdftotext"), "-layout", *pages], data).decode("utf-8")


def pdf_page_count(data: bytes) -> int:
    # pdftotext ends every page with a form feed.
    return pdf_text(data).count("\f")


def pdf_fonts(data: bytes) -> list[dict[str, Any]]:
    """The rows of `pdffonts`: name, type and whether the font is embedded."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(data)
        out = subprocess.run(  # noqa: S603
            [_tool("pdffonts"), str(path)], capture_output=True, check=True, timeout=60, text=True
        ).stdout
    lines = out.splitlines()
    header = lines[0]
    # Columns are fixed-width; find them from the header so names with spaces parse too.
    emb_at = header.index("emb")
    type_at = header.index("type")
    rows = []
    for line in lines[2:]:
        if line.strip():
            rows.append(
                {
                    "name": line[:type_at].strip(),
                    "type": line[type_at:emb_at].split("  ")[0].strip(),
                    "embedded": line[emb_at : emb_at + 3].strip() == "yes",
                }
            )
    return rows


def render_page(data: bytes, *, dpi: int = 50, page: int = 1) -> Image.Image:
    """The page as an RGB image, rendered by pdftoppm (poppler) as the brief asks."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(data)
        subprocess.run(  # noqa: S603
            [
                *(_tool("pdftoppm"), "-png", "-r", str(dpi), "-f", str(page), "-l", str(page)),
                *("-singlefile", str(path), str(Path(folder) / "page")),
            ],
            capture_output=True,
            check=True,
            timeout=60,
        )
        png = (Path(folder) / "page.png").read_bytes()
    return Image.open(io.BytesIO(png)).convert("RGB")


def stored_report(enterprise: Enterprise, *, report_no: str = "", pdf: bytes = b"%PDF-1.4 test") -> Any:
    """A report row without drawing a PDF (for access tests): signed like a real one."""
    from django.utils import timezone

    from parkcredit.common.crypto import sm3_hex
    from parkcredit.reports.models import CreditReport
    from parkcredit.reports.services import report_number_take
    from parkcredit.reports.signing import report_sign

    now = timezone.now()
    number = report_no or report_number_take(year=timezone.localtime(now).year)
    digest = sm3_hex(pdf)
    return CreditReport.objects.create(
        report_no=number,
        enterprise=enterprise,
        enterprise_name=enterprise.name,
        uscc=enterprise.uscc,
        generated_at=now,
        as_of=timezone.localdate(),
        grade="B",
        colour="yellow",
        score_value=712,
        digest=digest,
        signature=report_sign(report_no=number, uscc=enterprise.uscc, grade="B", digest=digest),
        pdf=pdf,
        size=len(pdf),
    )
