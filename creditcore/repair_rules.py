"""The built-in repair rule sets (修复规则集), as data in the shape staff edit on the rules page.

One set per regime, keyed by its effective date: the Order 58 era (before 2026-04-01) and NDRC
Order 36 with 国办发〔2025〕22号 (from 2026-04-01). Every rule names its source; the facts and
their confidence marks are in the shared domain reference §0 and §2, and docs/repair-rules.md
explains each choice. Where the national texts give no period for a kind (other dishonesty
information, the park's own records), the rule says it is park policy (园区规则) and which national
scale it follows. Staff-approved versions in the database replace a set with the same effective date.

Rule fields: kind (catalogue code), severity (minor/general/serious or "*"), penalty_types
(keywords matched against the penalty type, e.g. 处罚类别 or 违法行为领域; empty = the base rule),
published, min_months (earliest repair, counted from the decision), max_months (end of publicity;
null = until the listing body removes it), early_repair, materials (a named list or a list), rule.
"""

from __future__ import annotations

from typing import Any

from creditcore.catalogue import KINDS_BY_CODE

ORDER58_CITATION = (
    "国家发展改革委令第58号《失信行为纠正后的信用信息修复管理办法(试行)》(2023-05-01施行,2026-04-01废止)"
)
ORDER36_CITATION = "国家发展改革委令第36号《信用修复管理办法》(2026-04-01施行)、国办发〔2025〕22号"

_ORDER58_MATERIALS = [
    "信用修复申请表",
    "信用修复承诺书",
    "营业执照复印件",
    "经办人身份证复印件",
    "法定代表人身份证明书",
    "授权委托书(委托他人办理时)",
    "已纠正失信行为、履行法定义务的证明材料",
]
_ORDER36_MATERIALS = [
    "已纠正失信行为、履行相关义务的证明材料(认定部门可自行核查的无需提交)",
    "信用承诺书(承诺材料真实,违诺愿担责)",
]
_COURT_MATERIALS = [
    "履行完毕的证明,或执行和解协议已履行完毕的证明,或人民法院终结执行的裁定书",
    "向作出纳入决定的人民法院提出的删除申请",
]
_ABNORMAL_MATERIALS_58 = [
    "移出经营异常名录申请书",
    "补报的年度报告或更正后的公示信息",
    "营业执照复印件",
    "经办人身份证复印件",
]
_ABNORMAL_MATERIALS_36 = [
    "补报的年度报告或更正后的公示信息(登记机关可在系统中核查)",
    "信用承诺书(承诺材料真实,违诺愿担责)",
]

# Kinds the national catalogue calls "other dishonesty information" (其他失信信息) for which the
# texts read give no periods of their own; the park applies the penalty scale of the regime.
_OTHER_PUBLIC = ("administrative-enforcement", "tax-arrears", "social-insurance-arrears", "commitment-breach")
# The park's own records (园区履约 / 园区安全生产): never published outside the park.
_PARK_ONLY = ("park-rent-arrears", "park-contract-breach", "park-safety-hazard", "park-env-violation")


def _rule(kind: str, severity: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "severity": severity, **fields}


def _court_rules(henan_note: str, *, deletion: str = "由作出决定的人民法院删除") -> list[dict[str, Any]]:
    """Court defaulters and enforcement information: the same in both regimes (court rules)."""
    henan = "《河南省社会信用条例》第三十三条第(五)项" + (f":{henan_note}" if henan_note else "")
    return [
        _rule(
            "court-defaulter",
            "serious",
            published=True,
            min_months=0,
            max_months=None,
            early_repair=True,
            materials="court",
            rule=(
                "《最高人民法院关于公布失信被执行人名单信息的若干规定》:全部履行、执行和解履行完毕或终结执行的,"
                f"{deletion};{henan}"
            ),
        ),
        _rule(
            "court-enforcement",
            "general",
            published=True,
            min_months=0,
            max_months=60,
            early_repair=True,
            materials="court",
            rule="《河南省社会信用条例》第二十条、第十九条:强制执行信息属失信信息,展示期最长5年,执行完毕后可申请修复",
        ),
    ]


