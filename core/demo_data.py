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
    "tech": ("tech-support", "tech_support", "Technical Support Group", "技术支持组", "",
             "+86 21 5555 0110"),
    "cs": ("customer-service", "customer_service", "Customer Service Group", "客户服务组",
           "", "400-555-0199"),
    "logistics": ("logistics", "logistics", "Logistics Group", "后勤保障组", "",
                  "+86 21 5555 0130"),
    "legal": ("legal", "legal", "Legal and Compliance Group", "法务合规组", "",
              "+86 21 5555 0140"),
    "service_centre": ("sc-east", "service_centre", "East China Service Centre", "华东服务中心",
                       "Shanghai, Jiangsu, Zhejiang 上海、江苏、浙江", "+86 21 5555 0200"),
    "service_centre_2": ("sc-south", "service_centre", "South China Service Centre",
                         "华南服务中心", "Guangdong, Fujian 广东、福建", "+86 20 5555 0300"),
    "partner": ("partner-antu", "partner", "Antu Road Rescue (partner tow company)",
                "安途道路救援（合作拖车）",
                "Yangtze River Delta and Pearl River Delta 长三角、珠三角",
                "+86 21 5555 0900"),
}

# username: (Chinese name, pinyin, roles, [(team key, membership role, title)])
# The first six usernames are the demo logins, one per role.
PEOPLE = {
    "dispatcher": ("李娜", "Li Na", ["dispatcher"],
                   [("cs", "member", "Hotline dispatcher 热线调度")]),
    "manager": ("王建国", "Wang Jianguo", ["manager"],
                [("hq", "leader", "After-sales manager, commander 售后经理、总指挥")]),
    "technician": ("杨帆", "Yang Fan", ["technician"],
                   [("service_centre", "member", "Field technician 维修技师")]),
    "logistics": ("吴强", "Wu Qiang", ["logistics"],
                  [("logistics", "leader", "Logistics supervisor 后勤主管")]),
    "legal": ("何静", "He Jing", ["legal"],
              [("legal", "leader", "Legal counsel 法务经理")]),
    "integration": ("集成账号", "Integration account", ["integration"], []),
    "chen.zhiqiang": ("陈志强", "Chen Zhiqiang", ["manager"], [
        ("hq", "deputy", "Technical-support manager, deputy 技术支持经理、副组长"),
        ("tech", "leader", "Technical-support manager 技术支持经理"),
    ]),
    "liu.fang": ("刘芳", "Liu Fang", ["manager"], [
        ("hq", "deputy", "Customer-service manager, deputy 客服经理、副组长"),
        ("cs", "leader", "Customer-service manager 客服经理"),
    ]),
    "zhao.lei": ("赵磊", "Zhao Lei", ["technician"],
                 [("tech", "member", "Remote support engineer 远程支持工程师")]),
    "sun.hao": ("孙浩", "Sun Hao", ["technician"],
                [("tech", "member", "Diagnosis engineer 诊断工程师")]),
    "zhou.ting": ("周婷", "Zhou Ting", ["dispatcher"],
                  [("cs", "member", "Hotline dispatcher 热线调度")]),
    "wu.min": ("吴敏", "Wu Min", ["dispatcher"],
               [("cs", "member", "Hotline dispatcher 热线调度")]),
    "zheng.kai": ("郑凯", "Zheng Kai", ["logistics"],
                  [("logistics", "member", "Parts and transport 备件与运输")]),
    "ma.li": ("马丽", "Ma Li", ["legal"],
              [("legal", "member", "Compliance officer 合规专员")]),
    "lin.tao": ("林涛", "Lin Tao", ["technician"],
                [("service_centre", "leader", "Station manager, technician 站长、技师")]),
    "wang.lei": ("王磊", "Wang Lei", ["technician"],
                 [("service_centre", "member", "Field technician 维修技师")]),
    "xu.jun": ("许军", "Xu Jun", ["technician"],
               [("service_centre_2", "leader", "Station manager, technician 站长、技师")]),
    "feng.chao": ("冯超", "Feng Chao", ["technician"],
                  [("service_centre_2", "member", "Field technician 维修技师")]),
    "deng.yu": ("邓宇", "Deng Yu", ["technician"],
                [("service_centre_2", "member", "Field technician 维修技师")]),
    "qian.bo": ("钱波", "Qian Bo", [],
                [("partner", "leader", "Tow dispatch contact 拖车调度")]),
}
DEMO_LOGINS = ("dispatcher", "manager", "technician", "logistics", "legal", "integration")

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
    "g60": ("G60 沪昆高速 K35 松江段 / G60 Shanghai–Kunming Expwy km 35, Songjiang",
            "31.031200", "121.201500", "east"),
    "pudong": ("上海市浦东新区张江路 188 号 / 188 Zhangjiang Rd, Pudong, Shanghai",
               "31.204300", "121.590100", "east"),
    "hangzhou": ("杭州市余杭区文一西路 1001 号 / 1001 Wenyi W Rd, Yuhang, Hangzhou",
                 "30.281900", "120.021600", "east"),
    "suzhou": ("苏州工业园区星湖街 328 号 / 328 Xinghu St, Suzhou Industrial Park",
               "31.303800", "120.735200", "east"),
    "nanjing": ("南京市江宁区胜太路 66 号 / 66 Shengtai Rd, Jiangning, Nanjing",
                "31.953500", "118.840200", "east"),
    "ningbo": ("宁波市北仑区港区大道 / Port Ave, Beilun, Ningbo", "29.900800", "121.846700",
               "east"),
    "guangzhou": ("广州市天河区珠江新城华夏路 / Huaxia Rd, Zhujiang New Town, Guangzhou",
                  "23.120500", "113.322800", "south"),
    "shenzhen": ("深圳市南山区科技园南区 / South Science Park, Nanshan, Shenzhen",
                 "22.540300", "113.953700", "south"),
    "dongguan": ("东莞市松山湖大学路 / University Rd, Songshan Lake, Dongguan",
                 "22.905600", "113.884100", "south"),
    "foshan": ("佛山市顺德区容桂街道 / Ronggui, Shunde, Foshan", "22.780300", "113.282900",
               "south"),
    "g4": ("G4 京港澳高速 K2080 韶关段 / G4 Expwy km 2080, Shaoguan", "24.810300",
           "113.597200", "south"),
    "xiamen": ("厦门市集美区杏林湾路 / Xinglin Bay Rd, Jimei, Xiamen", "24.575100",
               "118.097900", "south"),
}

