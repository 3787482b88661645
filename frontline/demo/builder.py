"""The demo data: the five programs of the seed articles (see shared/domain/BRIEF.md)."""

from collections.abc import Callable

from frontline.core.models import User

DEMO_LOGINS: list[tuple[str, str]] = [
    ("demo-hubei", "湖北省委组织部：全省数据"),
    ("demo-xingang", "新港园区党工委组织部：园区 59 名下沉干部"),
    ("demo-zengdu", "曾都区委组织部：50 名年轻干部"),
    ("demo-grid", "新港园区网格长：仅本人"),
    ("demo-auditor", "审计员：审计日志"),
]


def demo_is_loaded() -> bool:
    return User.objects.filter(username="demo-xingang").exists()


def build_demo(*, log: Callable[[str], object] = print) -> str:
    """Create the demo organizations, people and posts; return a one-line summary."""
    raise NotImplementedError("the demo builder is being written")
