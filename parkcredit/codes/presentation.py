"""How codes look: reason texts for people, grade colours, and the QR images (segno)."""

from __future__ import annotations

import io

import segno
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from creditcore import codesign

# The page's words for each reason (the creditcore messages, made translatable).
REASON_TITLES: dict[str, Promise] = {
    codesign.OK: _("已验证"),
    codesign.MALFORMED: _("无法识别的信用码"),
    codesign.UNSUPPORTED_VERSION: _("无法识别的信用码"),
    codesign.UNKNOWN_KEY: _("伪造的信用码"),
    codesign.BAD_SIGNATURE: _("伪造或被篡改的信用码"),
    codesign.NOT_YET_VALID: _("信用码尚未生效"),
    codesign.EXPIRED: _("信用码已过期"),
    codesign.REVOKED: _("信用码已撤销"),
    codesign.SUPERSEDED: _("信用码已失效:已有更新的信用码"),
    codesign.UNKNOWN_CODE: _("园区档案中没有此信用码"),
}
REASON_TEXTS: dict[str, Promise] = {
    codesign.OK: _("签名有效,且在有效期内:以下信息由园区签发,真实可信。"),
    codesign.MALFORMED: _("这不是本平台签发的企业信用码,或在复制、传递中被截断或改动。请勿信任。"),
    codesign.UNSUPPORTED_VERSION: _("信用码的版本不受支持。请勿信任,请联系园区核实。"),
    codesign.UNKNOWN_KEY: _("信用码不是用本园区的签名密钥签发的。请勿信任。"),
    codesign.BAD_SIGNATURE: _("签名验证失败:信用码的内容被篡改,或是伪造的。请勿信任。"),
    codesign.NOT_YET_VALID: _("信用码的签发时间晚于当前时间,请核对设备时间或联系园区。"),
    codesign.EXPIRED: _("信用码已超过有效期,不能证明企业当前的信用状况。"),
    codesign.REVOKED: _("园区已撤销该信用码,不能证明企业当前的信用状况。"),
    codesign.SUPERSEDED: _("企业的信用等级或信用码已更新,此码不再代表当前状况,请查看新码。"),
    codesign.UNKNOWN_CODE: _("签名有效,但园区档案中查不到该信用码。请联系园区核实。"),
}

# Tabler classes of the grade tile: A green, B yellow, C red, D black.
COLOUR_CLASSES = {
    "green": "bg-green text-white",
    "yellow": "bg-yellow text-dark",
    "red": "bg-red text-white",
    "black": "bg-dark text-white",
}
GRADE_COLOURS = {"A": "green", "B": "yellow", "C": "red", "D": "black"}
# Print colours of the plaque (hex: print pages cannot rely on the theme's CSS variables).
PLAQUE_COLOURS = {"green": "#2fb344", "yellow": "#f59f00", "red": "#d63939", "black": "#1d273b"}

QR_ERROR = "m"


def qr_for(url: str) -> segno.QRCode:
    """The QR code of an absolute URL (error correction M: survives some wear on a plaque)."""
    return segno.make(url, error=QR_ERROR, micro=False)


def qr_svg(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr_for(url).save(buffer, kind="svg", scale=scale, border=4, xmldecl=True)
    return buffer.getvalue()


def qr_svg_inline(url: str) -> str:
    """SVG markup for embedding in a page: a viewBox and no fixed size, so CSS sizes it."""
    svg: str = qr_for(url).svg_inline(border=4, omitsize=True, svgclass="qr-code")
    return svg


def qr_png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    qr_for(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
