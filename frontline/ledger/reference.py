"""Reference data every installation starts with: the default problem categories and the calendar."""

from django.db.models import Model

CATEGORIES = [
    # code, name, difficulty weight, complex (resolved within 30 working days instead of 7)
    ("land-approval", "用地审批", "2.00", True),
    ("environmental-review", "环评验收", "2.00", True),
    ("planning-construction", "规划建设审批", "1.80", True),
    ("labour-hiring", "用工招聘", "1.20", False),
    ("financing", "融资贷款", "1.50", True),
    ("policy-application", "政策申报", "1.00", False),
    ("talent", "人才引进", "1.30", False),
    ("raw-materials", "原材料供应", "1.30", False),
    ("infrastructure", "水电路气等基础设施", "1.50", True),
    ("market-orders", "市场订单与产销对接", "1.20", False),
    ("livelihood", "民生服务（如购药就医）", "1.00", False),
    ("neighbourhood-dispute", "邻里矛盾纠纷", "1.00", False),
    ("property-management", "物业管理", "1.00", False),
    ("relocation", "征迁安置", "2.00", True),
    ("other", "其他", "1.00", False),
]


def seed_categories(category_model: type[Model] | None = None) -> None:
    """Create the default categories that do not exist yet (by code); never change existing ones."""
    if category_model is None:
        from frontline.ledger.models import ProblemCategory

        category_model = ProblemCategory
    for order, (code, name, weight, is_complex) in enumerate(CATEGORIES, start=1):
        category_model.objects.get_or_create(  # type: ignore[attr-defined]
            code=code,
            defaults={"name": name, "difficulty_weight": weight, "is_complex": is_complex, "sort_order": order * 10},
        )


def ensure_reference_data() -> None:
    """Seed categories and the calendar when missing (after a test flush, or on a fresh database)."""
    from frontline.ledger.holidays import seed_from_package
    from frontline.ledger.models import Holiday

    seed_categories()
    if not Holiday.objects.exists():
        seed_from_package()