def _before_2026() -> dict[str, Any]:
    scale = (
        "信用中国行政处罚信息公示单一标准:最短3个月、最长3年,自决定之日起算,"
        "最短期满可申请提前停止公示,最长期满自动停止"
    )
    rules: list[dict[str, Any]] = [
        _rule(
            "penalty",
            "*",
            published=True,
            min_months=3,
            max_months=36,
            early_repair=True,
            materials="order58",
            rule=f"{ORDER58_CITATION}第三条“终止公示行政处罚信息”;{scale}",
        ),
        _rule(
            "penalty",
            "*",
            penalty_types=["特种设备", "安全生产", "消防"],
            published=True,
            min_months=12,
            max_months=36,
            early_repair=True,
            materials="order58",
            rule=f"{ORDER58_CITATION};特种设备、安全生产、消防领域行政处罚最短公示期1年、最长3年",
        ),
        _rule(
            "serious-dishonesty",
            "serious",
            published=True,
            min_months=12,
            max_months=36,
            early_repair=True,
            materials="order58",
            rule=(
                f"{ORDER58_CITATION}第三条“移出严重失信主体名单”;市场监管总局令第44号"
                "《市场监督管理严重违法失信名单管理办法》:列入满1年可申请提前移出,列入3年期满移出"
            ),
        ),
        _rule(
            "abnormal-operation",
            "general",
            published=True,
            min_months=0,
            max_months=None,
            early_repair=True,
            materials="abnormal58",
            rule=(
                f"《企业信息公示暂行条例》:履行公示义务后申请移出经营异常名录,列入满3年转入严重违法企业名单;"
                f"{ORDER58_CITATION}第三条“修复其他失信信息”"
            ),
        ),
        *_court_rules("失信被执行人属严重失信行为"),
    ]
    for kind in _OTHER_PUBLIC:
        rules.append(
            _rule(
                kind,
                "*",
                published=True,
                min_months=3,
                max_months=36,
                early_repair=True,
                materials="order58",
                rule=f"园区规则:{ORDER58_CITATION}第三条“修复其他失信信息”,公示期参照{scale}",
            )
        )
    for kind in _PARK_ONLY:
        rules.append(
            _rule(
                kind,
                "*",
                published=False,
                min_months=3,
                max_months=36,
                early_repair=True,
                materials="order58",
                rule=f"园区规则:园区自有信息不对外公示,园区内使用期参照{scale}",
            )
        )
    return {
        "code": "order58",
        "name": "2026年4月1日前规则(国家发展改革委令第58号时期)",
        "effective_from": "2023-05-01",
        "citation": ORDER58_CITATION,
        "transition": "handling",
        # Order 58's own time limits were not confirmed (domain reference §2.4, believed 2/5/3).
        "deadlines": {"accept": 2, "decide": 5, "stop_publicity": 3},
        "materials": {
            "order58": _ORDER58_MATERIALS,
            "court": _COURT_MATERIALS,
            "abnormal58": _ABNORMAL_MATERIALS_58,
        },
        "rules": rules,
    }


def _from_2026() -> dict[str, Any]:
    minor = "轻微失信信息原则上不公示;确需公示的最长3个月,履行相关义务后即可修复"
    general = "一般失信信息最短公示3个月、最长1年"
    serious = "严重失信信息最短公示1年、最长3年"
    counted = "自司法或行政文书作出之日起算,最长期满自动停止公示"
    scales = {
        "minor": {"published": False, "min_months": 0, "max_months": 3, "text": minor},
        "general": {"published": True, "min_months": 3, "max_months": 12, "text": general},
        "serious": {"published": True, "min_months": 12, "max_months": 36, "text": serious},
    }
    park_only = f"园区规则:园区自有信息不对外公示,园区内使用期参照{ORDER36_CITATION}"
    rules: list[dict[str, Any]] = []
    for severity, scale in scales.items():
        # Per level: penalties, then the other public kinds, then the park's own (never published).
        rows = [("penalty", scale["published"], f"{ORDER36_CITATION}:行政处罚信息,{scale['text']},{counted}")]
        rows += [
            (
                kind,
                scale["published"],
                f"{ORDER36_CITATION}第四条“其他失信信息”(园区规则:按{scale['text']}),{counted}",
            )
            for kind in _OTHER_PUBLIC
        ]
        rows += [(kind, False, f"{park_only}{scale['text']}") for kind in _PARK_ONLY]
        for kind, published, text in rows:
            if kind != "penalty" and severity not in KINDS_BY_CODE[kind].severities:
                continue
            rules.append(
                _rule(
                    kind,
                    severity,
                    published=published,
                    min_months=scale["min_months"],
                    max_months=scale["max_months"],
                    early_repair=True,
                    materials="order36",
                    rule=text,
                )
            )
    rules += [
        _rule(
            "serious-dishonesty",
            "serious",
            published=True,
            min_months=12,
            max_months=36,
            early_repair=True,
            materials="order36",
            rule=f"{ORDER36_CITATION}第四条“严重失信主体名单信息”:{serious},{counted};市场监管领域另见市场监管总局令第44号",
        ),
        _rule(
            "abnormal-operation",
            "general",
            published=True,
            min_months=0,
            max_months=None,
            early_repair=True,
            materials="abnormal36",
            rule=(
                f"{ORDER36_CITATION}第四条“异常名录信息”:纠正并履行义务后即可申请移出;"
                "《企业信息公示暂行条例》:列入满3年转入严重违法企业名单;市场监管总局令第107号(2025-12-25施行)"
            ),
        ),
        *_court_rules("", deletion="由作出决定的人民法院删除(谁认定、谁修复)"),
    ]
    return {
        "code": "order36",
        "name": "2026年4月1日起规则(国家发展改革委令第36号、国办发〔2025〕22号)",
        "effective_from": "2026-04-01",
        "citation": ORDER36_CITATION,
        # Records decided before this date and handled after: the more favourable of the old and
        # new result (see creditcore.repair.TRANSITIONS and docs/repair-rules.md).
        "transition": "favourable",
        # 国办发〔2025〕22号: 信用中国 forwards and answers within 10 working days; the sector
        # regulator decides within 3 working days.
        "deadlines": {"feedback": 10, "decide": 3},
        "materials": {
            "order36": _ORDER36_MATERIALS,
            "court": _COURT_MATERIALS,
            "abnormal36": _ABNORMAL_MATERIALS_36,
        },
        "rules": rules,
    }


BUILTIN_RULE_SETS: tuple[dict[str, Any], ...] = (_before_2026(), _from_2026())
