"""Unified social credit code (统一社会信用代码, GB 32100-2015): normalise and validate.

Structure of the 18 characters (positions counted from 1):

====== ============================================ =========================================
1      registration authority (登记管理部门代码)     table ``DEPARTMENTS``
2      entity category (机构类别代码)                must belong to the authority in position 1
3-8    area code of the registering authority        digits; 3-4 a GB/T 2260 province code
9-17   organisation code (主体标识码, GB 11714)      17 is the GB 11714 check character
18     check character (GB/T 17710 style, mod 31)    ``check_character``
====== ============================================ =========================================

All 18 characters come from ``CHARSET`` (31 symbols: digits and capitals without I O Z S V).

Legacy pilot codes (历史试点代码). Before GB 32100-2015 was final, the Fujian/Xiamen pilot issued
codes whose 18th character fails the standard's mod-31 check, e.g. ``91350211M0000XUF46``. They
are legal identifiers and must never be rejected. Every such code published so far (six of them,
see docs/uscc.md) carries an 18th character that satisfies an earlier scheme instead: values
0-9 and A-Z = 10-35 (all 36 alphanumerics), weights 2^i mod 37 for positions 1-17, and
C18 = (37 - S mod 37) mod 37 (``pilot_check_character``). The scheme is inferred, not taken from
a published text: it was fitted to four published pilot codes and then matched two more found
independently (a chance match on those two is about 1 in 1,300).

A code is legacy (``valid=True, legacy=True``, the failed standard check reported as a warning)
exactly when all of these hold:

* every structural check passes: length, character set, area digits, province, authority and
  category;
* the GB 11714 check on positions 9-17 passes (the pilot assigned organisation codes under that
  long-standing rule);
* the organisation code is of the pilot "M" series: position 9 is ``M`` and position 10 a digit.
  The national series that followed starts ``MA`` and ordinary organisation codes are numeric;
* the 18th character fails the mod-31 check but matches the pilot check character.

Anything else that fails a check is invalid. Consequences: in a code with an ordinary (numeric)
organisation code, a single-character typo is rejected, since mod 31 detects every single
substitution, unless it turns a 0 in position 9 into M and the pilot check then happens to
match (1 in 37 of that one slip); and a typo in a legacy code never passes as legacy, since
mod 37 detects every single substitution among the 36 alphanumerics (like any typo, it can
still land on a code that passes the standard check).

This module is pure Python on purpose: the archive, the importers and the ``parkcredit uscc``
command all use it, and the command must run without Django.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {ch: i for i, ch in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

LENGTH = 18

ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORGANISATION_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Registration authority (position 1) -> (Chinese name, {entity category (position 2): name}).
DEPARTMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地(大陆)代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

# First two digits of GB/T 2260 area codes: the provinces, autonomous regions, municipalities,
# Taiwan, Hong Kong and Macao.
_NORTH_AND_EAST = (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37)
_CENTRAL_SOUTH_WEST = (41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82)
PROVINCES = frozenset(str(n) for n in (*_NORTH_AND_EAST, *_CENTRAL_SOUTH_WEST))
# Authorities at national level register under the country code 100000 rather than a province.
NATIONAL_AREA = "100000"

# Pasted text can be long; listing every bad character would drown the useful first few.
_MAX_CHARACTER_ERRORS = 5

_QUOTES = "\"'`“”‘’「」『』«»‹›〝〞"
_TRAILING_PUNCTUATION = ".,;:!?。、…·-_/\\|"
# A bracketed tail such as "(1-1)" or "【副本】"; NFKC has already turned full-width () [] into ASCII.
_BRACKET_SUFFIX = re.compile(r"(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|〖[^〖〗]*〗)$")


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (mod 31, weights 3^i mod 31)."""
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def with_check_character(first17: str) -> str:
    """The full 18-character code: ``first17`` followed by its mod-31 check character."""
    return first17 + check_character(first17)


def pilot_check_character(first17: str) -> str | None:
    """The 18th character under the pre-standard pilot scheme (mod 37, weights 2^i mod 37).

    ``None`` when the remainder is 36, which no alphanumeric can express. Raises ValueError
    for characters outside 0-9 and A-Z.
    """
    if any(ch not in _ORGANISATION_CHARS for ch in first17):
        raise ValueError(f"试点校验只接受数字和大写字母,实际为“{first17}”")
    total = sum(_ORGANISATION_CHARS.index(ch) * pow(2, i, 37) for i, ch in enumerate(first17))
    check = (37 - total % 37) % 37
    return _ORGANISATION_CHARS[check] if check < len(_ORGANISATION_CHARS) else None


