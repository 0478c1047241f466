"""The one font of every credit report: WenQuanYi Micro Hei, embedded as a TrueType subset.

The font file ships in the `paperang-p2-fonts-cjk` wheel (a Python dependency), so a report
renders the same on a server without any system font and on a reader's machine without Chinese
fonts. No system font is ever looked up, and none of the 14 standard PDF fonts is used: every
paragraph style, table cell and canvas string names `FONT_NAME`, digits included.
"""

from __future__ import annotations

import importlib.resources
import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "WenQuanYiMicroHei"
FONT_PACKAGE = "paperang_p2_fonts_cjk"
FONT_FILE = "fonts/wqy-microhei.ttc"
# The .ttc holds Micro Hei (index 0) and Micro Hei Mono (index 1).
SUBFONT_INDEX = 0

_lock = threading.Lock()


def font_path() -> Path:
    """The .ttc file inside the installed font package."""
    return Path(str(importlib.resources.files(FONT_PACKAGE).joinpath(FONT_FILE)))


def register_font() -> str:
    """Register the font with reportlab once per process (parsing it takes ~0.1 s) and return
    its name. Bold and italic map to the same face: there is no bold Micro Hei, and a mapping
    to a missing face would silently fall back to Helvetica."""
    with _lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path()), subfontIndex=SUBFONT_INDEX))
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT_NAME, bold, italic, FONT_NAME)
    return FONT_NAME
