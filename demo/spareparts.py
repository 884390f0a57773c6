# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""Demo spare parts for ``manage.py load_demo`` (DEMO ONLY; idempotent).

An HQ depot and the depots of the two service centres, three suppliers, the parts an
electric-vehicle after-sales team keeps (battery packs, chargers, motor controllers, tyres,
diagnostic tools, loan units), opening stock, reorder points (a few already low), a received
purchase order with serial numbers, an order on its way, a transfer in transit, and parts
reserved and used on some of the demo incidents. Every move goes through the services.

Rows of every kind the pages show: moves and order events the system made (no user),
automatic (low-stock) purchase requests both pending and ordered, an order placed and
awaiting receipt, received orders with incoming inspection (one with a rejection), a
stocktake in progress with some counts entered, transfers to receive, and parts reserved
and issued on open jobs, some of them the demo technician's.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from incidents.models import OPEN_STATUSES, Incident
from spareparts import services
from spareparts.models import (
    Depot,
    Part,
    PurchaseRequest,
    RequestSource,
    RequestStatus,
    StockBalance,
    Supplier,
)

# code: (kind, English, Chinese, team key in the org dict)
DEPOTS = {
    "hq": ("hq", "HQ central depot", "总部中心备件库", "logistics"),
    "east": ("service_centre", "East China depot", "华东备件库", "service_centre"),
    "south": ("service_centre", "South China depot", "华南备件库", "service_centre_2"),
}

SUPPLIERS = [
    ("catl-pack", "Ningde Power Packs Co. (fictional)", "Zhou Min", "+86 593 555 0101"),
    ("volta-elec", "Volta Drive Electronics (fictional)", "Ma Lin", "+86 755 555 0188"),
    ("road-tyre", "Roadstar Tyre Trading (fictional)", "Qian Yu", "+86 21 555 0166"),
]

# sku: (English, Chinese, category, tracking, unit, cost, {depot: (on hand, reorder pt, qty)})
PARTS = {
    "BAT-LFP-72V-100AH": (
        "Battery pack LFP 72V 100Ah",
        "磷酸铁锂电池包 72V 100Ah",
        "battery",
        "serial",
        "pcs",
        "18500.00",
        {"hq": (0, 2, 4), "east": (0, 1, 2), "south": (0, 1, 2)},
    ),
    "BAT-NMC-48V-40AH": (
        "Battery pack NMC 48V 40Ah",
        "三元锂电池包 48V 40Ah",
        "battery",
        "batch",
        "pcs",
        "6200.00",
        {"hq": (12, 4, 10), "east": (3, 2, 4), "south": (1, 2, 4)},
    ),
    "BAT-BMS-V3": (
        "Battery management board V3",
        "电池管理板 V3",
        "battery",
        "batch",
        "pcs",
        "880.00",
        {"hq": (25, 6, 20), "east": (6, 2, 6), "south": (5, 2, 6)},
    ),
    "CHG-OBC-6K6": (
        "On-board charger 6.6 kW",
        "车载充电机 6.6kW",
        "charger",
        "serial",
        "pcs",
        "3400.00",
        {"hq": (0, 2, 4), "east": (0, 1, 2), "south": (0, 1, 2)},
    ),
    "CHG-DC-GUN": (
        "DC charging gun with cable",
        "直流充电枪（含线缆）",
        "charger",
        "none",
        "set",
        "1250.00",
        {"hq": (8, 3, 6), "east": (2, 1, 2), "south": (2, 1, 2)},
    ),
    "CHG-PORT-AC": (
        "AC charging inlet",
        "交流充电插座",
        "charger",
        "none",
        "pcs",
        "310.00",
        {"hq": (30, 8, 20), "east": (9, 3, 8), "south": (2, 3, 8)},
    ),
    "MC-72V-400A": (
        "Motor controller 72V 400A",
        "电机控制器 72V 400A",
        "controller",
        "serial",
        "pcs",
        "5600.00",
        {"hq": (0, 2, 3), "east": (0, 1, 2), "south": (0, 1, 2)},
    ),
    "MC-DCDC-2K": (
        "DC/DC converter 2 kW",
        "DC/DC 转换器 2kW",
        "controller",
        "none",
        "pcs",
        "1480.00",
        {"hq": (7, 2, 5), "east": (2, 1, 2), "south": (0, 1, 2)},
    ),
    "TYR-205-55R16": (
        "Tyre 205/55 R16",
        "轮胎 205/55 R16",
        "tyre",
        "batch",
        "pcs",
        "520.00",
        {"hq": (40, 12, 24), "east": (16, 8, 16), "south": (6, 8, 16)},
    ),
    "TYR-275-70R22": (
        "Bus tyre 275/70 R22.5",
        "客车轮胎 275/70 R22.5",
        "tyre",
        "batch",
        "pcs",
        "1890.00",
        {"hq": (18, 6, 12), "east": (6, 4, 8), "south": (4, 4, 8)},
    ),
    "TYR-FORK-SOLID": (
        "Solid forklift tyre 18x7-8",
        "叉车实心轮胎 18x7-8",
        "tyre",
        "none",
        "pcs",
        "460.00",
        {"hq": (10, 4, 8), "east": (4, 2, 4), "south": (2, 2, 4)},
    ),
    "TOOL-DIAG-HV": (
        "High-voltage diagnostic tablet",
        "高压诊断平板",
        "tool",
        "serial",
        "set",
        "9800.00",
        {"hq": (0, 1, 1), "east": (0, 0, 0), "south": (0, 0, 0)},
    ),
    "TOOL-INSUL-TEST": (
        "Insulation resistance tester",
        "绝缘电阻测试仪",
        "tool",
        "none",
        "set",
        "2100.00",
        {"hq": (4, 1, 2), "east": (1, 1, 1), "south": (1, 1, 1)},
    ),
    "UNIT-TR3-LOAN": (
        "Loan forklift TR3 (whole unit)",
        "TR3 叉车备用整机",
        "unit",
        "serial",
        "pcs",
        "98000.00",
        {"hq": (0, 0, 0), "east": (0, 0, 0), "south": (0, 0, 0)},
    ),
}
REPLACES = {"UNIT-TR3-LOAN": "LHYTR3"}

