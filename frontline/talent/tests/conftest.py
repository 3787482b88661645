"""Fixtures for talent tests: a campaign in the Xingang park and a peer group of ten of its cadres."""

import pytest

from frontline.cadres.models import Cadre
from frontline.core.models import Role, User
from frontline.core.testing import World, make_cadre, make_user
from frontline.dispatch.models import Campaign
from frontline.dispatch.tests.factories import make_campaign


@pytest.fixture
def campaign(world: World) -> Campaign:
    return make_campaign("新港园区干部素质提升年", unit=world.xingang)


@pytest.fixture
def peers(world: World) -> list[Cadre]:
    """Ten cadres of the park in one peer group: 陈明, 张文强, 李网格 and seven more."""
    others = [make_cadre(f"园区干部{n}", home_unit=world.xingang) for n in range(7)]
    return [*world.xingang_cadres, world.grid_cadre, *others]


@pytest.fixture
def second_editor(world: World) -> User:
    """Another official of the park's organization department, who can decide what `xingang` nominates."""
    return make_user("xingang2", unit=world.xingang, roles=[Role.objects.get(code="org-department")])
