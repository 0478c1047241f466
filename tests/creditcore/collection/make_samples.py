"""The sample files under docs/samples/, as data, and a writer for them.

Run `.venv/bin/python -m tests.creditcore.collection.make_samples` to rewrite the files after a
profile changes; test_samples.py checks that the committed files still match and parse cleanly.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from creditcore.uscc import organisation_check_character, with_check_character

SAMPLES_DIR = Path(__file__).resolve().parents[3] / "docs" / "samples"


def make_code(area: str, body: str) -> str:
    """A valid USCC for an enterprise (91) registered in `area` with organisation code `body`."""
    return with_check_character("91" + area + body + organisation_check_character(body))


ZHIZAO = make_code("410100", "MA44QJ7R")
YUNENG = make_code("410100", "MA3XKB2T")
HENGDA = make_code("410122", "MA40NP8W")
LVYUAN = make_code("410100", "MA45CR6L")
YUNSHU = make_code("410100", "MA46FH3D")
HUAKANG = make_code("410122", "MA3Y8E1K")
KUNXIN = make_code("410100", "MA47GT5M")
SUPPLIER = make_code("320500", "MA1MYW9P")

NAMES = {
    ZHIZAO: "郑州中原智造科技有限公司",
    YUNENG: "河南豫能新材料股份有限公司",
    HENGDA: "郑州恒达精密机械有限公司",
    LVYUAN: "郑州绿源环保工程有限公司",
    YUNSHU: "河南云数信息技术有限公司",
    HUAKANG: "郑州华康食品有限公司",
    KUNXIN: "郑州堃鑫建材有限公司",
    SUPPLIER: "苏州工业园区精工零部件有限公司",
}

Table = tuple[list[str], list[list[str]]]

SAMPLES: dict[str, Table] = {
    "enterprise": (
        [
            "统一社会信用代码",
            "企业名称",
            "法定代表人",
            "注册资本(万元)",
            "成立日期",
            "企业类型",
            "登记机关",
            "行业代码",
            "所属行业",
            "住所",
            "登记状态",
            "企业规模",
            "入园日期",
        ],
        [
            [
                ZHIZAO,
                NAMES[ZHIZAO],
                "王建国",
                "5000",
                "2017-03-15",
                "有限责任公司(自然人投资或控股)",
                "郑州市市场监督管理局",
                "3484",
                "机械零部件加工",
                "河南省郑州市高新技术产业开发区科学大道100号",
                "存续(在营、开业、在册)",
                "中型",
                "2018-06-01",
            ],
            [
                YUNENG,
                NAMES[YUNENG],
                "李秀英",
                "12000",
                "2015/8/20",
                "股份有限公司(非上市)",
                "河南省市场监督管理局",
                "2614",
                "有机化学原料制造",
                "河南省郑州市高新技术产业开发区西三环路289号",
                "存续",
                "大型",
                "2016-01-10",
            ],
            [
                HENGDA,
                NAMES[HENGDA],
                "张伟",
                "800万元人民币",
                "2019年4月2日",
                "有限责任公司",
                "中牟县市场监督管理局",
                "3421",
                "金属切削机床制造",
                "河南省郑州市中牟县官渡大街18号",
                "在营",
                "小型",
                "2019-09-01",
            ],
            [
                KUNXIN,
                NAMES[KUNXIN],
                "赵堃",
                "300",
                "20200611",
                "有限责任公司(自然人独资)",
                "郑州市市场监督管理局",
                "3021",
                "水泥制品制造",
                "河南省郑州市高新技术产业开发区冬青街26号",
                "存续",
                "微型",
                "2020-08-15",
            ],
        ],
    ),
    "penalty": (
        [
            "行政相对人名称",
            "行政相对人类别",
            "统一社会信用代码",
            "法定代表人",
            "行政处罚决定书文号",
            "违法行为类型",
            "违法事实",
            "处罚依据",
            "处罚类别",
            "处罚内容",
            "罚款金额(万元)",
            "处罚决定日期",
            "处罚有效期",
            "公示截止期",
            "处罚机关",
            "数据来源单位",
            "当前状态",
            "备注",
        ],
        [
            [
                NAMES[ZHIZAO],
                "法人及非法人组织",
                ZHIZAO,
                "王建国",
                "郑高市监罚〔2023〕112号",
                "违反产品质量法",
                "销售不合格的产品",
                "《中华人民共和国产品质量法》第四十九条",
                "罚款",
                "罚款2000元",
                "0.2",
                "2023-05-10",
                "2023-05-17",
                "2024-05-10",
                "郑州高新技术产业开发区市场监督管理局",
                "郑州高新区市场监督管理局",
                "正常",
                "",
            ],
            [
                NAMES[HENGDA],
                "法人及非法人组织",
                HENGDA,
                "张伟",
                "中应急罚〔2023〕8号",
                "违反安全生产法",
                "未按规定对从业人员进行安全生产教育和培训",
                "《中华人民共和国安全生产法》第九十七条",
                "警告",
                "给予警告",
                "",
                "2023/8/3",
                "",
                "2023/11/3",
                "中牟县应急管理局",
                "中牟县应急管理局",
                "正常",
                "",
            ],
            [
                NAMES[LVYUAN],
                "法人及非法人组织",
                LVYUAN,
                "陈静",
                "郑环罚〔2024〕36号",
                "违反大气污染防治法",
                "未采取有效措施防治扬尘污染",
                "《中华人民共和国大气污染防治法》第一百一十五条",
                "罚款",
                "罚款人民币叁万伍仟元整",
                "3.5",
                "2024年3月18日",
                "",
                "2025年3月18日",
                "郑州市生态环境局",
                "郑州市生态环境局",
                "正常",
                "",
            ],
            [
                NAMES[YUNENG],
                "法人及非法人组织",
                YUNENG,
                "李秀英",
                "郑高市监罚〔2022〕57号",
                "违反广告法",
                "发布虚假广告",
                "《中华人民共和国广告法》第五十五条",
                "罚款",
                "罚款10000元",
                "1",
                "2022-11-02",
                "",
                "2023-11-02",
                "郑州高新技术产业开发区市场监督管理局",
                "郑州高新区市场监督管理局",
                "已撤销",
                "经行政复议撤销",
            ],
            [
                NAMES[KUNXIN],
                "法人及非法人组织",
                KUNXIN,
                "赵堃",
                "郑高消行罚决字〔2024〕0021号",
                "违反消防法",
                "生产车间消防设施未保持完好有效,经责令改正拒不改正",
                "《中华人民共和国消防法》第六十条",
                "罚款;责令停产停业",
                "罚款人民币伍万元,责令停产停业",
                "5",
                "2024-09-26",
                "",
                "2025-09-26",
                "郑州高新技术产业开发区消防救援大队",
                "郑州高新区消防救援大队",
                "正常",
                "",
            ],
        ],
    ),
    "licence": (
        [
            "行政相对人名称",
            "统一社会信用代码",
            "法定代表人",
            "行政许可决定文书名称",
            "行政许可决定文书号",
            "许可类别",
            "许可证书名称",
            "许可编号",
            "许可内容",
            "许可决定日期",
            "有效期自",
            "有效期至",
            "许可机关",
            "数据来源单位",
        ],
        [
            [
                NAMES[HUAKANG],
                HUAKANG,
                "刘芳",
                "食品生产许可决定书",
                "豫食药监许〔2023〕0412号",
                "普通",
                "食品生产许可证",
                "SC10641012200312",
                "糕点、速冻食品生产",
                "2023-04-12",
                "2023-04-12",
                "2028-04-11",
                "郑州市市场监督管理局",
                "郑州市市场监督管理局",
            ],
            [
                NAMES[YUNENG],
                YUNENG,
                "李秀英",
                "危险化学品经营许可决定书",
                "郑应急许〔2022〕119号",
                "普通",
                "危险化学品经营许可证",
                "豫郑危化经字〔2022〕000119",
                "危险化学品经营(不带储存设施)",
                "2022/6/30",
                "2022/6/30",
                "2025/6/29",
                "郑州市应急管理局",
                "郑州市应急管理局",
            ],
            [
                NAMES[ZHIZAO],
                ZHIZAO,
                "王建国",
                "排污许可决定书",
                "郑环许〔2024〕21号",
                "普通",
                "排污许可证",
                f"{ZHIZAO}001V",
                "排放大气污染物",
                "20240115",
                "20240115",
                "20290114",
                "郑州市生态环境局",
                "郑州市生态环境局",
            ],
        ],
    ),
    "court-defaulter": (
        [
            "被执行人名称",
            "统一社会信用代码",
            "法定代表人或负责人",
            "案号",
            "执行法院",
            "立案时间",
            "发布时间",
            "执行依据文号",
            "生效法律文书确定的义务",
            "被执行人的履行情况",
            "失信被执行人行为具体情形",
            "执行标的(元)",
        ],
        [
            [
                NAMES[HENGDA],
                HENGDA,
                "张伟",
                "(2023)豫0122执1563号",
                "中牟县人民法院",
                "2023-06-12",
                "2023-10-09",
                "(2023)豫0122民初2210号",
                "支付货款186,500元及利息",
                "全部未履行",
                "有履行能力而拒不履行生效法律文书确定义务",
                "186500",
            ],
            [
                NAMES[KUNXIN],
                KUNXIN,
                "赵堃",
                "(2024)豫0191执812号",
                "郑州高新技术产业开发区人民法院",
                "2024/2/20",
                "2024/5/6",
                "(2023)豫0191民初9027号",
                "支付工程款42万元",
                "部分未履行",
                "违反财产报告制度",
                "420000",
            ],
        ],
    ),
    "abnormal-operation": (
        [
            "企业名称",
            "统一社会信用代码",
            "列入经营异常名录原因",
            "列入日期",
            "作出决定机关(列入)",
            "移出经营异常名录原因",
            "移出日期",
            "作出决定机关(移出)",
        ],
        [
            [
                NAMES[KUNXIN],
                KUNXIN,
                "未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告",
                "2023-07-05",
                "郑州市市场监督管理局",
                "依照《经营异常名录管理办法》第十一条规定,补报未报年份的年度报告并公示",
                "2023-09-18",
                "郑州市市场监督管理局",
            ],
            [
                NAMES[LVYUAN],
                LVYUAN,
                "通过登记的住所或者经营场所无法联系",
                "2024年6月20日",
                "郑州市市场监督管理局",
                "",
                "",
                "",
            ],
        ],
    ),
    "serious-dishonesty": (
        [
            "主体名称",
            "统一社会信用代码",
            "列入名单名称",
            "列入事由",
            "列入依据",
            "认定部门",
            "决定文书号",
            "列入日期",
            "有效期至",
        ],
        [
            [
                NAMES[KUNXIN],
                KUNXIN,
                "拖欠农民工工资失信联合惩戒对象名单",
                "拖欠农民工工资数额较大",
                "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条",
                "郑州市人力资源和社会保障局",
                "郑人社失信〔2024〕3号",
                "2024-08-01",
                "2027-07-31",
            ],
        ],
    ),
    "tax-grade": (
        ["统一社会信用代码", "纳税人名称", "评价年度", "纳税信用等级", "评价日期", "主管税务机关"],
        [
            [ZHIZAO, NAMES[ZHIZAO], "2023", "A", "2024-04-15", "国家税务总局郑州高新技术产业开发区税务局"],
            [YUNENG, NAMES[YUNENG], "2023", "A", "2024-04-15", "国家税务总局郑州高新技术产业开发区税务局"],
            [HENGDA, NAMES[HENGDA], "2023", "C", "", "国家税务总局中牟县税务局"],
            [KUNXIN, NAMES[KUNXIN], "2023", "M级", "2024-04-15", "国家税务总局郑州高新技术产业开发区税务局"],
        ],
    ),
    "honour": (
        [
            "统一社会信用代码",
            "企业名称",
            "类型",
            "荣誉名称",
            "荣誉级别",
            "授予单位",
            "授予日期",
            "有效期至",
            "文号",
        ],
        [
            [
                ZHIZAO,
                NAMES[ZHIZAO],
                "荣誉",
                "河南省诚信示范企业",
                "省级",
                "河南省发展和改革委员会",
                "2023-12-20",
                "",
                "豫发改财金〔2023〕955号",
            ],
            [YUNENG, NAMES[YUNENG], "红名单", "海关高级认证企业", "国家级", "郑州海关", "2022-09-01", "", ""],
            [
                YUNSHU,
                NAMES[YUNSHU],
                "荣誉",
                "郑州市守合同重信用企业",
                "市级",
                "郑州市市场监督管理局",
                "2024/1/8",
                "2025/12/31",
                "",
            ],
        ],
    ),
    "rent": (
        [
            "统一社会信用代码",
            "企业名称",
            "账单编号",
            "费用类型",
            "账期",
            "应缴金额(元)",
            "到期日",
            "缴清日期",
            "楼宇/房号",
        ],
        [
            [
                ZHIZAO,
                NAMES[ZHIZAO],
                "ZJ-2024-03-0101",
                "房租",
                "2024-03",
                "86,400.00",
                "2024-03-10",
                "2024-03-08",
                "3号楼101",
            ],
            [
                ZHIZAO,
                NAMES[ZHIZAO],
                "WY-2024-03-0101",
                "物业费",
                "2024-03",
                "5,760.00",
                "2024-03-10",
                "2024-03-08",
                "3号楼101",
            ],
            [
                HENGDA,
                NAMES[HENGDA],
                "ZJ-2024-03-0205",
                "房租",
                "2024-03",
                "42,000.00",
                "2024-03-10",
                "2024-04-22",
                "5号楼205",
            ],
            [
                KUNXIN,
                NAMES[KUNXIN],
                "ZJ-2024-03-0702",
                "房租",
                "2024年3月",
                "18,900.00",
                "2024-03-10",
                "",
                "7号楼2层",
            ],
        ],
    ),
    "utility": (
        ["统一社会信用代码", "企业名称", "类型", "抄表月份", "用量", "表号", "抄表单号"],
        [
            [ZHIZAO, NAMES[ZHIZAO], "电", "2024-03", "128560", "DB-03-101", "CB202403-0001"],
            [ZHIZAO, NAMES[ZHIZAO], "水", "2024-03", "1320.5", "SB-03-101", "CB202403-0002"],
            [YUNENG, NAMES[YUNENG], "电", "2024-03", "563200", "DB-01-001", "CB202403-0003"],
            [YUNENG, NAMES[YUNENG], "天然气", "2024-03", "48210", "QB-01-001", "CB202403-0004"],
        ],
    ),
    "safety-inspection": (
        [
            "统一社会信用代码",
            "企业名称",
            "检查单号",
            "检查日期",
            "问题数",
            "隐患描述",
            "严重程度",
            "整改期限",
            "整改完成日期",
            "检查人",
        ],
        [
            [
                YUNENG,
                NAMES[YUNENG],
                "AJ-2024-0311",
                "2024-03-11",
                "2",
                "危化品仓库防爆灯具损坏;应急通道堆放杂物",
                "一般",
                "2024-03-25",
                "2024-03-22",
                "安监办 周磊",
            ],
            [
                HENGDA,
                NAMES[HENGDA],
                "AJ-2024-0315",
                "2024-03-15",
                "1",
                "冲压设备安全防护罩缺失",
                "严重",
                "2024-03-20",
                "",
                "安监办 周磊",
            ],
            [
                HUAKANG,
                NAMES[HUAKANG],
                "AJ-2024-0402",
                "2024/4/2",
                "",
                "消防器材过期未更换",
                "轻微",
                "2024/4/16",
                "2024/4/10",
                "安监办 吴敏",
            ],
        ],
    ),
    "statistics": (
        ["统一社会信用代码", "企业名称", "统计期", "指标", "数值"],
        [
            [ZHIZAO, NAMES[ZHIZAO], "2024-03", "纳税额", "65.3万元"],
            [ZHIZAO, NAMES[ZHIZAO], "2024-03", "产值", "1280万元"],
            [ZHIZAO, NAMES[ZHIZAO], "2024-03", "从业人数", "236"],
            [YUNSHU, NAMES[YUNSHU], "2024-03", "销售收入", "3,450,000"],
            [YUNSHU, NAMES[YUNSHU], "2024-03", "应收账款余额", "1,120,000.00"],
        ],
    ),
    "relation": (
        [
            "统一社会信用代码",
            "企业名称",
            "对方统一社会信用代码",
            "对方名称",
            "关系类型",
            "占比",
            "起始日期",
            "终止日期",
        ],
        [
            [ZHIZAO, NAMES[ZHIZAO], SUPPLIER, NAMES[SUPPLIER], "供应商", "0.35", "2021-01-01", ""],
            [ZHIZAO, NAMES[ZHIZAO], YUNENG, NAMES[YUNENG], "客户", "0.12", "2022-07-01", "2025-06-30"],
            [HENGDA, NAMES[HENGDA], ZHIZAO, NAMES[ZHIZAO], "担保方", "", "2023-03-01", "2026-02-28"],
        ],
    ),
}

# The 1.0 field set (domain reference §3.2): dates as YYYY/MM/DD, no separate fine column.
PENALTY_V1: Table = (
    [
        "CF_WSH",
        "CF_CFMC",
        "CF_CFLB1",
        "CF_SY",
        "CF_YJ",
        "CF_XDR_MC",
        "CF_XDR_SHXYM",
        "CF_FR",
        "CF_JG",
        "CF_JDRQ",
        "CF_XZJG",
        "CF_ZT",
        "DFBM",
        "SJC",
        "CF_GSJZQ",
        "CF_SYFW",
        "BZ",
    ],
    [
        [
            "郑高市监罚〔2017〕45号",
            "销售过期食品案",
            "罚款",
            "销售超过保质期的食品",
            "《中华人民共和国食品安全法》第一百二十四条",
            NAMES[HUAKANG],
            HUAKANG,
            "刘芳",
            "没收违法所得并处罚款5000元",
            "2017/09/12",
            "郑州高新技术产业开发区市场监督管理局",
            "0",
            "410100",
            "2017/09/15 10:20:31",
            "2018/09/12",
            "社会公开",
            "",
        ],
        [
            "郑安监罚〔2018〕12号",
            "未如实记录安全生产教育培训案",
            "警告",
            "未如实记录安全生产教育和培训情况",
            "《中华人民共和国安全生产法》第九十四条",
            NAMES[YUNENG],
            YUNENG,
            "李秀英",
            "警告",
            "2018/03/05",
            "郑州市安全生产监督管理局",
            "0",
            "410100",
            "2018/03/06 09:00:00",
            "2018/06/05",
            "社会公开",
            "",
        ],
    ],
)

LICENCE_CODES: Table = (
    [
        "XK_XDR_MC",
        "XK_XDR_LB",
        "XK_XDR_SHXYM",
        "XK_FRDB",
        "XK_XKWS",
        "XK_WSH",
        "XK_XKLB",
        "XK_XKZS",
        "XK_XKBH",
        "XK_NR",
        "XK_JDRQ",
        "XK_YXQZ",
        "XK_YXQZI",
        "XK_XKJG",
        "XK_XKJGDM",
        "XK_ZT",
        "XK_LYDW",
        "XK_LYDWDM",
        "BZ",
    ],
    [
        [
            NAMES[YUNSHU],
            "法人及非法人组织",
            YUNSHU,
            "孙立",
            "增值电信业务经营许可决定书",
            "豫B2-20230188",
            "普通",
            "增值电信业务经营许可证",
            "豫B2-20230188",
            "第二类增值电信业务中的信息服务业务",
            "2023-07-21",
            "2023-07-21",
            "2028-07-21",
            "河南省通信管理局",
            "",
            "1",
            "河南省通信管理局",
            "",
            "",
        ],
        [
            NAMES[LVYUAN],
            "法人及非法人组织",
            LVYUAN,
            "陈静",
            "建筑业企业资质许可决定书",
            "郑建许〔2022〕306号",
            "认可",
            "建筑业企业资质证书",
            "D341012345",
            "环保工程专业承包叁级",
            "2022-12-09",
            "2022-12-09",
            "2027-12-08",
            "郑州市城乡建设局",
            "",
            "1",
            "郑州市城乡建设局",
            "",
            "",
        ],
    ],
)


def csv_bytes(table: Table, encoding: str = "utf-8-sig") -> bytes:
    """A CSV file as Excel writes it: CRLF line ends, in the given encoding."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table[0])
    writer.writerows(table[1])
    return out.getvalue().encode(encoding)


def xlsx_bytes(table: Table) -> bytes:
    """The table as a one-sheet workbook (every cell text, as departments usually send it)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "行政处罚"
    sheet.append(table[0])
    for row in table[1]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def jsonl_bytes(table: Table) -> bytes:
    """One JSON object per line, keyed by header; empty cells left out as exporters do."""
    lines = [
        json.dumps({h: v for h, v in zip(table[0], row, strict=True) if v}, ensure_ascii=False)
        for row in table[1]
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def all_files() -> dict[str, bytes]:
    """Every sample file name → content."""
    files = {f"{name}.csv": csv_bytes(table) for name, table in SAMPLES.items()}
    files["penalty-gbk.csv"] = csv_bytes(SAMPLES["penalty"], "gb18030")
    files["penalty-v1.csv"] = csv_bytes(PENALTY_V1)
    files["penalty.xlsx"] = xlsx_bytes(SAMPLES["penalty"])
    files["penalty.jsonl"] = jsonl_bytes(SAMPLES["penalty"])
    files["licence-codes.csv"] = csv_bytes(LICENCE_CODES)
    return files


def main() -> None:
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    for name, content in all_files().items():
        (SAMPLES_DIR / name).write_bytes(content)


if __name__ == "__main__":
    main()
