"""Fixtures for dispatch tests: background tasks run at once, and the Luohe flour-mill case."""

from dataclasses import dataclass

import pytest

from frontline.cadres.models import Cadre, Rank
from frontline.core.models import DataScope, User
from frontline.core.testing import make_cadre, make_post, make_region, make_role, make_unit, make_user
from frontline.org.models import Unit, UnitKind
from frontline.posts.models import Post, PostKind


@pytest.fixture
def immediate_tasks(settings):
    """Run django.tasks in the calling thread, as soon as they are enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class Luohe:
    """漯河 (2020): a flour mill asks for a cadre from the grain bureau; its deputy director is sent."""

    city: Unit
    grain_bureau: Unit
    commerce_bureau: Unit
    official: User
    grain_cadre: Cadre
    commerce_cadre: Cadre
    flour_mill: Post


@pytest.fixture
def luohe(world) -> Luohe:
    region = make_region("4111", "漯河市")
    city = make_unit("中共漯河市委", region=region, kind=UnitKind.PARTY_COMMITTEE)
    grain = make_unit("漯河市粮食和物资储备局", region=region, parent=city, kind=UnitKind.FUNCTIONAL_DEPARTMENT)
    commerce = make_unit("漯河市商务局", region=region, parent=city, kind=UnitKind.FUNCTIONAL_DEPARTMENT)
    manager = make_role("org-department", DataScope.SUBTREE, can_edit=True, can_export=True)
    official = make_user("luohe", unit=city, roles=[manager])
    grain_cadre = make_cadre(
        "王建粮",
        home_unit=grain,
        position="副局长",
        rank=Rank.DEPUTY_DIVISION,
        home_latitude=33.58,
        home_longitude=114.02,
    )
    commerce_cadre = make_cadre(
        "刘商", home_unit=commerce, rank=Rank.SECTION, home_latitude=33.57, home_longitude=114.01
    )
    mill = make_post(
        "漯河市某面粉厂",
        kind=PostKind.ENTERPRISE,
        region=region,
        unit=city,
        industry="粮食加工",
        latitude=33.60,
        longitude=114.05,
    )
    return Luohe(
        city=city,
        grain_bureau=grain,
        commerce_bureau=commerce,
        official=official,
        grain_cadre=grain_cadre,
        commerce_cadre=commerce_cadre,
        flour_mill=mill,
    )
