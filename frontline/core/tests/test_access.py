from frontline.cadres.selectors import cadre_list
from frontline.core.access import access_for
from frontline.core.models import DataScope


def test_an_official_sees_only_the_cadres_of_their_subtree(world):
    names = set(cadre_list(user=world.xingang_official).values_list("name", flat=True))
    assert names == {"陈明", "张文强", "李网格"}


def test_a_province_official_sees_every_cadre_of_the_province_but_none_of_jiangsu(world):
    names = set(cadre_list(user=world.province_official).values_list("name", flat=True))
    assert names == {"陈明", "张文强", "李网格", "崔艳"}


def test_a_grid_head_sees_only_their_own_record(world):
    assert list(cadre_list(user=world.grid_head).values_list("name", flat=True)) == ["李网格"]


def test_the_widest_role_decides_the_scope(world):
    assert access_for(world.xingang_official).scope == DataScope.SUBTREE
    assert access_for(world.grid_head).scope == DataScope.OWN
