"""Lays a `ReportContent` out as an A4 PDF with reportlab (platypus).

Page 1 is the cover, drawn at fixed positions (the grade block sits at `GRADE_BOX`, which the
screenshot test relies on); the sections follow as flowing paragraphs and tables. Every text
uses the embedded CJK font (`parkcredit.reports.fonts`), including the canvas's initial font, so
no standard PDF font ends up in the file. Page footers carry the report number and "page x of
y", written once the page count is known.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import segno
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from parkcredit.reports.content import ReportContent, ScoreSection
from parkcredit.reports.fonts import register_font

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in PDF points, origin at the bottom left of the page."""

    x: float
    y: float
    width: float
    height: float


# The grade block on the cover: centred, upper middle of the page.
GRADE_BOX = Box(x=(PAGE_WIDTH - 150) / 2, y=PAGE_HEIGHT - 520, width=150, height=150)
QR_BOX = Box(x=PAGE_WIDTH - MARGIN - 96, y=62, width=96, height=96)

# Grade colours of the platform (A green, B yellow, C red, D black) and the text on them.
GRADE_FILL = {
    "green": colors.HexColor("#2fb344"),
    "yellow": colors.HexColor("#f6c000"),
    "red": colors.HexColor("#d63939"),
    "black": colors.HexColor("#000000"),
}
GRADE_COLOUR_BY_LETTER = {"A": "green", "B": "yellow", "C": "red", "D": "black"}
NO_GRADE_FILL = colors.HexColor("#adb5bd")
INK = colors.HexColor("#1d273b")
MUTED = colors.HexColor("#667382")
RULE = colors.HexColor("#dce1e7")
SHADE = colors.HexColor("#f1f3f5")


def grade_fill(grade: str, colour: str) -> colors.Color:
    return GRADE_FILL.get(colour) or GRADE_FILL.get(GRADE_COLOUR_BY_LETTER.get(grade, ""), NO_GRADE_FILL)


