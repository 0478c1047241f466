"""The report PDF as a reader gets it: text, fonts, the first page as pixels, the QR code."""

from __future__ import annotations

from typing import Any

import pytest
import zxingcpp
from django.test import Client, RequestFactory
from PIL import Image, ImageChops, ImageStat

from parkcredit.reports.models import CreditReport
from parkcredit.reports.pdf import GRADE_BOX, PAGE_HEIGHT
from parkcredit.reports.services import report_generate
from tests import factories as f
from tests.parkcredit.reports.support import pdf_fonts, pdf_page_count, pdf_text, render_page, scored

pytestmark = pytest.mark.django_db

# The 14 standard PDF fonts (and their usual aliases) must never appear: they are not embedded.
STANDARD_FONTS = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats", "Arial")
GRADE_RGB = {"A": (47, 179, 68), "B": (246, 192, 0), "C": (214, 57, 57), "D": (0, 0, 0)}


def _report(actor: Any, enterprise: Any) -> CreditReport:
    # Generated as the page does, with the request: the QR code holds this server's address.
    return report_generate(actor=actor, enterprise=enterprise, request=RequestFactory().get("/"))


def test_text_has_name_uscc_and_grade(park_admin: Any, ent_a: Any) -> None:
    scored(ent_a, grade="B", colour="yellow", score=712)
    report = _report(park_admin, ent_a)
    text = pdf_text(bytes(report.pdf))
    assert ent_a.name in text
    assert ent_a.uscc in text
    assert "B 级 · 基本守信" in text
    assert "712" in text
    assert report.report_no in text
    assert "行政处罚次数" in text  # indicator breakdown and reasons come from the score


def test_every_font_is_embedded(park_admin: Any, ent_a: Any) -> None:
    scored(ent_a)
    fonts = pdf_fonts(bytes(_report(park_admin, ent_a).pdf))
    assert fonts, "pdffonts found no font at all"
    assert all(font["embedded"] for font in fonts), fonts
    assert not [font for font in fonts if any(std in font["name"] for std in STANDARD_FONTS)], fonts
    assert all("WenQuanYiMicroHei" in font["name"] for font in fonts), fonts


def test_every_page_carries_number_and_report_no(park_admin: Any, ent_a: Any) -> None:
    scored(ent_a)
    for n in range(4):
        f.make_record(ent_a, summary=f"第{n}条记录的摘要" * 6)
    pdf = bytes(_report(park_admin, ent_a).pdf)
    report_no = CreditReport.objects.get().report_no
    total = pdf_page_count(pdf)
    assert total >= 2
    for page in range(1, total + 1):
        text = pdf_text(pdf, page=page)
        assert report_no in text
        # pdftotext drops the narrow spaces between Chinese and digits.
        assert f"第{page}页/共{total}页" in "".join(text.split())


def test_no_personal_data_in_report(park_admin: Any) -> None:
    enterprise = f.make_enterprise(
        "丁电子科技有限公司",
        legal_representative="李四",
        legal_representative_id_number="410105199001011234",
        contact_phone="13812345678",
    )
    scored(enterprise)
    text = pdf_text(bytes(_report(park_admin, enterprise).pdf))
    assert "李四" in text  # the legal representative's name is public registration data
    for secret in ("410105199001011234", "13812345678", "1990010", "12345678"):
        assert secret not in text


def test_report_without_score_says_so(park_admin: Any, ent_b: Any) -> None:
    report = _report(park_admin, ent_b)
    assert report.grade == "" and report.score is None
    assert "尚未评分" in pdf_text(bytes(report.pdf))


# --- the first page as pixels ---------------------------------------------------------------------

DPI = 50
SCALE = DPI / 72


def _grade_box_pixels(image: Image.Image) -> Image.Image:
    # PDF y grows upwards, image y downwards; keep clear of the rounded corners.
    inset = 12
    left = (GRADE_BOX.x + inset) * SCALE
    right = (GRADE_BOX.x + GRADE_BOX.width - inset) * SCALE
    top = (PAGE_HEIGHT - GRADE_BOX.y - GRADE_BOX.height + inset) * SCALE
    bottom = (PAGE_HEIGHT - GRADE_BOX.y - inset) * SCALE
    return image.crop((round(left), round(top), round(right), round(bottom)))


def _median_rgb(image: Image.Image) -> tuple[int, ...]:
    return tuple(int(v) for v in ImageStat.Stat(image).median)


def _ink_share(image: Image.Image) -> float:
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(histogram[:200]) / (grey.width * grey.height)


@pytest.mark.parametrize(("grade", "colour"), [("A", "green"), ("B", "yellow"), ("C", "red"), ("D", "black")])
def test_first_page_shows_grade_colour_block(park_admin: Any, ent_a: Any, grade: str, colour: str) -> None:
    scored(ent_a, grade=grade, colour=colour, score=500)
    page = render_page(bytes(_report(park_admin, ent_a).pdf), dpi=DPI)
    # A4 portrait (pdftoppm rounds the pixel size up).
    assert abs(page.width - 595.28 * SCALE) < 1.5 and abs(page.height - 841.89 * SCALE) < 1.5
    block = _median_rgb(_grade_box_pixels(page))
    expected = GRADE_RGB[grade]
    assert all(abs(a - b) <= 30 for a, b in zip(block, expected, strict=True)), (grade, block)
    # The letter is drawn on the block: it is not one flat colour.
    assert ImageStat.Stat(_grade_box_pixels(page).convert("L")).stddev[0] > 20


def test_first_page_is_not_blank_and_renders_chinese_glyphs(park_admin: Any) -> None:
    """Two enterprises whose names have the same length: if Chinese came out as missing-glyph
    boxes (or nothing), both name lines would look the same. They must differ while the common
    title line stays identical."""
    first = f.make_enterprise("甲精密机械有限公司", uscc=f.make_uscc(910001))
    second = f.make_enterprise("丙绿色能源有限公司", uscc=f.make_uscc(910002))
    pages = [render_page(bytes(_report(park_admin, e).pdf), dpi=DPI) for e in (first, second)]
    for page in pages:
        assert 0.01 < _ink_share(page) < 0.5

    def band(image: Image.Image, top_pt: float, bottom_pt: float) -> Image.Image:
        return image.crop((0, round(top_pt * SCALE), image.width, round(bottom_pt * SCALE)))

    title = [band(p, 110, 150) for p in pages]  # "企业信用报告"
    name = [band(p, 185, 225) for p in pages]  # the enterprise name
    assert _ink_share(title[0]) > 0.03
    assert ImageChops.difference(title[0], title[1]).getbbox() is None
    assert _ink_share(name[0]) > 0.02 and _ink_share(name[1]) > 0.02
    difference = ImageChops.difference(name[0].convert("L"), name[1].convert("L"))
    changed = sum(difference.histogram()[40:]) / (difference.width * difference.height)
    assert changed > 0.01


def test_qr_code_leads_to_verified_page(park_admin: Any, ent_a: Any, client: Client) -> None:
    scored(ent_a)
    report = _report(park_admin, ent_a)
    page = render_page(bytes(report.pdf), dpi=150)
    codes = zxingcpp.read_barcodes(page)
    assert [code.text for code in codes] == [f"http://testserver/r/{report.report_no}/"]
    response = client.get(codes[0].text.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert "已验证" in response.text
    assert ent_a.uscc in response.text
