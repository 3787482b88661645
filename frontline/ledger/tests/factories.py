"""Ledger test data: two functional departments with their staff, an administrator, problems."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from frontline.core.models import DataScope, User
from frontline.core.testing import World, make_role, make_unit, make_user
from frontline.ledger.models import Problem, ProblemCategory
from frontline.ledger.reference import ensure_reference_data
from frontline.ledger.services import ProblemData, problem_create
from frontline.ledger.workflow import problem_transition
from frontline.org.models import Unit, UnitKind
from frontline.posts.models import Post


@dataclass
class LedgerWorld:
    world: World
    land_bureau: Unit
    env_bureau: Unit
    land_clerk: User
    env_clerk: User
    admin: User

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


def build_ledger_world(world: World) -> LedgerWorld:
    ensure_reference_data()
    department_role = make_role("department-staff", DataScope.NODE)
    admin_role = make_role("system-admin", DataScope.SUBTREE, can_admin_org=True, can_edit=True)
    land = make_unit(
        "黄石市自然资源和规划局",
        region=world.huangshi.region,
        parent=world.huangshi,
        kind=UnitKind.FUNCTIONAL_DEPARTMENT,
    )
    env = make_unit(
        "黄石市生态环境局", region=world.huangshi.region, parent=world.huangshi, kind=UnitKind.FUNCTIONAL_DEPARTMENT
    )
    return LedgerWorld(
        world=world,
        land_bureau=land,
        env_bureau=env,
        land_clerk=make_user("land", unit=land, roles=[department_role]),
        env_clerk=make_user("env", unit=env, roles=[department_role]),
        admin=make_user("admin", unit=world.hubei, roles=[admin_role]),
    )


def category(code: str = "land-approval") -> ProblemCategory:
    return ProblemCategory.objects.get(code=code)


def make_problem(
    *,
    actor: User | None,
    post: Post,
    description: str = "项目用地报批卡在土地预审环节，影响开工。",
    category_code: str = "land-approval",
    today: date | None = None,
    key: str = "",
    **fields: Any,
) -> Problem:
    data = ProblemData(post=post, category=category(category_code), description=description, **fields)
    problem, _ = problem_create(actor=actor, data=data, idempotency_key=key, today=today)
    return problem


def act(problem: Problem, actor: User | None, action: str, **fields: Any) -> Problem:
    """Perform a transition with the problem's current version."""
    problem.refresh_from_db()
    return problem_transition(actor=actor, problem=problem, action=action, expected_version=problem.version, **fields)
