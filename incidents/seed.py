"""Reference data seeded by migration 0002 (and used as fallbacks). Plain constants only:
migrations import this module, so it must not import models."""

# slug, English name, Chinese name, owning group kind, groups concerned at Level II
CATEGORIES = [
    (
        "product-quality",
        "Product quality fault",
        "产品质量问题",
        "tech_support",
        ["tech_support", "logistics", "customer_service"],
    ),
    (
        "service-quality",
        "Service quality problem",
        "服务质量问题",
        "customer_service",
        ["customer_service", "tech_support"],
    ),
    (
        "safety-accident",
        "Safety accident",
        "安全事故",
        "tech_support",
        ["tech_support", "customer_service", "legal"],
    ),
    (
        "complaint",
        "Customer complaint or dispute",
        "客户投诉与纠纷",
        "customer_service",
        ["customer_service", "legal"],
    ),
    (
        "natural-disaster",
        "Natural disaster / force majeure",
        "自然灾害",
        "logistics",
        ["logistics", "tech_support"],
    ),
]

CONFIRM_MINUTES = 30
# grade: (arrive, resolve) minutes after the report
TARGETS = {"I": (120, 480), "II": (240, 1440), "III": (480, 4320)}
