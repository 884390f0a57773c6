# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""The fictional organisation and cases that ``manage.py load_demo`` builds.

Huayuan Motors (华远汽车), a made-up maker of electric vehicles, buses and warehouse
equipment, and its after-sales department. Every person, company, phone number and VIN here
is invented. Plain data only; the command turns it into rows through the services.
"""

from __future__ import annotations

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented demo-only password
DEMO_MARKER_USERNAME = "dispatcher"

# key: (slug, kind, English name, Chinese name, service area, phone)
TEAMS = {
    "hq": ("hq", "hq", "After-sales Emergency HQ", "售后应急指挥部", "", "+86 21 5555 0100"),
    "tech": (
        "tech-support",
        "tech_support",
        "Technical Support Group",
        "技术支持组",
        "",
        "+86 21 5555 0110",
    ),
    "cs": (
        "customer-service",
        "customer_service",
        "Customer Service Group",
        "客户服务组",
        "",
        "400-555-0199",
    ),
    "logistics": (
        "logistics",
        "logistics",
        "Logistics Group",
        "后勤保障组",
        "",
        "+86 21 5555 0130",
    ),
    "legal": ("legal", "legal", "Legal and Compliance Group", "法务合规组", "", "+86 21 5555 0140"),
    "service_centre": (
        "sc-east",
        "service_centre",
        "East China Service Centre",
        "华东服务中心",
        "Shanghai, Jiangsu, Zhejiang 上海、江苏、浙江",
        "+86 21 5555 0200",
    ),
    "service_centre_2": (
        "sc-south",
        "service_centre",
        "South China Service Centre",
        "华南服务中心",
        "Guangdong, Fujian 广东、福建",
        "+86 20 5555 0300",
    ),
    "partner": (
        "partner-antu",
        "partner",
        "Antu Road Rescue (partner tow company)",
        "安途道路救援（合作拖车）",
        "Yangtze River Delta and Pearl River Delta 长三角、珠三角",
        "+86 21 5555 0900",
    ),
}

# username: (Chinese name, pinyin, roles, [(team key, membership role, title)])
# The first six usernames are the demo logins, one per role.
PEOPLE = {
    "dispatcher": (
        "李娜",
        "Li Na",
        ["dispatcher"],
        [("cs", "member", "Hotline dispatcher 热线调度")],
    ),
    "manager": (
        "王建国",
        "Wang Jianguo",
        ["manager"],
        [("hq", "leader", "After-sales manager, commander 售后经理、总指挥")],
    ),
    "technician": (
        "杨帆",
        "Yang Fan",
        ["technician"],
        [("service_centre", "member", "Field technician 维修技师")],
    ),
    "logistics": (
        "吴强",
        "Wu Qiang",
        ["logistics"],
        [("logistics", "leader", "Logistics supervisor 后勤主管")],
    ),
    "legal": ("何静", "He Jing", ["legal"], [("legal", "leader", "Legal counsel 法务经理")]),
    "integration": ("集成账号", "Integration account", ["integration"], []),
    "customer_service": (
        "周敏",
        "Zhou Min",
        ["customer_service"],
        [("cs", "member", "Customer service agent 客服专员")],
    ),
    "chen.zhiqiang": (
        "陈志强",
        "Chen Zhiqiang",
        ["manager"],
        [
            ("hq", "deputy", "Technical-support manager, deputy 技术支持经理、副组长"),
            ("tech", "leader", "Technical-support manager 技术支持经理"),
        ],
    ),
    "liu.fang": (
        "刘芳",
        "Liu Fang",
        ["manager"],
        [
            ("hq", "deputy", "Customer-service manager, deputy 客服经理、副组长"),
            ("cs", "leader", "Customer-service manager 客服经理"),
        ],
    ),
    "zhao.lei": (
        "赵磊",
        "Zhao Lei",
        ["technician"],
        [("tech", "member", "Remote support engineer 远程支持工程师")],
    ),
    "sun.hao": (
        "孙浩",
        "Sun Hao",
        ["technician"],
        [("tech", "member", "Diagnosis engineer 诊断工程师")],
    ),
    "zhou.ting": (
        "周婷",
        "Zhou Ting",
        ["dispatcher"],
        [("cs", "member", "Hotline dispatcher 热线调度")],
    ),
    "wu.min": ("吴敏", "Wu Min", ["dispatcher"], [("cs", "member", "Hotline dispatcher 热线调度")]),
    "zheng.kai": (
        "郑凯",
        "Zheng Kai",
        ["logistics"],
        [("logistics", "member", "Parts and transport 备件与运输")],
    ),
    "ma.li": ("马丽", "Ma Li", ["legal"], [("legal", "member", "Compliance officer 合规专员")]),
    "lin.tao": (
        "林涛",
        "Lin Tao",
        ["technician"],
        [("service_centre", "leader", "Station manager, technician 站长、技师")],
    ),
    "wang.lei": (
        "王磊",
        "Wang Lei",
        ["technician"],
        [("service_centre", "member", "Field technician 维修技师")],
    ),
    "xu.jun": (
        "许军",
        "Xu Jun",
        ["technician"],
        [("service_centre_2", "leader", "Station manager, technician 站长、技师")],
    ),
    "feng.chao": (
        "冯超",
        "Feng Chao",
        ["technician"],
        [("service_centre_2", "member", "Field technician 维修技师")],
    ),
    "deng.yu": (
        "邓宇",
        "Deng Yu",
        ["technician"],
        [("service_centre_2", "member", "Field technician 维修技师")],
    ),
    "qian.bo": ("钱波", "Qian Bo", [], [("partner", "leader", "Tow dispatch contact 拖车调度")]),
}
DEMO_LOGINS = (
    "dispatcher",
    "manager",
    "technician",
    "logistics",
    "legal",
    "integration",
    "customer_service",
)

# Duty roster: 8-hour shifts rotating through these people (the manager shift is 24 hours).
ROSTER = {
    "dispatch": ("cs", ["dispatcher", "zhou.ting", "wu.min"], 8),
    "remote_support": ("tech", ["zhao.lei", "sun.hao", "chen.zhiqiang"], 8),
    "manager": ("hq", ["manager", "chen.zhiqiang", "liu.fang"], 24),
}

CUSTOMERS = [
    ("沪通物流有限公司 Hutong Logistics Co.", "+86 21 5550 0101"),
    ("周建华 Zhou Jianhua", "+86 139 0171 2233"),
    ("杭州绿行出租车 Hangzhou Greenway Taxi", "+86 571 5550 0188"),
    ("林晓燕 Lin Xiaoyan", "+86 137 5522 0912"),
    ("深圳鹏城公交 Pengcheng City Bus (Shenzhen)", "+86 755 5550 0333"),
    ("黄志明 Huang Zhiming", "+86 136 2288 4410"),
    ("广州粤鲜冷链 Yuexian Cold Chain (Guangzhou)", "+86 20 5550 0456"),
    ("王丽 Wang Li", "+86 135 0066 7788"),
    ("苏州工业园区环卫所 SIP Sanitation Dept.", "+86 512 5550 0620"),
    ("赵敏 Zhao Min", "+86 138 1900 3355"),
    ("佛山顺达仓储 Shunda Warehousing (Foshan)", "+86 757 5550 0777"),
    ("南京金陵网约车 Jinling Ride-hailing (Nanjing)", "+86 25 5550 0818"),
]

# key: (location text, latitude, longitude, region: "east" or "south")
PLACES = {
    "g60": (
        "G60 沪昆高速 K35 松江段 / G60 Shanghai–Kunming Expwy km 35, Songjiang",
        "31.031200",
        "121.201500",
        "east",
    ),
    "pudong": (
        "上海市浦东新区张江路 188 号 / 188 Zhangjiang Rd, Pudong, Shanghai",
        "31.204300",
        "121.590100",
        "east",
    ),
    "hangzhou": (
        "杭州市余杭区文一西路 1001 号 / 1001 Wenyi W Rd, Yuhang, Hangzhou",
        "30.281900",
        "120.021600",
        "east",
    ),
    "suzhou": (
        "苏州工业园区星湖街 328 号 / 328 Xinghu St, Suzhou Industrial Park",
        "31.303800",
        "120.735200",
        "east",
    ),
    "nanjing": (
        "南京市江宁区胜太路 66 号 / 66 Shengtai Rd, Jiangning, Nanjing",
        "31.953500",
        "118.840200",
        "east",
    ),
    "ningbo": (
        "宁波市北仑区港区大道 / Port Ave, Beilun, Ningbo",
        "29.900800",
        "121.846700",
        "east",
    ),
    "guangzhou": (
        "广州市天河区珠江新城华夏路 / Huaxia Rd, Zhujiang New Town, Guangzhou",
        "23.120500",
        "113.322800",
        "south",
    ),
    "shenzhen": (
        "深圳市南山区科技园南区 / South Science Park, Nanshan, Shenzhen",
        "22.540300",
        "113.953700",
        "south",
    ),
    "dongguan": (
        "东莞市松山湖大学路 / University Rd, Songshan Lake, Dongguan",
        "22.905600",
        "113.884100",
        "south",
    ),
    "foshan": (
        "佛山市顺德区容桂街道 / Ronggui, Shunde, Foshan",
        "22.780300",
        "113.282900",
        "south",
    ),
    "g4": (
        "G4 京港澳高速 K2080 韶关段 / G4 Expwy km 2080, Shaoguan",
        "24.810300",
        "113.597200",
        "south",
    ),
    "xiamen": (
        "厦门市集美区杏林湾路 / Xinglin Bay Rd, Jimei, Xiamen",
        "24.575100",
        "118.097900",
        "south",
    ),
}

VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMNPR", (1, 2, 3, 4, 5, 7, 9), strict=True)),
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}


def vin(n: int) -> str:
    """A made-up 17-character VIN with a valid ISO 3779 check digit (position 9)."""
    models = ("EV5B2", "EV7C4", "BU2A8", "TR3D6")
    body = f"LHY{models[n % len(models)]}0R{'SG'[n % 2]}{100000 + n * 137:06d}"
    total = sum(VIN_VALUES[c] * w for c, w in zip(body, VIN_WEIGHTS, strict=True))
    check = total % 11
    return body[:8] + ("X" if check == 10 else str(check)) + body[9:]