class Styles:
    """Paragraph styles, all in the embedded font; CJK wrapping breaks between any characters."""

    def __init__(self, font: str) -> None:
        base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=14, textColor=INK, wordWrap="CJK")
        self.font = font
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=MUTED)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=12)
        # Short values (dates, numbers, labels) skip CJK line breaking, which costs most of
        # the build time and is only needed where a text may run over its cell.
        self.short = ParagraphStyle("short", parent=self.cell, wordWrap=None)
        self.cell_right = ParagraphStyle("cell_right", parent=self.short, alignment=2)
        self.head = ParagraphStyle("head", parent=self.short, textColor=MUTED)
        self.h1 = ParagraphStyle("h1", parent=base, fontSize=14, leading=20, spaceBefore=10, spaceAfter=6)
        self.h2 = ParagraphStyle("h2", parent=base, fontSize=11, leading=16, spaceBefore=6, spaceAfter=4)
        self.cover_name = ParagraphStyle(
            "cover_name", parent=base, fontSize=20, leading=28, alignment=TA_CENTER
        )


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _points(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _amount(value: Decimal | None) -> str:
    return "—" if value is None else _("%(amount)s 元") % {"amount": f"{value:,.2f}"}


# --- the cover -----------------------------------------------------------------------------------


def draw_qr(canvas: Canvas, data: str, box: Box) -> None:
    """The QR code of `data` as vector squares (crisp at any zoom), with its quiet zone."""
    qr = segno.make(data, error="m", micro=False)
    matrix = qr.matrix
    quiet = 4
    count = len(matrix) + 2 * quiet
    module = min(box.width, box.height) / count
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(box.x, box.y, module * count, module * count, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    top = box.y + module * count - module * quiet
    for r, row in enumerate(matrix):
        y = top - (r + 1) * module
        c = 0
        while c < len(row):
            if row[c] & 1:
                start = c
                while c < len(row) and row[c] & 1:
                    c += 1
                # A hair of overlap so anti-aliasing leaves no seams between merged runs.
                canvas.rect(
                    box.x + (quiet + start) * module, y, (c - start) * module + 0.05, module + 0.05, 0, 1
                )
            else:
                c += 1
    canvas.restoreState()


def draw_cover(canvas: Canvas, content: ReportContent, styles: Styles) -> None:
    font = styles.font
    centre = PAGE_WIDTH / 2
    canvas.saveState()
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 11)
    canvas.drawCentredString(centre, PAGE_HEIGHT - 90, content.park_name)
    canvas.setFillColor(INK)
    canvas.setFont(font, 30)
    canvas.drawCentredString(centre, PAGE_HEIGHT - 140, _("企业信用报告"))

    name = Paragraph(escape(content.enterprise_name), styles.cover_name)
    _w, height = name.wrap(CONTENT_WIDTH, 100)
    name.drawOn(canvas, MARGIN, PAGE_HEIGHT - 190 - height)
    canvas.setFont(font, 12)
    canvas.setFillColor(INK)
    canvas.drawCentredString(
        centre, PAGE_HEIGHT - 190 - height - 24, _("统一社会信用代码:%(uscc)s") % {"uscc": content.uscc}
    )

    score = content.score
    box = GRADE_BOX
    fill = grade_fill(score.grade, score.colour) if score else NO_GRADE_FILL
    canvas.setFillColor(fill)
    canvas.roundRect(box.x, box.y, box.width, box.height, 10, stroke=0, fill=1)
    letter_colour = INK if fill == GRADE_FILL["yellow"] else colors.white
    canvas.setFillColor(letter_colour)
    canvas.setFont(font, 96)
    canvas.drawCentredString(centre, box.y + 40, score.grade if score else "—")
    canvas.setFillColor(INK)
    canvas.setFont(font, 14)
    if score:
        label = _("%(grade)s 级 · %(label)s") % {"grade": score.grade, "label": score.grade_label}
        canvas.drawCentredString(centre, box.y - 28, label)
        canvas.setFont(font, 12)
        canvas.drawCentredString(centre, box.y - 50, _("信用分 %(score)s / 1000") % {"score": score.score})
    else:
        canvas.drawCentredString(centre, box.y - 28, _("尚未评分"))

    lines = [
        (_("评价基准日"), score.as_of.isoformat() if score else "—"),
        (_("数据截至"), content.as_of.isoformat()),
        (_("报告编号"), content.report_no),
        (_("生成时间"), content.generated_at.strftime("%Y-%m-%d %H:%M")),
    ]
    canvas.setFont(font, 11)
    y = box.y - 100
    for label, value in lines:
        canvas.setFillColor(MUTED)
        canvas.drawRightString(centre - 8, y, label)
        canvas.setFillColor(INK)
        canvas.drawString(centre + 8, y, value)
        y -= 20

    draw_qr(canvas, content.verify_url, QR_BOX)
    caption = Paragraph(
        escape(_("扫描右侧二维码或访问以下网址,可核验本报告的编号、等级与文件摘要是否与园区登记一致:"))
        + "<br/>"
        + escape(content.verify_url),
        styles.small,
    )
    caption_width = QR_BOX.x - MARGIN - 12
    _w, caption_height = caption.wrap(caption_width, QR_BOX.height)
    caption.drawOn(canvas, MARGIN, QR_BOX.y + (QR_BOX.height - caption_height) / 2)
    canvas.restoreState()


# --- pages and footers -----------------------------------------------------------------------------


def _numbered_canvas(footer: str, header: str, font: str) -> type[Canvas]:
    """A canvas class that holds pages back until the end, then stamps each with the running
    header, the report number and "page x of y" (the total is only known at the end)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self._stamp(number, total)
                super().showPage()
            super().save()

        def _stamp(self, number: int, total: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, 16 * mm, PAGE_WIDTH - MARGIN, 16 * mm)
            self.setFont(font, 8)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, 11 * mm, footer)
            self.drawRightString(
                PAGE_WIDTH - MARGIN,
                11 * mm,
                _("第 %(page)s 页 / 共 %(total)s 页") % {"page": number, "total": total},
            )
            if number > 1:
                self.drawString(MARGIN, PAGE_HEIGHT - 12 * mm, header)
                self.line(MARGIN, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14 * mm)
            self.restoreState()

    return NumberedCanvas


class _CoverFill(Flowable):
    """Takes the cover page's frame so the sections start on page 2."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return available_width, 1

    def draw(self) -> None:
        return None


# --- sections ----------------------------------------------------------------------------------


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float], styles: Styles, **opts: Any) -> Table:
    table = Table(list(rows), colWidths=list(widths), repeatRows=opts.get("repeat", 0))
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), styles.font),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if opts.get("repeat"):
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    commands.extend(opts.get("extra", []))
    table.setStyle(TableStyle(commands))
    return table


def _facts_table(facts: Sequence[tuple[str, str]], styles: Styles) -> Table:
    rows = [[_p(label, styles.head), _p(value, styles.cell)] for label, value in facts]
    return _table(rows, [32 * mm, CONTENT_WIDTH - 32 * mm], styles)


def _empty(text: str, styles: Styles) -> Paragraph:
    return _p(text, styles.small)