# Each case: stage, grade, category slug, title, place, hours ago reported, asset (an int
# makes a VIN, a str is a serial number), and optional keys:
#   tech (who is dispatched), mode (service mode), channel, desc, impact, handling,
#   late (confirm minutes), regrade (new grade after dispatch), note, reason (cancel).
# Stages: reported, confirmed, dispatched, on_site, resolved, closed, cancelled@<stage>.
CASES: list[dict] = [
    # -- reported: two fresh, four overdue on confirmation
    dict(stage="reported", grade="II", cat="product-quality", place="hangzhou", ago=0.1,
         asset=1, title="电池包无法充电 Battery pack not charging",
         desc="Taxi shows 'charging fault' on every DC charger since this morning; SOC 18%.",
         impact="One taxi off the road; driver waiting at the depot.",
         handling="Asked the driver to try an AC charger; same fault."),
    dict(stage="reported", grade="III", cat="service-quality", place="nanjing", ago=0.3,
         asset=2, title="维修预约无人回电 No call-back for a repair appointment", channel="web",
         desc="Customer booked a service slot on the app three days ago and heard nothing."),
    dict(stage="reported", grade="I", cat="safety-accident", place="shenzhen", ago=0.9,
         asset="CS-HY120-2024-00871", title="充电站起火 Fire at a charging station",
         desc="Smoke and flames from charger No. 3 at the bus depot; fire brigade on site.",
         impact="Depot charging stopped; 40 buses cannot charge tonight. No injuries so far.",
         handling="Depot staff cut the main breaker and evacuated the bay."),
    dict(stage="reported", grade="II", cat="product-quality", place="suzhou", ago=2.5,
         asset=3, title="电机控制器故障码 P0A1F Motor controller fault code P0A1F",
         desc="Sanitation truck limps home at 10 km/h with fault P0A1F after a pothole."),
    dict(stage="reported", grade="III", cat="complaint", place="pudong", ago=5, asset=4,
         title="投诉维修拖延 Complaint about a late repair",
         desc="Car has been at the service centre for 12 days; customer wants compensation."),
    dict(stage="reported", grade="III", cat="product-quality", place="xiamen", ago=9, asset=5,
         title="车载屏幕黑屏 Infotainment screen blank", channel="web",
         desc="Centre screen stays black after start; climate controls unreachable."),
    # -- confirmed, waiting for dispatch (one confirmed late, one past its arrive target)
    dict(stage="confirmed", grade="II", cat="natural-disaster", place="guangzhou", ago=4,
         asset="LOT-GZ-0623", late=45,
         title="暴雨致车辆泡水 Flood-damaged vehicles at a dealer lot",
         desc="Overnight rainstorm: 12 new vehicles stood in 40 cm of water at the dealer lot.",
         impact="12 units unsellable until inspected; dealer asks for a joint survey.",
         note="Dealer sent photos; water line is below the battery packs on 9 of 12."),
    dict(stage="confirmed", grade="III", cat="product-quality", place="ningbo", ago=3,
         asset=6, title="空调不制冷 Air conditioning not cooling",
         desc="Cabin stays at 30 °C with A/C on max; compressor audible."),
    dict(stage="confirmed", grade="III", cat="service-quality", place="hangzhou", ago=20,
         asset=7, title="配件到货延迟 Spare part delivery delayed",
         desc="Promised bumper bracket has not arrived after 9 days."),
    dict(stage="confirmed", grade="II", cat="product-quality", place="dongguan", ago=1.5,
         asset=8, title="制动异响 Brake noise at low speed",
         desc="Grinding noise from front left under 20 km/h on a delivery van."),
    dict(stage="confirmed", grade="III", cat="product-quality", place="foshan", ago=6,
         asset=9, mode="remote_support",
         title="BMS 通信中断（远程诊断） BMS communication lost (remote diagnosis)",
         desc="Telematics reports lost BMS frames every few minutes; vehicle still drives."),
    # -- dispatched
    dict(stage="dispatched", grade="II", cat="product-quality", place="g60", ago=1.2,
         asset=10, tech="technician", mode="on_site_repair",
         title="高速爆胎 Tyre blowout on the highway",
         desc="Front right tyre blew out at 90 km/h; vehicle on the hard shoulder.",
         impact="Driver and one passenger unhurt, waiting behind the barrier.",
         handling="Told the driver to set the warning triangle 150 m back; tow requested."),
    dict(stage="dispatched", grade="III", cat="product-quality", place="suzhou", ago=5,
         asset=11, tech="technician", mode="on_site_repair",
         title="驱动电机异响 Drive motor whine", desc="High-pitched whine above 60 km/h."),
    dict(stage="dispatched", grade="III", cat="product-quality", place="hangzhou", ago=2,
         asset=12, tech="wang.lei", mode="on_site_repair",
         title="低压蓄电池亏电 12 V battery flat", desc="Car dead in an underground car park."),
    dict(stage="dispatched", grade="II", cat="product-quality", place="dongguan", ago=3,
         asset=13, tech="xu.jun", mode="module_swap",
         title="车辆无法启动（通勤班车） Commuter bus will not start",
         desc="Factory shuttle bus shows 'HV not ready'; 45 workers waiting.",
         impact="Morning shift shuttle cancelled."),
    dict(stage="dispatched", grade="II", cat="safety-accident", place="shenzhen", ago=2.5,
         asset=14, tech="feng.chao", mode="on_site_repair", regrade="I",
         title="客车高压系统绝缘故障 High-voltage insulation fault on a city bus",
         desc="Insulation resistance warning on route 26; passengers unloaded.",
         note="Insulation reading 80 kΩ; bus isolated at the terminus."),
    dict(stage="dispatched", grade="III", cat="product-quality", place="xiamen", ago=26,
         asset="SWAP-XM-0007", tech="@service_centre_2", mode="patrol",
         title="巡检：换电站 Patrol inspection of a battery swap station",
         desc="Quarterly inspection and two robot-arm alarms to check."),
    # -- on site
    dict(stage="on_site", grade="II", cat="product-quality", place="pudong", ago=3.5,
         asset="CP-DC60-2023-01542", tech="technician", mode="on_site_repair",
         title="充电桩无法启动充电 Charging pile will not start charging",
         desc="DC pile at the customer's fleet yard stops at 'insulation check'."),
    dict(stage="on_site", grade="III", cat="product-quality", place="nanjing", ago=7,
         asset=15, tech="lin.tao", mode="on_site_repair",
         title="车门无法锁止 Door will not lock", desc="Rear left door does not lock."),
    dict(stage="on_site", grade="III", cat="product-quality", place="foshan", ago=6,
         asset="FL-E30-2022-00318", tech="deng.yu", mode="on_site_repair",
         title="叉车液压泄漏 Forklift hydraulic leak",
         desc="Electric forklift drips hydraulic oil from the lift cylinder."),
    dict(stage="on_site", grade="I", cat="product-quality", place="guangzhou", ago=5,
         asset=16, tech="xu.jun", mode="unit_replacement",
         title="冷链车队多车故障 Refrigerated fleet: several trucks down",
         desc="Five refrigerated trucks lost traction power within an hour; cargo at risk.",
         impact="5 trucks, about 20 t of chilled food; retailer deliveries at risk.",
         handling="Customer moved cargo to a cold store; two replacement units requested."),
    # -- resolved (the first is the same taxi as the first report: a repeat failure)
    dict(stage="resolved", grade="III", cat="product-quality", place="hangzhou", ago=144,
         asset=1, tech="technician", mode="on_site_repair",
         title="电池包无法充电 Battery pack not charging",
         resolution="Replaced the charging inlet temperature sensor; charged to 100% fine."),
    dict(stage="resolved", grade="II", cat="product-quality", place="ningbo", ago=48,
         asset=17, tech="wang.lei", mode="module_swap",
         title="电机控制器故障码 P1B03 Motor controller fault code P1B03",
         resolution="Swapped the motor controller module; fault cleared after a 20 km test."),
    dict(stage="resolved", grade="I", cat="safety-accident", place="shenzhen", ago=72,
         asset=18, tech="feng.chao", mode="on_site_repair",
         title="车辆自燃 Vehicle fire in a car park",
         desc="Parked vehicle caught fire; two neighbouring cars damaged.",
         impact="Media enquiry received; no injuries.",
         resolution="Wreck recovered for lab analysis; neighbouring owners' claims logged."),
    dict(stage="resolved", grade="II", cat="complaint", place="dongguan", ago=96, asset=19,
         tech="deng.yu", mode="accompanying", title="退车纠纷 Dispute over returning a vehicle",
         resolution="Joint inspection with the customer; agreed repair plus 2 years warranty."),
    dict(stage="resolved", grade="III", cat="product-quality", place="suzhou", ago=24,
         asset=20, tech="technician", mode="on_site_repair",
         title="胎压报警 Tyre pressure warning",
         resolution="Slow puncture repaired; TPMS sensor re-learned."),
    dict(stage="resolved", grade="III", cat="product-quality", place="nanjing", ago=30,
         asset=21, mode="remote_support", title="OTA 升级失败 OTA update failed",
         resolution="Rolled back remotely and re-pushed the package; update succeeded."),
    # -- closed (Level III: I and II need their assessment before they close)
    dict(stage="closed", grade="III", cat="product-quality", place="g60", ago=216, asset=22,
         tech="technician", mode="on_site_repair", title="轮胎鼓包 Tyre sidewall bulge",
         resolution="Tyre replaced under warranty."),
    dict(stage="closed", grade="III", cat="product-quality", place="nanjing", ago=192,
         asset=23, tech="lin.tao", mode="on_site_repair", title="雨刮器失灵 Wipers not working",
         resolution="Wiper motor connector reseated and secured."),
    dict(stage="closed", grade="III", cat="product-quality", place="guangzhou", ago=168,
         asset=24, tech="xu.jun", mode="on_site_repair",
         title="充电口盖无法打开 Charge port door stuck",
         resolution="Actuator replaced; door opens from the key and the screen."),
    dict(stage="closed", grade="III", cat="service-quality", place="foshan", ago=236,
         asset="TRAIN-2026-Q2", tech="feng.chao", mode="training",
         title="技术培训：新车型维保 Technical training: servicing the new model",
         resolution="Trained 14 workshop staff of the dealer; attendance sheet filed."),
    dict(stage="closed", grade="III", cat="product-quality", place="pudong", ago=120,
         asset=25, tech="technician", mode="on_site_repair",
         title="后视镜加热失效 Mirror heater not working",
         resolution="Heater element of the left mirror replaced."),
    # -- cancelled from several stages
    dict(stage="cancelled@reported", grade="III", cat="product-quality", place="hangzhou",
         ago=50, asset=1, title="重复报修：电池无法充电 Duplicate report: battery not charging",
         reason="Duplicate: the customer called twice about the same taxi."),
    dict(stage="cancelled@confirmed", grade="III", cat="product-quality", place="xiamen",
         ago=75, asset=26, title="仪表故障灯 Warning light on the dashboard",
         reason="Customer reset the warning; the remote check found no fault."),
    dict(stage="cancelled@dispatched", grade="III", cat="safety-accident", place="g4",
         ago=28, asset=27, tech="deng.yu", channel="api",
         title="误报：车辆防盗报警 False alarm: theft alert from telematics",
         reason="Owner confirmed he moved the car himself; the alert was a false alarm."),
]