# Serial-tracked stock arrives on a purchase order, so it can be traced to its supplier.
RECEIVED = {  # sku: (supplier, depot, [serials])
    "BAT-LFP-72V-100AH": (
        "catl-pack",
        "hq",
        ["LFP72-2604-0001", "LFP72-2604-0002", "LFP72-2604-0003", "LFP72-2604-0004"],
    ),
    "CHG-OBC-6K6": ("volta-elec", "hq", ["OBC66-A1001", "OBC66-A1002", "OBC66-A1003"]),
    "MC-72V-400A": ("volta-elec", "hq", ["MC400-77001", "MC400-77002", "MC400-77003"]),
    "TOOL-DIAG-HV": ("volta-elec", "hq", ["DIAG-HV-0042"]),
    "UNIT-TR3-LOAN": ("volta-elec", "hq", ["LHYTR3-LOAN-01"]),
}


def load(org: dict) -> None:
    """Create the demo stock once (does nothing when the HQ depot exists)."""
    if Depot.objects.filter(code="hq").exists():
        return
    actor = get_user_model().objects.filter(username="logistics").first()
    with transaction.atomic():
        depots = {
            code: Depot.objects.create(
                code=code, kind=kind, name=name, name_zh=name_zh, team=org.get(team)
            )
            for code, (kind, name, name_zh, team) in DEPOTS.items()
        }
        suppliers = {
            code: Supplier.objects.create(code=code, name=name, contact=contact, phone=phone)
            for code, name, contact, phone in SUPPLIERS
        }
        parts = {}
        for sku, (name, name_zh, category, tracking, unit, cost, _s) in PARTS.items():
            parts[sku] = Part.objects.create(
                sku=sku,
                name=name,
                name_zh=name_zh,
                category=category,
                tracking=tracking,
                unit=unit,
                unit_cost=cost,
                replaces_assets=REPLACES.get(sku, ""),
            )
        _opening_stock(parts, depots)
        _received_orders(parts, depots, suppliers, actor)
        _reorder_levels(parts, depots)
        _order_low_stock(suppliers, depots)
        _pending_work(parts, depots, suppliers, actor)
        _job_parts(parts, depots)


def _opening_stock(parts, depots) -> None:
    for sku, spec in PARTS.items():
        for code, (on_hand, _point, _qty) in spec[6].items():
            if on_hand:
                lots = [f"B{sku[:3]}-2603"] if parts[sku].tracking == "batch" else None
                services.adjust_stock(
                    part=parts[sku],
                    depot=depots[code],
                    delta=on_hand,
                    lots=lots,
                    reason="Opening balance 期初库存",
                    actor=None,
                )


def _received_orders(parts, depots, suppliers, actor) -> None:
    by_supplier: dict = {}
    for sku, (supplier, depot, serials) in RECEIVED.items():
        by_supplier.setdefault((supplier, depot), []).append((sku, serials))
    for (supplier, depot), items in by_supplier.items():
        order = services.create_purchase_order(
            supplier=suppliers[supplier],
            depot=depots[depot],
            actor=None,
            lines=[(parts[sku], len(serials), parts[sku].unit_cost) for sku, serials in items],
        )
        services.place_order(order, actor=None)
        lines = {line.part.sku: line for line in order.lines.select_related("part")}
        services.receive_order(
            order,
            actor=actor,
            note="Delivery note 送货单 DN-2604-17",
            lines=[
                services.InspectedLine(lines[sku], len(serials), 0, "", serials)
                for sku, serials in items
            ],
        )
    # Two of the HQ battery packs go to the service centres.
    for depot, serial in (("east", "LFP72-2604-0003"), ("south", "LFP72-2604-0004")):
        transfer = services.ship_transfer(
            part=parts["BAT-LFP-72V-100AH"],
            from_depot=depots["hq"],
            to_depot=depots[depot],
            quantity=1,
            lots=[serial],
            actor=None,
            note="Restock 补库",
        )
        services.receive_transfer(transfer, actor=None)