def organisation_check_character(first8: str) -> str:
    """The GB 11714 check character (position 9 of an organisation code) for its first 8.

    Digits count as themselves and letters A-Z as 10-35; weights 3,7,9,10,5,8,4,2;
    C = 11 - (S mod 11), where 10 is written ``X`` and 11 is written ``0``.
    Raises ValueError for anything but 8 characters from 0-9 and A-Z.
    """
    if len(first8) != len(ORGANISATION_WEIGHTS) or any(ch not in _ORGANISATION_CHARS for ch in first8):
        raise ValueError(f"组织机构代码本体应为8位数字或大写字母,实际为“{first8}”")
    total = sum(_ORGANISATION_CHARS.index(ch) * w for ch, w in zip(first8, ORGANISATION_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def normalize(raw: str) -> str:
    """Clean a code as typed or exported: the canonical 18-character form when the code is sound.

    NFKC folds full-width digits, letters and brackets to ASCII; whitespace and invisible format
    characters are removed wherever they are; letters are upper-cased; surrounding quotes,
    trailing punctuation and bracketed tails such as "(1-1)" are stripped. Idempotent.
    """
    text = raw
    # Repeat until nothing changes: upper-casing can denormalise a few rare letters, and a
    # stripped tail can expose another one ("X(1)(2)" or "'X(1-1)'"), so one pass is not enough.
    for _ in range(10):
        cleaned = _strip_decorations(_fold(text))
        if cleaned == text:
            break
        text = cleaned
    return text


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFKC", text.upper())


def _strip_decorations(text: str) -> str:
    while True:
        before = text
        text = text.strip(_QUOTES).rstrip(_TRAILING_PUNCTUATION)
        text = _BRACKET_SUFFIX.sub("", text)
        if text == before:
            return text


@dataclass(frozen=True)
class UsccResult:
    """The verdict on one code: what was given, its normal form, and why it is (not) valid.

    ``legacy`` codes are valid; ``warnings`` then says which check failed. ``errors`` is empty
    exactly when ``valid`` is true.
    """

    input: str
    normalized: str
    valid: bool
    legacy: bool
    errors: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The five keys the command line and the API promise, in a JSON-ready shape."""
        return {
            "input": self.input,
            "normalized": self.normalized,
            "valid": self.valid,
            "legacy": self.legacy,
            "errors": list(self.errors),
        }


def validate(raw: str) -> UsccResult:
    """Normalise ``raw`` and check it against GB 32100-2015; never raises on any text."""
    code = normalize(raw)
    shape = _shape_errors(code)
    if shape:
        return UsccResult(raw, code, valid=False, legacy=False, errors=tuple(shape))

    structure = _authority_errors(code[0], code[1]) + _area_errors(code[2:8])
    organisation_error = _organisation_error(code)
    expected = check_character(code[:17])
    final_error = None if expected == code[17] else f"第18位校验码应为 {expected},实际为 {code[17]}"

    if not structure and organisation_error is None and final_error is not None and _is_pilot_code(code):
        warning = (
            f"第18位校验码按 GB 32100 应为 {expected},实际为 {code[17]};第9-17位为早期试点 M 系列"
            "组织机构代码,第18位符合试点期校验规则,按合法的历史试点代码处理"
        )
        return UsccResult(raw, code, valid=True, legacy=True, errors=(), warnings=(warning,))

    # The check characters are reported next to a structural fault too: both failing together
    # points to a typing slip rather than a strange but genuine code.
    errors = [*structure, *(e for e in (organisation_error, final_error) if e is not None)]
    return UsccResult(raw, code, valid=not errors, legacy=False, errors=tuple(errors))


def is_valid(raw: str) -> bool:
    """True for every code the archive accepts, legacy pilot codes included."""
    return validate(raw).valid


def _shape_errors(code: str) -> list[str]:
    """Faults that leave no positions to talk about: empty, wrong length, foreign characters."""
    if not code:
        return ["统一社会信用代码为空"]
    errors = []
    if len(code) != LENGTH:
        errors.append(f"长度应为18位,实际为{len(code)}位")
    illegal = [(position, ch) for position, ch in enumerate(code, start=1) if ch not in _VALUES]
    for position, ch in illegal[:_MAX_CHARACTER_ERRORS]:
        errors.append(f"第{position}位字符“{ch}”不合法:只能使用数字和除 I、O、Z、S、V 以外的大写字母")
    if len(illegal) > _MAX_CHARACTER_ERRORS:
        errors.append(f"另有{len(illegal) - _MAX_CHARACTER_ERRORS}个不合法字符未列出")
    return errors


def _authority_errors(department: str, category: str) -> list[str]:
    if department not in DEPARTMENTS:
        known = "、".join(DEPARTMENTS)
        return [f"第1位登记管理部门代码“{department}”不存在,应为 {known} 之一"]
    name, categories = DEPARTMENTS[department]
    if category not in categories:
        known = "、".join(categories)
        return [f"第2位机构类别代码“{category}”不属于登记管理部门“{department}”({name}),应为 {known} 之一"]
    return []


def _area_errors(area: str) -> list[str]:
    errors = [
        f"第{position}位应为数字(登记管理机关行政区划码),实际为“{ch}”"
        for position, ch in enumerate(area, start=3)
        if ch not in "0123456789"
    ]
    if errors:
        return errors
    if area[:2] not in PROVINCES and area != NATIONAL_AREA:
        return [f"第3-4位省级行政区划码“{area[:2]}”不存在(行政区划码为“{area}”)"]
    return []


def _organisation_error(code: str) -> str | None:
    expected = organisation_check_character(code[8:16])
    if expected == code[16]:
        return None
    return f"第17位组织机构代码校验码应为 {expected},实际为 {code[16]}"


def _is_pilot_code(code: str) -> bool:
    return code[8] == "M" and code[9] in "0123456789" and pilot_check_character(code[:17]) == code[17]
