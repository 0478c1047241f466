"""Word lists of the synthetic park: industries, places, names, authorities and record wording.

Everything here is invented for demonstration: the county 河阳县 and the city 中州市 do not exist,
and any resemblance of a generated company or person to a real one is chance. Area codes are real
Henan GB/T 2260 codes so that generated USCCs and ID numbers pass every structural check.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTY = "河阳县"
CITY = "中州市"
PARK_NAME = "河阳县先进制造业开发区"
COURT_CODE = "豫0428"

# Registering authorities of the park's own enterprises and of counterparties elsewhere in Henan.
PARK_AREA_CODE = "410422"
OTHER_AREA_CODES = ("410100", "410300", "410400", "410700", "411000", "411100", "411300", "410200")
# Areas on the ID cards of legal representatives (GB/T 2260 county and district codes of Henan).
ID_AREA_CODES = (
    "410422", "410421", "410423", "410425", "410402", "410411", "410102", "410105",
    "410305", "410311", "411002", "411102", "411302", "411328", "410702", "410204",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Industry:
    """A GB/T 4754-2017 class with the words a company of that class puts in its name."""

    code: str
    name: str
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cluster:
    name: str
    share: float  # of the park's enterprises
    manufacturing: bool
    zone: int  # index into ZONES: where in the park this cluster mostly sits
    energy: tuple[float, float, float]  # kWh, tonnes of water, m3 of gas per yuan of output
    productivity: float  # yuan of output per employee per year
    tax_rate: float  # tax paid per yuan of sales
    industries: tuple[Industry, ...]


CLUSTERS: tuple[Cluster, ...] = (
    Cluster("高端装备制造", 0.34, True, 0, (0.045, 0.0004, 0.002), 1.0e6, 0.035, (
        Industry("C3484", "机械零部件加工", ("精密机械", "机械制造", "机械科技")),
        Industry("C3311", "金属结构制造", ("钢结构", "重工", "金属结构")),
        Industry("C3421", "金属切削机床制造", ("数控机床", "机床", "智能装备")),
        Industry("C3441", "泵及真空设备制造", ("泵业", "流体设备", "真空设备")),
        Industry("C3443", "阀门和旋塞制造", ("阀门", "流体控制")),
        Industry("C3431", "轻小型起重设备制造", ("起重设备", "起重机械")),
        Industry("C3511", "矿山机械制造", ("矿山机械", "重型装备")),
        Industry("C3670", "汽车零部件及配件制造", ("汽车零部件", "汽配")),
        Industry("C3452", "齿轮及齿轮减、变速箱制造", ("传动科技", "齿轮")),
    )),
    Cluster("新材料", 0.26, True, 1, (0.11, 0.0015, 0.012), 1.5e6, 0.04, (
        Industry("C2651", "初级形态塑料及合成树脂制造", ("新材料科技", "高分子材料", "树脂")),
        Industry("C3099", "其他非金属矿物制品制造", ("新型材料", "矿物材料")),
        Industry("C2652", "合成橡胶制造", ("橡胶科技", "弹性体材料")),
        Industry("C2662", "专项化学用品制造", ("精细化工", "化学科技")),
        Industry("C3091", "石墨及碳素制品制造", ("碳素", "石墨科技", "炭材料")),
        Industry("C3062", "玻璃纤维增强塑料制品制造", ("复合材料", "玻纤科技")),
        Industry("C3072", "特种陶瓷制品制造", ("特种陶瓷", "精密陶瓷")),
        Industry("C3240", "有色金属合金制造", ("合金材料", "新合金")),
    )),
    Cluster("食品加工", 0.10, True, 2, (0.06, 0.004, 0.015), 1.2e6, 0.03, (
        Industry("C1391", "淀粉及淀粉制品制造", ("淀粉", "薯业")),
        Industry("C1431", "米、面制品制造", ("面业", "食品")),
        Industry("C1432", "速冻食品制造", ("速冻食品", "食品")),
        Industry("C1353", "肉制品及副产品加工", ("肉类食品", "食品")),
        Industry("C1495", "食品及饲料添加剂制造", ("生物科技", "食品配料")),
    )),
    Cluster("电子信息", 0.12, True, 3, (0.04, 0.0006, 0.001), 0.9e6, 0.035, (
        Industry("C3982", "电子电路制造", ("电子科技", "电路科技")),
        Industry("C3981", "电阻电容电感元件制造", ("电子元件", "电子")),
        Industry("C3976", "光电子器件制造", ("光电科技", "光电")),
        Industry("C3831", "电线、电缆制造", ("线缆", "电缆")),
        Industry("C3824", "电力电子元器件制造", ("电力电子", "电气科技")),
    )),
    Cluster("现代物流", 0.08, False, 2, (0.01, 0.0002, 0.0), 0.5e6, 0.03, (
        Industry("G5431", "普通货物道路运输", ("物流", "运输")),
        Industry("G5920", "通用仓储", ("仓储", "供应链")),
        Industry("G5930", "低温仓储", ("冷链物流", "冷链")),
        Industry("G5821", "货物运输代理", ("供应链管理", "货运代理")),
    )),
    Cluster("生产性服务", 0.10, False, 3, (0.005, 0.0002, 0.0), 0.4e6, 0.05, (
        Industry("I6513", "应用软件开发", ("软件科技", "信息技术", "数字科技")),
        Industry("M7320", "工程和技术研究和试验发展", ("技术研究院", "工程技术")),
        Industry("M7452", "检测服务", ("检测技术", "检验检测")),
        Industry("M7491", "工业设计服务", ("工业设计", "设计")),
    )),
)  # fmt: skip

LEADING_CLUSTERS = (0, 1)  # 高端装备制造, 新材料

# Which clusters supply which (index -> (supplier cluster index or -1 for outside the park, weight)).
SUPPLY_CHAINS: dict[int, tuple[tuple[int, float], ...]] = {
    0: ((1, 0.35), (0, 0.30), (3, 0.15), (-1, 0.20)),
    1: ((1, 0.30), (0, 0.10), (-1, 0.60)),
    2: ((2, 0.25), (-1, 0.75)),
    3: ((1, 0.25), (3, 0.40), (-1, 0.35)),
    4: ((0, 0.30), (-1, 0.70)),
    5: ((5, 0.30), (-1, 0.70)),
}

ZONES = ("A区", "B区", "C区", "D区")
ZONE_NAMES = ("装备制造园", "新材料产业园", "综合配套区", "科创服务区")

SIZES = ("large", "medium", "small", "micro")
SIZE_SHARES = (0.04, 0.16, 0.45, 0.35)
# Median employees and registered capital (yuan) by size.
SIZE_EMPLOYEES = (1200.0, 220.0, 55.0, 12.0)
SIZE_CAPITAL = (2.0e8, 3.0e7, 5.0e6, 1.0e6)

STATUSES = ("operating", "suspended", "moved_out", "cancelled", "revoked")

PLACES = (
    "河阳", "中州", "豫", "中原", "华豫", "河洛", "嵩岳", "汝河",
    "伏牛", "宛东", "淮源", "应山", "昆阳", "叶邑", "洪河", "沙河",
)  # fmt: skip
BRAND_CHARS = (
    "恒瑞鑫华泰宏远达嘉盛兴隆昌丰源通创新博瀚锦德凯亿鼎和安卓辰尚晟卓力信元宇升巨峰润禾"
    "诚益祥鸿飞腾启明睿智科建邦泽海天正合众金银"
)
COMPANY_SUFFIXES = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红玉兰文斌宇浩凯鹏飞亮晨阳雪梅海峰"
PHONE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "155", "158", "166", "173", "176",
                  "177", "180", "183", "186", "187", "189", "199")  # fmt: skip

ROADS = ("纬一路", "纬二路", "经三路", "经五路", "工业大道", "创新大道", "昆阳大道", "产业路")
OUTSIDE_CITIES = ("郑州市", "洛阳市", "平顶山市", "新乡市", "许昌市", "漯河市", "南阳市", "开封市")
