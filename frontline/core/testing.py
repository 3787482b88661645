"""Factories and a small world of personas for tests (and for nothing else).

The personas follow the seeds: a Hubei province official, the Xingang park's organization
department, Zengdu district's, a grid head in the park, an auditor, and an official of
Lianyungang (Jiangsu) who must never see any of Hubei's rows.
"""

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from frontline.cadres.models import Cadre
from frontline.cadres.services import CadreData, cadre_create
from frontline.core.idcodes import resident_id_check_char
from frontline.core.models import DataScope, Role, User
from frontline.org.models import LEVEL_PREFIX_LENGTH, Region, Unit, UnitKind
from frontline.org.services import level_of_code, unit_create
from frontline.posts.models import Post, PostKind

PASSWORD = "Test-password-2026!"  # noqa: S105 (test accounts only)
_sequence = itertools.count(1)


def make_region(code: str, name: str) -> Region:
    """Return the region with this (short or 12-digit) code, creating it and its parents as needed."""
    code12 = code.ljust(12, "0")
    level = level_of_code(code12)
    parent = None
    if level > 1:
        parent_code = code12[: LEVEL_PREFIX_LENGTH[level - 1]].ljust(12, "0")
        parent = Region.objects.filter(code=parent_code).first() or make_region(parent_code, f"上级{parent_code}")
    region, _ = Region.objects.get_or_create(code=code12, defaults={"name": name, "level": level, "parent": parent})
    return region


def make_unit(name: str, *, region: Region, parent: Unit | None = None, kind: str = UnitKind.OTHER) -> Unit:
    return unit_create(actor=None, name=name, region=region, parent=parent, kind=kind)


def make_role(code: str, scope: DataScope, **flags: bool) -> Role:
    role, _ = Role.objects.update_or_create(code=code, defaults={"name": code, "scope": scope, **flags})
    return role


def make_user(username: str, *, unit: Unit | None, roles: list[Role], password: str = PASSWORD) -> User:
    user = User.objects.create_user(username=username, password=password, unit=unit, full_name=username)
    user.roles.set(roles)
    return user


def make_resident_id(*, region6: str = "420222", birth: date = date(1990, 5, 17), gender: str = "M") -> str:
    """Return a valid, unique resident ID number (sequence digits from a counter)."""
    n = next(_sequence) % 500
    seq = n * 2 + (1 if gender == "M" else 0)
    first17 = f"{region6}{birth:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def make_cadre(name: str, *, home_unit: Unit, actor: User | None = None, **fields: Any) -> Cadre:
    birth = fields.pop("birth", date(1990, 5, 17) + (next(_sequence) % 3000) * (date(1990, 1, 2) - date(1990, 1, 1)))
    data = CadreData(
        name=name,
        id_number=fields.pop("id_number", None) or make_resident_id(birth=birth),
        home_unit=home_unit,
        phone=fields.pop("phone", "13800000000"),
        **fields,
    )
    return cadre_create(actor=actor, data=data)


def make_post(name: str, *, kind: str = PostKind.ENTERPRISE, region: Region, unit: Unit, **fields: Any) -> Post:
    return Post.objects.create(kind=kind, name=name, region=region, unit=unit, **fields)


@dataclass
class World:
    hubei: Unit
    huangshi: Unit
    xingang: Unit
    xingang_office: Unit
    zengdu: Unit
    lianyungang: Unit
    province_official: User
    xingang_official: User
    zengdu_official: User
    grid_head: User
    auditor: User
    jiangsu_official: User
    xingang_cadres: list[Cadre]
    zengdu_cadre: Cadre
    jiangsu_cadre: Cadre
    grid_cadre: Cadre
    xingang_enterprise: Post
    zengdu_project: Post
    jiangsu_post: Post

    def personas(self) -> dict[str, User]:
        return {
            "province": self.province_official,
            "xingang": self.xingang_official,
            "zengdu": self.zengdu_official,
            "grid": self.grid_head,
            "auditor": self.auditor,
            "jiangsu": self.jiangsu_official,
        }


