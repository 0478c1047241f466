"""The commitment templates a new installation starts with (one or two per scenario).

Staff revise them on the templates page; a revision is a new version, these rows stay as the
first versions. The texts are the park's own wording; the conditions use the record kind and
metric codes of `creditcore.catalogue`.
"""

from __future__ import annotations

from typing import Any

_DECLARATION = (
    "本单位({主体名称},统一社会信用代码:{统一社会信用代码})就{承诺事项}郑重承诺:\n"
    "一、所提交的全部材料真实、准确、完整、有效,不存在虚假记载、误导性陈述或重大遗漏;\n"
    "二、严格遵守法律、法规、规章和园区管理规定,依法诚信经营;\n"
)
_CLOSING = (
    "本承诺自{签署日期}起生效,承诺期限为{承诺期限}。本单位同意将本承诺及履约情况记入信用记录并向社会公开;"
    "如违背承诺,自愿接受行政机关和园区依法依规采取的失信约束措施,并承担相应的法律责任。"
)

SEED_TEMPLATES: tuple[dict[str, Any], ...] = (
    {
        "code": "registration",
        "scenario": "registration",
        "title": "市场主体登记信用承诺书",
        "body": _DECLARATION
        + "三、按时报送年度报告并如实公示企业信息,登记事项发生变化时及时办理变更登记;\n"
        + "四、承诺期内履行下列事项:\n{履约条件}\n"
        + _CLOSING,
        "conditions": [
            {"type": "no_record", "kinds": ["abnormal-operation"], "label": "按时年报、如实公示"},
        ],
        "period_months": 12,
        "breach_severity": "general",
    },
    {
        "code": "approval",
        "scenario": "approval",
        "title": "行政审批告知承诺书",
        "body": _DECLARATION
        + "三、已知晓审批部门告知的全部许可条件,本单位现已符合(或将在承诺期限内符合)上述条件;\n"
        + "四、承诺期内履行下列事项:\n{履约条件}\n"
        + "审批部门可随时对承诺内容进行核查,核查发现承诺不实的,依法撤销相关许可。\n"
        + _CLOSING,
        "conditions": [
            {"type": "deliver_by", "workdays": 20, "label": "补齐容缺受理所缺申请材料并通过核查"},
            {
                "type": "no_record",
                "kinds": ["penalty"],
                "min_severity": "general",
                "areas": ["产品质量", "许可"],
                "label": "不因许可事项受到行政处罚",
            },
        ],
        "period_months": 6,
        "breach_severity": "serious",
    },
    {
        "code": "construction",
        "scenario": "construction",
        "title": "项目建设信用承诺书",
        "body": _DECLARATION
        + "三、严格落实安全生产、消防和特种设备管理主体责任,文明施工、按期建设;\n"
        + "四、承诺期内履行下列事项:\n{履约条件}\n"
        + _CLOSING,
        "conditions": [
            {
                "type": "no_record",
                "kinds": ["penalty"],
                "areas": ["安全生产", "消防", "特种设备"],
            },
            {"type": "rectify_on_time", "metric": "safety_findings", "label": "园区安全检查发现的隐患"},
        ],
        "period_months": 24,
        "breach_severity": "general",
    },
    {
        "code": "policy",
        "scenario": "policy",
        "title": "惠企政策申报信用承诺书",
        "body": _DECLARATION
        + "三、申报的经营、纳税、用工等数据与实际一致,获得的政策资金专款专用;\n"
        + "四、承诺期内履行下列事项:\n{履约条件}\n"
        + "如有违反,除记入信用记录外,同意退回已享受的政策资金。\n"
        + _CLOSING,
        "conditions": [
            {
                "type": "no_record",
                "kinds": ["tax-arrears", "social-insurance-arrears"],
                "label": "依法纳税和缴纳社保",
            },
            {
                "type": "no_record",
                "kinds": ["serious-dishonesty", "court-defaulter"],
                "label": "不被列入失信名单",
            },
        ],
        "period_months": 12,
        "breach_severity": "general",
    },
    {
        "code": "repair",
        "scenario": "repair",
        "title": "信用修复承诺书",
        "body": _DECLARATION
        + "三、已纠正失信行为,履行了行政处罚决定等法定义务,消除了不良影响;\n"
        + "四、承诺期内履行下列事项:\n{履约条件}\n"
        + "如提供虚假材料或再次发生同类失信行为,同意撤销修复结果并记入信用记录。\n"
        + _CLOSING,
        "conditions": [
            {
                "type": "no_record",
                "kinds": ["penalty"],
                "min_severity": "general",
                "same_as_record": True,
                "label": "不再发生同类违法失信行为",
            },
        ],
        "period_months": 12,
        "breach_severity": "general",
    },
    {
        "code": "government-policy",
        "scenario": "government",
        "title": "园区惠企政策兑现承诺书",
        "body": (
            "{主体名称}作为园区政策兑现责任部门,就{承诺事项}向园区企业和社会公开承诺:\n"
            "一、政策条件、申报材料、兑现流程和办理时限全部公开,不设置隐性门槛;\n"
            "二、依法依规审核,不增加企业负担,不以任何名义截留、挪用政策资金;\n"
            "三、承诺期内履行下列事项:\n{履约条件}\n"
            "本承诺自{签署日期}起生效,承诺期限为{承诺期限},履约情况向社会公开,接受企业和社会监督。"
        ),
        "conditions": [
            {"type": "deliver_by", "workdays": 30, "label": "完成已受理惠企政策资金的审核和拨付"},
        ],
        "period_months": 12,
        "breach_severity": "general",
    },
    {
        "code": "government-contract",
        "scenario": "government",
        "title": "园区涉企合同履约承诺书",
        "body": (
            "{主体名称}就{承诺事项}向合同相对方和社会公开承诺:\n"
            "一、严格履行与企业依法签订的招商引资、工程建设、政府采购等合同,不因人员调整、机构变更违约毁约;\n"
            "二、不拖欠企业账款,确有困难的主动与企业协商并书面说明;\n"
            "三、承诺期内履行下列事项:\n{履约条件}\n"
            "本承诺自{签署日期}起生效,承诺期限为{承诺期限},履约情况向社会公开,接受企业和社会监督。"
        ),
        "conditions": [
            {"type": "deliver_by", "workdays": 60, "label": "结清到期应付企业的工程款和服务费"},
        ],
        "period_months": 12,
        "breach_severity": "general",
    },
)