def score_flowables(score: ScoreSection | None, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [_p(_("二、信用评价结果"), styles.h1)]
    if score is None:
        out.append(_p(_("本企业尚未参加园区信用评价,报告不含等级与得分。"), styles.body))
        return out
    facts = [
        (_("信用分"), _("%(score)s 分(满分 1000 分)") % {"score": score.score}),
        (_("信用等级"), _("%(grade)s 级 · %(label)s") % {"grade": score.grade, "label": score.grade_label}),
        (_("园区百分位"), f"{score.percentile:.0f}%"),
        (_("数据充分度"), f"{score.data_depth * 100:.0f}%"),
        (_("评价模型"), score.model_label),
        (_("评价基准日"), score.as_of.isoformat()),
    ]
    out.append(_facts_table(facts, styles))
    if score.overrides:
        out.append(Spacer(1, 4))
        out.append(_p(_("触发否决或封顶规则:%(names)s") % {"names": "、".join(score.overrides)}, styles.body))

    out.append(_p(_("三、指标得分明细"), styles.h1))
    if score.dimensions:
        rows: list[list[Any]] = [
            [_p(_("指标"), styles.head), _p(_("取值"), styles.head), _p(_("得分 / 满分"), styles.head)]
        ]
        extra: list[tuple[Any, ...]] = []
        for dimension in score.dimensions:
            extra.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), SHADE))
            rows.append(
                [
                    _p(dimension.name, styles.cell),
                    "",
                    _p(f"{_points(dimension.points)} / {_points(dimension.max_points)}", styles.cell_right),
                ]
            )
            for row in dimension.indicators:
                name = escape(row.name)
                if row.explanation:
                    name += f'<br/><font size="7" color="#667382">{escape(row.explanation)}</font>'
                value = (
                    _("数据缺失")
                    if row.missing
                    else "—"
                    if row.value is None
                    else f"{row.value:.2f}".rstrip("0").rstrip(".")
                )
                rows.append(
                    [
                        Paragraph(name, styles.cell),
                        _p(value, styles.cell_right),
                        _p(f"{_points(row.points)} / {_points(row.max_points)}", styles.cell_right),
                    ]
                )
        out.append(_table(rows, [CONTENT_WIDTH - 60 * mm, 28 * mm, 32 * mm], styles, repeat=1, extra=extra))
    else:
        out.append(_empty(_("本次评分没有指标明细。"), styles))

    out.append(_p(_("四、主要扣分原因"), styles.h1))
    if score.reasons:
        for reason in score.reasons:
            text = _("%(name)s:扣 %(points)s 分") % {
                "name": reason.name,
                "points": _points(reason.lost_points),
            }
            if reason.records:
                text += _("(依据:%(records)s)") % {
                    "records": "、".join(link.label for link in reason.records)
                }
            out.append(_p("• " + text, styles.body))
    else:
        out.append(_empty(_("没有扣分项。"), styles))

    out.append(_p(_("五、信用提升建议"), styles.h1))
    if score.improvements:
        for number, step in enumerate(score.improvements, start=1):
            text = f"{number}. {step.text}"
            if step.effective_on:
                text += _("(%(day)s 起)") % {"day": step.effective_on.isoformat()}
            out.append(_p(text, styles.body))
    else:
        out.append(_empty(_("暂无可提升的事项:继续按期履约、保持良好记录即可。"), styles))
    return out


def records_flowables(content: ReportContent, styles: Styles) -> list[Flowable]:
    if content.records is None:
        return []
    out: list[Flowable] = [_p(_("六、公示期内的信用记录"), styles.h1)]
    if not content.records:
        out.append(_empty(_("截至报告日,没有处于公示期内的信用记录。"), styles))
        return out
    rows: list[list[Any]] = [
        [
            _p(_("记录"), styles.head),
            _p(_("决定日期"), styles.head),
            _p(_("公示截止"), styles.head),
            _p(_("修复状态"), styles.head),
        ]
    ]
    for record in content.records:
        lines = [
            escape(record.kind),
            f'<font size="7.5">{escape(record.summary)}</font>' if record.summary else "",
        ]
        detail = " · ".join(escape(p) for p in (record.authority, record.source_ref) if p)
        if record.amount is not None:
            detail += (" · " if detail else "") + escape(_amount(record.amount))
        if detail:
            lines.append(f'<font size="7" color="#667382">{detail}</font>')
        rows.append(
            [
                Paragraph("<br/>".join(line for line in lines if line), styles.cell),
                _p(record.decided_on.isoformat(), styles.short),
                _p(record.publicity_end.isoformat() if record.publicity_end else "—", styles.short),
                _p(record.repair_status, styles.cell),
            ]
        )
    widths = [CONTENT_WIDTH - 80 * mm, 22 * mm, 22 * mm, 36 * mm]
    out.append(_table(rows, widths, styles, repeat=1))
    return out