# Progress the groups report on their directives, by case title prefix and group key.
DIRECTIVE_PROGRESS = [
    ("冷链车队多车故障", "cs", "in_progress",
     "Called the retailer's ops lead; hourly updates agreed."),
    ("冷链车队多车故障", "logistics", "in_progress",
     "Two replacement trucks leaving the Guangzhou depot at 14:00."),
    ("冷链车队多车故障", "legal", "acknowledged",
     "Reviewing the cargo-loss clause of the contract."),
    ("车辆自燃", "legal", "done", "Statement for the media approved; insurer notified."),
    ("车辆自燃", "cs", "done", "Neighbouring car owners contacted and claims logged."),
    ("暴雨致车辆泡水", "logistics", "acknowledged", "Flatbed trucks booked for tomorrow 08:00."),
]


VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_VALUES = {**{str(d): d for d in range(10)},
              **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
              **dict(zip("JKLMNPR", (1, 2, 3, 4, 5, 7, 9), strict=True)),
              **dict(zip("STUVWXYZ", range(2, 10), strict=True))}


def vin(n: int) -> str:
    """A made-up 17-character VIN with a valid ISO 3779 check digit (position 9)."""
    models = ("EV5B2", "EV7C4", "BU2A8", "TR3D6")
    body = f"LHY{models[n % len(models)]}0R{'SG'[n % 2]}{100000 + n * 137:06d}"
    total = sum(VIN_VALUES[c] * w for c, w in zip(body, VIN_WEIGHTS, strict=True))
    check = total % 11
    return body[:8] + ("X" if check == 10 else str(check)) + body[9:]