def _reorder_levels(parts, depots) -> None:
    for sku, spec in PARTS.items():
        for code, (_on_hand, point, qty) in spec[6].items():
            balance = StockBalance.objects.get(part=parts[sku], depot=depots[code])
            if point or qty:
                services.set_reorder_levels(
                    balance, reorder_point=point, reorder_quantity=qty, actor=None
                )


def _pending_work(parts, depots, suppliers, actor) -> None:
    order = services.create_purchase_order(
        supplier=suppliers["road-tyre"],
        depot=depots["south"],
        actor=None,
        lines=[
            (parts["TYR-205-55R16"], 16, Decimal("520.00")),
            (parts["TYR-275-70R22"], 8, Decimal("1890.00")),
        ],
        note="Monthly tyre order 月度轮胎订单",
    )
    services.place_order(order, actor=None)
    tyres = order.lines.get(part=parts["TYR-205-55R16"])
    services.receive_order(
        order,
        actor=actor,
        lines=[
            services.InspectedLine(
                tyres, 12, 2, "Sidewall damage in transport 运输中胎侧损伤", ["BTYR-2604"]
            )
        ],
    )
    services.ship_transfer(
        part=parts["CHG-PORT-AC"],
        from_depot=depots["hq"],
        to_depot=depots["south"],
        quantity=6,
        actor=None,
        note="Low at South China 华南库存不足",
    )
    services.ship_transfer(
        part=parts["TYR-275-70R22"],
        from_depot=depots["hq"],
        to_depot=depots["east"],
        quantity=2,
        lots=["BTYR-2603"],
        actor=None,
        note="Bus tyres for East China 华东客车轮胎",
    )
    take = services.open_stocktake(
        depot=depots["east"], actor=None, reason="Quarterly count Q2 第二季度盘点"
    )
    # Half counted: two match the book, one is a tyre short.
    counts = {"BAT-BMS-V3": 6, "CHG-DC-GUN": 2, "TYR-205-55R16": 15}
    services.record_counts(take, {parts[s].pk: n for s, n in counts.items()}, actor=None)


def _order_low_stock(suppliers, depots) -> None:
    """The reorder levels drafted purchase requests of their own (low stock). The chargers'
    and controllers' go on an order placed with their supplier, not yet delivered; one
    other is submitted for approval, the rest stay drafts."""
    automatic = PurchaseRequest.objects.filter(
        source=RequestSource.LOW_STOCK, status=RequestStatus.DRAFT
    ).select_related("part")
    electrics = [r for r in automatic if r.part.sku.startswith(("CHG-", "MC-"))][:3]
    order = services.create_purchase_order(
        supplier=suppliers["volta-elec"],
        depot=depots["hq"],
        requests=electrics,
        actor=None,
        note="Low-stock reorder 低库存补货",
    )
    services.place_order(order, actor=None)
    rest = automatic.exclude(pk__in=[r.pk for r in electrics]).order_by("pk").first()
    if rest is not None:
        services.submit_purchase_request(rest, actor=None)


def _job_parts(parts, depots) -> None:
    """Reserve and use parts on a few open demo incidents (they show on the timeline)."""
    open_jobs = Incident.objects.filter(status__in=OPEN_STATUSES).order_by("reported_at")
    # The demo technician's jobs first, so their phone shows parts reserved and used.
    mine = list(open_jobs.filter(assignee__username="technician")[:2])
    jobs = mine + list(open_jobs.exclude(pk__in=[j.pk for j in mine])[: 4 - len(mine)])
    plan = [
        ("BAT-NMC-48V-40AH", "hq", 1, "reserve"),
        ("TYR-275-70R22", "east", 2, "issue"),
        ("CHG-DC-GUN", "hq", 1, "reserve"),
        ("BAT-BMS-V3", "east", 1, "issue"),
    ]
    for job, (sku, depot, qty, how) in zip(jobs, plan, strict=False):
        lots = [f"B{sku[:3]}-2603"] if parts[sku].tracking == "batch" and how == "issue" else None
        if how == "reserve":
            services.reserve_part(
                job, part=parts[sku], depot=depots[depot], quantity=qty, actor=None
            )
        else:
            services.issue_part(
                job, part=parts[sku], depot=depots[depot], quantity=qty, lots=lots, actor=None
            )