def commitments_flowables(content: ReportContent, styles: Styles) -> list[Flowable]:
    if content.commitments is None:
        return []
    out: list[Flowable] = [_p(_("七、信用承诺"), styles.h1)]
    if not content.commitments:
        out.append(_empty(_("没有公开的信用承诺。"), styles))
        return out
    heads = (_("承诺事项"), _("适用场景"), _("签署日期"), _("承诺期止"), _("履约状态"))
    rows: list[list[Any]] = [[_p(h, styles.head) for h in heads]]
    for item in content.commitments:
        title = escape(item.title) + f'<br/><font size="7" color="#667382">{escape(item.number)}</font>'
        rows.append(
            [
                Paragraph(title, styles.cell),
                _p(item.scenario, styles.cell),
                _p(item.signed_on.isoformat() if item.signed_on else "—", styles.short),
                _p(item.valid_until.isoformat() if item.valid_until else "—", styles.short),
                _p(item.status, styles.short),
            ]
        )
    widths = [CONTENT_WIDTH - 92 * mm, 26 * mm, 22 * mm, 22 * mm, 22 * mm]
    out.append(_table(rows, widths, styles, repeat=1))
    return out


def inspections_flowables(content: ReportContent, styles: Styles) -> list[Flowable]:
    if content.inspections is None:
        return []
    out: list[Flowable] = [_p(_("八、监管检查结果"), styles.h1)]
    if not content.inspections:
        out.append(_empty(_("没有已公示的检查结果。"), styles))
        return out
    heads = (_("抽查计划"), _("检查日期"), _("检查事项"), _("检查结果"))
    rows: list[list[Any]] = [[_p(h, styles.head) for h in heads]]
    for item in content.inspections:
        rows.append(
            [
                _p(item.plan, styles.cell),
                _p(item.inspected_on.isoformat() if item.inspected_on else "—", styles.short),
                _p(item.items or "—", styles.cell),
                _p(item.result, styles.cell),
            ]
        )
    widths = [CONTENT_WIDTH - 120 * mm, 22 * mm, 58 * mm, 40 * mm]
    out.append(_table(rows, widths, styles, repeat=1))
    return out


def notes_flowables(content: ReportContent, styles: Styles) -> list[Flowable]:
    notes = [
        _("本报告由%(park)s园区信用平台根据截至 %(day)s 归集的信用信息自动生成,报告编号 %(no)s。")
        % {"park": content.park_name, "day": content.as_of.isoformat(), "no": content.report_no},
        _(
            "核验方法:扫描封面二维码或访问 %(url)s,页面显示园区登记的报告编号、企业名称、"
            "统一社会信用代码、等级与文件 SM3 摘要,并校验园区签名;"
            "也可在该页面上传本文件,核对其摘要与登记是否一致。"
        )
        % {"url": content.verify_url},
        _(
            "本报告只包含依法可以公开的信息,不含身份证号码、联系电话等个人信息。"
            "对报告内容有异议的,可向园区提出信用异议申请。"
        ),
    ]
    out: list[Flowable] = [_p(_("说明"), styles.h2)]
    out.extend(_p(note, styles.small) for note in notes)
    return [KeepTogether(out)]


def build_story(content: ReportContent, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [NextPageTemplate("body"), _CoverFill(), PageBreak()]
    story.append(_p(_("一、企业基本信息"), styles.h1))
    story.append(_facts_table([(fact.label, fact.value) for fact in content.facts], styles))
    story.extend(score_flowables(content.score, styles))
    story.extend(records_flowables(content, styles))
    story.extend(commitments_flowables(content, styles))
    story.extend(inspections_flowables(content, styles))
    story.append(Spacer(1, 12))
    story.extend(notes_flowables(content, styles))
    return story


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes."""
    font = register_font()
    styles = Styles(font)
    buffer = io.BytesIO()
    title = _("企业信用报告 %(no)s") % {"no": content.report_no}
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=content.park_name,
        subject=f"{content.enterprise_name} {content.uscc}",
        creator="parkcredit",
        # The canvas's initial font is written into every page; the default is Helvetica.
        initialFontName=font,
    )
    frame = Frame(MARGIN, MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="main")
    doc.addPageTemplates(
        [
            PageTemplate(
                id="cover", frames=[frame], onPage=lambda canvas, _doc: draw_cover(canvas, content, styles)
            ),
            PageTemplate(id="body", frames=[frame]),
        ]
    )
    header = f"{content.park_name} · {_('企业信用报告')} · {content.enterprise_name}"
    footer = _("报告编号:%(no)s") % {"no": content.report_no}
    doc.build(build_story(content, styles), canvasmaker=_numbered_canvas(footer, header, font))
    return buffer.getvalue()