def build_world() -> World:
    """Create the personas and a few rows for each part of the tree."""
    hubei_r = make_region("42", "湖北省")
    huangshi_r = make_region("4202", "黄石市")
    make_region("420222", "阳新县")
    weiyuankou_r = make_region("420222103", "韦源口镇")
    zengdu_r = make_region("421303", "曾都区")
    lyg_r = make_region("3207", "连云港市")

    hubei = make_unit("中共湖北省委", region=hubei_r, kind=UnitKind.PARTY_COMMITTEE)
    huangshi = make_unit("中共黄石市委", region=huangshi_r, parent=hubei, kind=UnitKind.PARTY_COMMITTEE)
    xingang = make_unit("新港园区", region=weiyuankou_r, parent=huangshi, kind=UnitKind.PARK)
    xingang_office = make_unit(
        "新港园区项目建设指挥部办公室", region=weiyuankou_r, parent=xingang, kind=UnitKind.FUNCTIONAL_DEPARTMENT
    )
    suizhou = make_unit("中共随州市委", region=make_region("4213", "随州市"), parent=hubei)
    zengdu = make_unit("中共曾都区委", region=zengdu_r, parent=suizhou, kind=UnitKind.PARTY_COMMITTEE)
    jiangsu = make_unit("中共江苏省委", region=make_region("32", "江苏省"), kind=UnitKind.PARTY_COMMITTEE)
    lianyungang = make_unit("中共连云港市委", region=lyg_r, parent=jiangsu)

    manager = make_role(
        "org-department", DataScope.SUBTREE, can_edit=True, can_import=True, can_export=True, can_view_sensitive=True
    )
    viewer = make_role("province-viewer", DataScope.SUBTREE, can_export=True)
    cadre_role = make_role("deployed-cadre", DataScope.OWN)
    auditor_role = make_role("auditor", DataScope.OWN, can_audit=True)

    province_official = make_user("province", unit=hubei, roles=[viewer])
    xingang_official = make_user("xingang", unit=xingang, roles=[manager])
    zengdu_official = make_user("zengdu", unit=zengdu, roles=[manager])
    grid_head = make_user("grid", unit=xingang, roles=[cadre_role])
    auditor = make_user("auditor", unit=hubei, roles=[auditor_role])
    jiangsu_official = make_user("jiangsu", unit=lianyungang, roles=[manager])

    xingang_cadres = [
        make_cadre("陈明", home_unit=xingang_office, expertise=["规划", "建设"]),
        make_cadre("张文强", home_unit=xingang, expertise=["经济"]),
    ]
    grid_cadre = make_cadre("李网格", home_unit=xingang)
    grid_cadre.user = grid_head
    grid_cadre.save(update_fields=["user"])
    zengdu_cadre = make_cadre("崔艳", home_unit=zengdu)
    jiangsu_cadre = make_cadre("徐海", home_unit=lianyungang)
    return World(
        hubei=hubei,
        huangshi=huangshi,
        xingang=xingang,
        xingang_office=xingang_office,
        zengdu=zengdu,
        lianyungang=lianyungang,
        province_official=province_official,
        xingang_official=xingang_official,
        zengdu_official=zengdu_official,
        grid_head=grid_head,
        auditor=auditor,
        jiangsu_official=jiangsu_official,
        xingang_cadres=xingang_cadres,
        zengdu_cadre=zengdu_cadre,
        jiangsu_cadre=jiangsu_cadre,
        grid_cadre=grid_cadre,
        xingang_enterprise=make_post("弘盛铜业", region=weiyuankou_r, unit=xingang, uscc="91420222MA4F00000F"),
        zengdu_project=make_post("新农湾改造", kind=PostKind.PROJECT, region=zengdu_r, unit=zengdu, is_key=True),
        jiangsu_post=make_post("盛邦新材芳纶产业园", kind=PostKind.PROJECT, region=lyg_r, unit=lianyungang),
    )
