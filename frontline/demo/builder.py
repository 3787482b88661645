"""The demo data: the five programs of the seed articles (see shared/domain/BRIEF.md), in their real regions.

- 新港园区 (Huangshi, Hubei): 59 cadres (10 project, 25 enterprise, 24 grassroots), 49 key projects,
  25 key non-public enterprises, the villages and communities of 韦源口镇 with grids and buildings.
- 曾都区 (Suizhou, Hubei): 50 young full-time cadres, 93 signed projects over ¥100M (55 started).
- 连云港 (Jiangsu): 66 township Party/government heads of 33 real townships.
- 漯河 (Henan): the grain bureau's deputy director and the flour mill he was sent to.
- 威海 (Shandong): 35 provincial cadres from 7 provincial units, 2,400 city cadres, 202 key projects.

People are generated (frontline.demo.people); places, units and companies are the real ones the
articles name. Cadres go through `cadre_create`, so each one is validated and audited like any other.
Campaigns and deployments come from frontline.demo.dispatching, the ledger (visits, problems,
ratings, matchmakings) from frontline.demo.ledgering, the appraisals, reserve pool, promotions and
merits from frontline.demo.appraising.
"""

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from frontline.cadres.models import Cadre, PoliticalStatus, Rank
from frontline.cadres.services import CadreData, CadreValidationError, cadre_create
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, DataScope, Role, User
from frontline.demo import catalog
from frontline.demo.appraising import DEMO_CADRE_POST, build_appraisal
from frontline.demo.dispatching import ZENGDU_CAMPAIGN, build_dispatch
from frontline.demo.ledgering import STAFF_UNITS, accounts_for_ledger, build_ledger
from frontline.demo.people import PersonGenerator
from frontline.dispatch.models import Deployment
from frontline.org.loader import load_regions
from frontline.org.models import Region, RegionLevel, Unit, UnitKind
from frontline.org.services import unit_create
from frontline.posts.models import EnterpriseSize, Post, PostKind, ProjectStage

SEED = 2025

DEMO_LOGINS: list[tuple[str, str]] = [
    ("demo-admin", "系统管理员：全部数据，维护区划、单位和账号"),
    ("demo-hubei", "湖北省委（领导）：全省数据，即新港园区和曾都区"),
    ("demo-xingang", "新港园区党工委组织部：园区 59 名下沉干部"),
    ("demo-zengdu", "曾都区委组织部：50 名年轻干部"),
    ("demo-cadre", "曾都区年轻干部（下沉新农湾改造项目）：仅本人的考核得分、明细和实绩清单"),
    ("demo-grid", "新港园区网格长（下沉干部）：仅本人"),
    ("demo-land", "黄石市自然资源和规划局（职能部门）：交办给本局的问题，签收、反馈、办结"),
    ("demo-lianyungang", "连云港市委组织部：66 名乡镇（街道）党政正职"),
    ("demo-luohe", "漯河市委组织部：驻企特派员"),
    ("demo-shandong", "山东省委（领导）：省派 35 名和威海市派 2400 名干部"),
    ("demo-weihai", "威海市委组织部：市派 2400 名干部"),
    ("demo-auditor", "审计员：审计日志"),
]


class DemoAlreadyLoaded(ApplicationError):
    """The demo accounts exist already; building again would duplicate everything."""


def demo_is_loaded() -> bool:
    return User.objects.filter(username="demo-xingang").exists()


def build_demo(*, log: Callable[[str], object] = print, all_regions: bool = True) -> str:
    """Create the demo organizations, people, posts and accounts; return a one-line summary.

    `all_regions=False` loads provinces..townships only under `catalog.NEEDED_PREFIXES` (for tests).
    Refuses with `DemoAlreadyLoaded` when any demo account exists, so nothing is ever duplicated.
    """
    usernames = [username for username, _ in DEMO_LOGINS]
    present = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if present:
        raise DemoAlreadyLoaded(
            f"演示数据已经加载（已有账号 {present[0]} 等 {len(present)} 个），不会重复创建。"
            "如需重建，请换一个空数据库（设置 FRONTLINE_VAR_DIR 或 DATABASE_URL）后再运行。",
            code="demo_loaded",
        )
    with transaction.atomic():
        builder = _DemoBuilder(rnd=random.Random(SEED), log=log)  # noqa: S311 (reproducible, not secret)
        builder.load_regions(all_regions=all_regions)
        builder.create_roles()
        builder.create_units()
        builder.xingang()
        builder.zengdu()
        builder.lianyungang()
        builder.luohe()
        builder.weihai()
        builder.dispatch()
        builder.create_users()
        builder.ledger()
        builder.appraisal()
        return builder.summary()


@dataclass(frozen=True)
class _Place:
    """Where a cadre lives, and which county codes their ID number may carry."""

    regions: Sequence[Region]
    id_counties: Sequence[str]


class _DemoBuilder:
    def __init__(self, *, rnd: random.Random, log: Callable[[str], object]) -> None:
        self.rnd = rnd
        self.people = PersonGenerator(rnd)
        self.log = log
        self.started = time.perf_counter()
        self._regions: dict[str, Region] = {}
        self.units: dict[str, Unit] = {}
        self.roles: dict[str, Role] = {}
        self.grid_cadre: Cadre | None = None
        self.region_count = 0
        self.dispatch_summary = ""
        self.ledger_summary = ""
        self.appraisal_summary = ""

    # Helpers -------------------------------------------------------------------------------

    def step(self, message: str) -> None:
        self.log(f"[{time.perf_counter() - self.started:5.1f}s] {message}")

    def region(self, code: str) -> Region:
        code12 = code.ljust(12, "0")
        if code12 not in self._regions:
            self._regions[code12] = Region.objects.get(code=code12)
        return self._regions[code12]

    def regions_under(self, prefix: str, level: int, *, zones: bool = False) -> list[Region]:
        qs = Region.objects.filter(code__startswith=prefix, level=level)
        if not zones:
            qs = qs.filter(is_functional_zone=False)
        return list(qs.order_by("code"))

    def near(self, code: str, spread: float = 0.03) -> tuple[float, float]:
        """Return a point near the centre of the region with this code (longest known prefix)."""
        for length in (9, 6, 4):
            center = catalog.CENTERS.get(code[:length])
            if center is not None:
                break
        else:
            center = (34.0, 114.0)
        lat = center[0] + self.rnd.uniform(-spread, spread)
        lng = center[1] + self.rnd.uniform(-spread, spread)
        return round(lat, 6), round(lng, 6)

    def unit(self, key: str, name: str, *, region: str, parent: str | None = None, kind: str = UnitKind.OTHER) -> Unit:
        """Create (or reuse, when a person made it already) the unit `name` and remember it as `key`."""
        parent_unit = self.units[parent] if parent else None
        existing = Unit.objects.filter(parent=parent_unit, name=name).first()
        self.units[key] = existing or unit_create(
            actor=None, name=name, region=self.region(region), parent=parent_unit, kind=kind
        )
        return self.units[key]

    def cadre(
        self,
        *,
        home_unit: Unit,
        place: _Place,
        birth_years: tuple[int, int],
        rank: int,
        position: str,
        expertise: Iterable[str],
        male_share: float = 0.6,
        full_time_eligible: bool = True,
        political_status: str = PoliticalStatus.PARTY_MEMBER,
    ) -> Cadre:
        """Create one generated cadre through the registry's own service (validated and audited)."""
        gender = self.people.gender(male_share=male_share)
        birth = self.people.birth_date(*birth_years)
        residence = self.rnd.choice(place.regions)
        lat, lng = self.near(residence.code, spread=0.05)
        for _attempt in range(5):
            data = CadreData(
                name=self.people.name(gender),
                id_number=self.people.resident_id(
                    region6=self.rnd.choice(place.id_counties), birth=birth, gender=gender
                ),
                home_unit=home_unit,
                phone=self.people.mobile(),
                political_status=political_status,
                position=position,
                rank=rank,
                expertise=list(dict.fromkeys(expertise)),
                full_time_eligible=full_time_eligible,
                residence_region=residence,
                home_latitude=lat,
                home_longitude=lng,
            )
            try:
                return cadre_create(actor=None, data=data)
            except CadreValidationError as exc:
                if "id_number" not in exc.errors:  # only a clash with a real, existing ID is retried
                    raise
        raise ApplicationError("无法生成不重复的身份证号。", code="demo_id_clash")

    def young_status(self) -> str:
        roll = self.rnd.random()
        if roll < 0.8:
            return PoliticalStatus.PARTY_MEMBER
        if roll < 0.9:
            return PoliticalStatus.PROBATIONARY
        return PoliticalStatus.LEAGUE if roll < 0.97 else PoliticalStatus.MASSES

    def create_posts(self, posts: list[Post]) -> list[Post]:
        """Validate and insert posts in one statement; parents must be saved before their children.

        Foreign keys, the unique credit code and the check constraints are left to the database,
        which enforces them on insert: validating them here costs a query each, ten per post.
        """
        for post in posts:
            post.full_clean(exclude=["region", "unit", "parent"], validate_unique=False, validate_constraints=False)
        return Post.objects.bulk_create(posts)

    def audit_posts(self, label: str, count: int) -> None:
        audit(
            actor=None,
            action=AuditAction.IMPORT,
            object_type="posts.post",
            object_repr=f"{label}：{count} 个一线阵地",
            note="demo data",
        )

    def date_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rnd.randrange((last - first).days + 1))

    def investment(self, low: int, high: int) -> Decimal:
        """Return an amount in 万元 between low and high, skewed towards the low end, to 100."""
        value = low + (high - low) * self.rnd.random() ** 2.5
        return Decimal(int(value / 100) * 100)

    def project_names(self, kinds: Sequence[str], count: int, *, taken: Iterable[str] = ()) -> list[str]:
        names: list[str] = []
        seen = set(taken)
        while len(names) < count:
            name = self.rnd.choice(catalog.COMPANY_WORDS) + self.rnd.choice(kinds)
            if name not in seen:
                seen.add(name)
                names.append(name)
        return names

    # Regions, roles, units --------------------------------------------------------------------

    def load_regions(self, *, all_regions: bool) -> None:
        result = load_regions(
            village_prefixes=catalog.VILLAGE_PREFIXES, only_prefixes=() if all_regions else catalog.NEEDED_PREFIXES
        )
        self.region_count = Region.objects.count()
        self.step(f"区划：读取 {result.read} 条，新增 {result.created} 条")

    def create_roles(self) -> None:
        specs: list[tuple[str, str, DataScope, dict[str, bool]]] = [
            (
                "org-department",
                "组织部",
                DataScope.SUBTREE,
                {"can_edit": True, "can_import": True, "can_export": True, "can_view_sensitive": True},
            ),
            ("leader", "领导", DataScope.SUBTREE, {"can_export": True}),
            ("deployed-cadre", "下沉干部", DataScope.OWN, {}),
            ("department-staff", "职能部门工作人员", DataScope.NODE, {}),
            ("auditor", "审计员", DataScope.OWN, {"can_audit": True}),
            (
                "admin",
                "系统管理员",
                DataScope.ALL,
                {
                    "can_edit": True,
                    "can_import": True,
                    "can_export": True,
                    "can_view_sensitive": True,
                    "can_audit": True,
                    "can_admin_org": True,
                },
            ),
        ]
        for code, name, scope, flags in specs:
            # An existing role keeps what an administrator set; the demo only adds missing ones.
            self.roles[code], _ = Role.objects.get_or_create(
                code=code, defaults={"name": name, "scope": scope, **flags}
            )

    def create_units(self) -> None:
        party, org, dept = UnitKind.PARTY_COMMITTEE, UnitKind.ORGANIZATION_DEPARTMENT, UnitKind.FUNCTIONAL_DEPARTMENT
        u = self.unit
        # Hubei: Huangshi (新港园区) and Suizhou (曾都区) under one root, so the province sees both.
        u("hubei", "中共湖北省委", region="42", kind=party)
        u("hubei-org", "中共湖北省委组织部", region="42", parent="hubei", kind=org)
        u("huangshi", "中共黄石市委", region="4202", parent="hubei", kind=party)
        u("huangshi-org", "中共黄石市委组织部", region="4202", parent="huangshi", kind=org)
        # The city bureaus that approve land use and environmental acceptance for the park's projects.
        u("huangshi-land", "黄石市自然资源和规划局", region="4202", parent="huangshi", kind=dept)
        u("huangshi-environment", "黄石市生态环境局", region="4202", parent="huangshi", kind=dept)
        u("xingang", "新港园区", region="420222103", parent="huangshi", kind=UnitKind.PARK)
        u("xingang-org", "新港园区党工委组织部", region="420222103", parent="xingang", kind=org)
        u("xingang-projects", "新港园区项目建设指挥部办公室", region="420222103", parent="xingang", kind=dept)
        u("xingang-economy", "新港园区经济发展局", region="420222103", parent="xingang", kind=dept)
        u("xingang-investment", "新港园区招商局", region="420222103", parent="xingang", kind=dept)
        u("xingang-social", "新港园区社会事务局", region="420222103", parent="xingang", kind=dept)
        u("weiyuankou", "韦源口镇", region="420222103", parent="xingang", kind=UnitKind.TOWNSHIP)
        u("suizhou", "中共随州市委", region="4213", parent="hubei", kind=party)
        u("suizhou-org", "中共随州市委组织部", region="4213", parent="suizhou", kind=org)
        u("zengdu", "中共曾都区委", region="421303", parent="suizhou", kind=party)
        u("zengdu-org", "中共曾都区委组织部", region="421303", parent="zengdu", kind=org)
        for key, name in (
            ("zengdu-housing", "曾都区住房和城乡建设局"),
            ("zengdu-industry", "曾都区科学技术和经济信息化局"),
            ("zengdu-development", "曾都区发展和改革局"),
            ("zengdu-land", "曾都区自然资源和规划局"),
            ("zengdu-hr", "曾都区人力资源和社会保障局"),
        ):
            u(key, name, region="421303", parent="zengdu", kind=dept)
        u("yunshui", "涢水街道", region="421303005", parent="zengdu", kind=UnitKind.TOWNSHIP)
        u("dongcheng", "东城街道", region="421303002", parent="zengdu", kind=UnitKind.TOWNSHIP)
        u("luoyang", "洛阳镇", region="421303103", parent="zengdu", kind=UnitKind.TOWNSHIP)

        u("jiangsu", "中共江苏省委", region="32", kind=party)
        u("lianyungang", "中共连云港市委", region="3207", parent="jiangsu", kind=party)
        u("lianyungang-org", "中共连云港市委组织部", region="3207", parent="lianyungang", kind=org)
        for county, name in (
            ("320703", "中共连云区委"),
            ("320706", "中共海州区委"),
            ("320707", "中共赣榆区委"),
            ("320722", "中共东海县委"),
            ("320723", "中共灌云县委"),
            ("320724", "中共灌南县委"),
        ):
            u(county, name, region=county, parent="lianyungang", kind=party)

        u("henan", "中共河南省委", region="41", kind=party)
        u("luohe", "中共漯河市委", region="4111", parent="henan", kind=party)
        u("luohe-org", "中共漯河市委组织部", region="4111", parent="luohe", kind=org)
        u("luohe-grain", "漯河市粮食和物资储备局", region="4111", parent="luohe", kind=dept)
        u("luohe-industry", "漯河市工业和信息化局", region="4111", parent="luohe", kind=dept)
        u("luohe-commerce", "漯河市商务局", region="4111", parent="luohe", kind=dept)

        u("shandong", "中共山东省委", region="37", kind=party)
        u("shandong-org", "中共山东省委组织部", region="37", parent="shandong", kind=org)
        for key, name, kind in catalog.SHANDONG_UNITS:
            u(key, name, region="37", parent="shandong", kind=kind)
        u("weihai", "中共威海市委", region="3710", parent="shandong", kind=party)
        u("weihai-org", "中共威海市委组织部", region="3710", parent="weihai", kind=org)
        for key, name, _tags, _share in catalog.WEIHAI_DEPARTMENTS:
            u(key, name, region="3710", parent="weihai", kind=dept)
        self.step(f"单位：{len(self.units)} 个")

    # The five programs ----------------------------------------------------------------------

    def xingang(self) -> None:
        """新港园区: 10 + 25 + 24 cadres, 49 key projects, 25 key enterprises, 韦源口镇's villages."""
        units = self.units
        home = _Place(
            regions=self.regions_under("420222103", RegionLevel.VILLAGE) + self.regions_under("420222", 4),
            id_counties=catalog.ID_COUNTIES["xingang"],
        )
        young = (1990, 2000)
        # 10 project commissioners who know economics, planning, construction (项目专员).
        project_homes = ["xingang-projects"] * 4 + ["xingang-economy"] * 3 + ["xingang-investment"] * 3
        for i, key in enumerate(project_homes):
            core = self.rnd.sample(["规划", "建设", "经济"], k=self.rnd.choice([1, 2]))
            extra = self.rnd.sample(["用地审批", "环评", "项目管理", "招商"], k=self.rnd.choice([0, 1]))
            position, rank = ("副主任", Rank.SECTION) if i == 0 else self.rnd.choice(catalog.MIDDLE_POSITIONS[key])
            self.cadre(
                home_unit=units[key],
                place=home,
                birth_years=(1982, 1995),
                rank=rank,
                position=position,
                expertise=core + extra,
            )
        # 25 party-building instructors for the 25 key non-public enterprises (党建指导员).
        enterprise_homes = (
            ["xingang-org"] * 7 + ["xingang-economy"] * 6 + ["xingang-investment"] * 6 + ["xingang-social"] * 6
        )
        for i, key in enumerate(enterprise_homes):
            extra = self.rnd.sample(["财务", "法律", "人才服务", "经济"], k=self.rnd.choice([0, 1]))
            position, rank = (
                ("团工委副书记", Rank.DEPUTY_SECTION) if i == 0 else self.rnd.choice(catalog.JUNIOR_POSITIONS)
            )
            self.cadre(
                home_unit=units[key],
                place=home,
                birth_years=young,
                rank=rank,
                position=position,
                expertise=["党建", "政策", *extra],
                male_share=0.5,
                political_status=PoliticalStatus.PARTY_MEMBER,
            )
        # 24 young township cadres who become building and grid heads (楼栋长/网格长).
        for i in range(24):
            extra = self.rnd.sample(["矛盾调解", "党建", "法律", "农业"], k=self.rnd.choice([0, 1]))
            position, rank = ("党委委员", Rank.DEPUTY_SECTION) if i < 2 else self.rnd.choice(catalog.JUNIOR_POSITIONS)
            cadre = self.cadre(
                home_unit=units["weiyuankou"],
                place=home,
                birth_years=young,
                rank=rank,
                position=position,
                expertise=["社区治理", *extra],
                male_share=0.5,
                political_status=self.young_status(),
            )
            if i == 2:
                self.grid_cadre = cadre
        self.step("新港园区：59 名干部")

        projects_office, township = units["xingang-projects"], units["weiyuankou"]
        town = self.region("420222103")
        names = ["弘盛铜业项目", "湖北优科项目", *self.project_names(catalog.XINGANG_PROJECT_KINDS, 47)]
        projects = []
        for name in names:
            started = self.rnd.random() < 0.7
            planned = self.date_between(date(2024, 9, 1), date(2025, 6, 30))
            lat, lng = self.near("420222103")
            projects.append(
                Post(
                    kind=PostKind.PROJECT,
                    name=name,
                    region=town,
                    unit=projects_office,
                    is_key=True,
                    investment=self.investment(5_000, 600_000),
                    stage=self.rnd.choice(
                        [ProjectStage.CONSTRUCTION, ProjectStage.CONSTRUCTION, ProjectStage.COMPLETED]
                    )
                    if started
                    else self.rnd.choice([ProjectStage.SIGNED, ProjectStage.APPROVAL]),
                    planned_start=planned,
                    actual_start=planned + timedelta(days=self.rnd.randrange(0, 60)) if started else None,
                    latitude=lat,
                    longitude=lng,
                    address="湖北省黄石市阳新县韦源口镇新港园区",
                )
            )
        projects = self.create_posts(projects)
        # Leadership members answer for key projects, deputy-section cadres for their sub-projects.
        subprojects = []
        for project in projects[:14]:
            for part in self.rnd.sample(catalog.SUB_PROJECT_PARTS, k=self.rnd.choice([2, 3])):
                subprojects.append(
                    Post(
                        kind=PostKind.PROJECT,
                        name=f"{project.name}·{part}子项目",
                        region=town,
                        unit=projects_office,
                        parent=project,
                        stage=project.stage,
                        planned_start=project.planned_start,
                        actual_start=project.actual_start,
                        latitude=project.latitude,
                        longitude=project.longitude,
                    )
                )
        self.create_posts(subprojects)

        enterprises: list[Post] = []
        taken: set[str] = set()
        while len(enterprises) < 25:
            word, (suffix, industry) = self.rnd.choice(catalog.COMPANY_WORDS), self.rnd.choice(catalog.ENTERPRISE_KINDS)
            name = f"{self.rnd.choice(['湖北', '黄石', '阳新'])}{word}{suffix}有限公司"
            if name in taken:
                continue
            taken.add(name)
            lat, lng = self.near("420222103")
            enterprises.append(
                Post(
                    kind=PostKind.ENTERPRISE,
                    name=name,
                    region=town,
                    unit=units["xingang-economy"],
                    is_key=True,
                    uscc=self.people.credit_code(region6="420222"),
                    industry=industry,
                    size=self.rnd.choice(
                        [EnterpriseSize.SMALL, EnterpriseSize.MEDIUM, EnterpriseSize.MEDIUM, EnterpriseSize.LARGE]
                    ),
                    latitude=lat,
                    longitude=lng,
                    address="湖北省黄石市阳新县韦源口镇新港园区",
                )
            )
        self.create_posts(enterprises)
        grid_count, building_count, places = self.villages_with_grids(township, "420222103", buildings=True)
        self.audit_posts(
            "新港园区",
            len(projects) + len(subprojects) + len(enterprises) + places + grid_count + building_count,
        )
        self.step(
            f"新港园区：{len(projects)} 个重点项目（{len(subprojects)} 个子项目）、{len(enterprises)} 家重点企业、"
            f"{places} 个村社区、{grid_count} 个网格、{building_count} 个楼栋"
        )

    def villages_with_grids(self, unit: Unit, township_code: str, *, buildings: bool) -> tuple[int, int, int]:
        """Create a post for every village and community of a township, with grids (and buildings)."""
        regions = self.regions_under(township_code, RegionLevel.VILLAGE)
        places = []
        for region in regions:
            name, kind = catalog.village_post_name(region.name)
            lat, lng = self.near(township_code)
            places.append(Post(kind=kind, name=name, region=region, unit=unit, latitude=lat, longitude=lng))
        places = self.create_posts(places)
        grids = []
        for place in places:
            count = 6 if place.kind == PostKind.COMMUNITY else 2
            for n in range(1, count + 1):
                grids.append(
                    Post(
                        kind=PostKind.GRID,
                        name=f"{place.name}第{n}网格",
                        region=place.region,
                        unit=unit,
                        parent=place,
                        households=self.rnd.randrange(120, 420),
                        latitude=place.latitude,
                        longitude=place.longitude,
                    )
                )
        grids = self.create_posts(grids)
        building_posts = []
        if buildings:
            for grid in grids:
                if grid.parent is None or grid.parent.kind != PostKind.COMMUNITY:
                    continue
                for n in range(1, self.rnd.choice([3, 4]) + 1):
                    building_posts.append(
                        Post(
                            kind=PostKind.BUILDING,
                            name=f"{grid.name}{n}栋",
                            region=grid.region,
                            unit=unit,
                            parent=grid,
                            households=self.rnd.choice([24, 32, 48, 64, 96]),
                            latitude=grid.latitude,
                            longitude=grid.longitude,
                        )
                    )
            self.create_posts(building_posts)
        return len(grids), len(building_posts), len(places)

    def zengdu(self) -> None:
        """曾都区: 50 young cadres released full time; 93 signed projects over ¥100M, 55 started."""
        units = self.units
        home = _Place(
            regions=self.regions_under("421303", RegionLevel.TOWNSHIP) + self.regions_under("421303005", 5),
            id_counties=catalog.ID_COUNTIES["zengdu"],
        )
        for key, count, tags in (
            ("zengdu-org", 4, ["党建", "政策"]),
            ("zengdu-housing", 8, ["建设", "征迁"]),
            ("zengdu-industry", 8, ["经济", "政策", "招商"]),
            ("zengdu-development", 8, ["经济", "招商", "项目管理"]),
            ("zengdu-land", 6, ["规划", "用地审批"]),
            ("zengdu-hr", 4, ["政策", "人才服务"]),
            ("yunshui", 6, ["社区治理", "征迁"]),
            ("dongcheng", 3, ["社区治理", "矛盾调解"]),
            ("luoyang", 3, ["农业", "文旅"]),
        ):
            for _ in range(count):
                position, rank = self.rnd.choice(catalog.YOUNG_POSITIONS)
                self.cadre(
                    home_unit=units[key],
                    place=home,
                    birth_years=(1990, 2000),
                    rank=rank,
                    position=position,
                    expertise=self.rnd.sample(tags, k=2) + self.rnd.sample(["财务", "法律", "规划", "经济"], k=1),
                    male_share=0.55,
                    full_time_eligible=True,
                    political_status=self.young_status(),
                )
        self.step("曾都区：50 名年轻干部")

        places = self.regions_under("421303", RegionLevel.TOWNSHIP, zones=True)
        zones = [r for r in places if r.is_functional_zone]
        projects = []
        started_flags = [True] * 55 + [False] * 38
        self.rnd.shuffle(started_flags)
        accelerated = set(self.rnd.sample([i for i, s in enumerate(started_flags) if s], k=23))
        for i, (name, started) in enumerate(
            zip(self.project_names(catalog.ZENGDU_PROJECT_KINDS, 93), started_flags, strict=True)
        ):
            region = self.rnd.choice(zones) if self.rnd.random() < 0.6 else self.rnd.choice(places)
            signed = self.date_between(date(2024, 10, 1), date(2025, 8, 31))
            lat, lng = self.near(region.code, spread=0.12)
            projects.append(
                Post(
                    kind=PostKind.PROJECT,
                    name=name,
                    region=region,
                    unit=units["zengdu-development"],
                    is_key=i in accelerated,
                    investment=self.investment(10_000, 400_000),
                    stage=ProjectStage.CONSTRUCTION if started else ProjectStage.SIGNED,
                    planned_start=signed + timedelta(days=self.rnd.randrange(60, 240)),
                    actual_start=self.date_between(signed + timedelta(days=30), date(2025, 10, 31))
                    if started
                    else None,
                    description="亿元以上签约招商产业项目",
                    latitude=lat,
                    longitude=lng,
                )
            )
        lat, lng = self.near("421303005")
        projects.append(
            Post(
                kind=PostKind.PROJECT,
                name="新农湾改造项目",
                region=self.region("421303005002"),  # 涢水街道前进社区
                unit=units["yunshui"],
                is_key=True,
                stage=ProjectStage.CONSTRUCTION,
                actual_start=date(2025, 6, 16),
                description="城市更新：入户走访、征迁协调",
                latitude=lat,
                longitude=lng,
            )
        )
        lat, lng = self.near("421303103")
        projects.append(
            Post(
                kind=PostKind.PROJECT,
                name="银杏谷旅游度假区升级项目",
                region=self.region("421303103"),
                unit=units["luoyang"],
                stage=ProjectStage.CONSTRUCTION,
                actual_start=date(2025, 3, 20),
                description="“自然资源+集体资产+社会资本”模式，引入高端民宿品牌",
                latitude=lat,
                longitude=lng,
            )
        )
        lat, lng = self.near("421303")
        enterprise = Post(
            kind=PostKind.ENTERPRISE,
            name="星辰新能源汽车有限公司",
            region=self.region("421303"),
            unit=units["zengdu-industry"],
            industry="汽车制造",
            size=EnterpriseSize.MEDIUM,
            latitude=lat,
            longitude=lng,
        )
        self.create_posts([*projects, enterprise])
        grids, _buildings, communities = self.villages_with_grids(units["yunshui"], "421303005", buildings=False)
        self.audit_posts("曾都区", len(projects) + 1 + communities + grids)
        self.step(f"曾都区：{len(projects)} 个项目、1 家企业、{communities} 个村社区、{grids} 个网格")

    def lianyungang(self) -> None:
        """连云港: the Party and government heads of 33 real townships, evaluated on the frontline."""
        required = ["320703010", "320723103", "320707101"]  # 高公岛街道, 燕尾港镇, 柘汪镇 (in the article)
        townships = self.regions_under("3207", RegionLevel.TOWNSHIP)
        others = [r for r in townships if r.code[:9] not in required and r.code[:6] in self.units]
        chosen = [self.region(code) for code in required] + self.rnd.sample(others, k=30)
        chosen.sort(key=lambda r: r.code)
        for township in chosen:
            county = township.code[:6]
            unit = self.unit(
                township.code[:9], township.name, region=township.code, parent=county, kind=UnitKind.TOWNSHIP
            )
            place = _Place(regions=[township], id_counties=[county])
            secretary, head = catalog.township_head_titles(township.name)
            for title in (secretary, head):
                self.cadre(
                    home_unit=unit,
                    place=place,
                    birth_years=(1970, 1985),
                    rank=Rank.SECTION,
                    position=f"{township.name}{title}",
                    expertise=self.rnd.sample(["招商", "经济", "农业", "社区治理", "舆情处置", "项目管理"], k=2),
                    male_share=0.85,
                )
        self.step(f"连云港：{len(chosen)} 个乡镇（街道）、{2 * len(chosen)} 名党政正职")
        posts = []
        for name, code, stage, description in (
            ("盛邦新材芳纶产业园项目", "320723103", ProjectStage.CONSTRUCTION, "燕尾港镇重点项目"),
            (
                "高公岛休闲渔业项目",
                "320703010",
                ProjectStage.APPROVAL,
                "海上高尔夫、游艇观光等休闲渔业；涉及用地用海审批、资金资源整合",
            ),
            ("君恒生物航煤项目", "320707101", ProjectStage.CONSTRUCTION, "柘汪镇引进的重点项目"),
            ("隆基绿色甲醇项目", "320707101", ProjectStage.CONSTRUCTION, "柘汪镇引进的重点项目"),
        ):
            lat, lng = self.near(code)
            posts.append(
                Post(
                    kind=PostKind.PROJECT,
                    name=name,
                    region=self.region(code),
                    unit=self.units[code],
                    is_key=True,
                    stage=stage,
                    description=description,
                    latitude=lat,
                    longitude=lng,
                )
            )
        self.create_posts(posts)
        self.audit_posts("连云港", len(posts))

    def luohe(self) -> None:
        """漯河: the grain bureau's deputy director, sent to the flour mill the next day, and a few more."""
        units = self.units
        place = _Place(
            regions=self.regions_under("4111", RegionLevel.TOWNSHIP), id_counties=catalog.ID_COUNTIES["luohe"]
        )
        self.cadre(
            home_unit=units["luohe-grain"],
            place=place,
            birth_years=(1970, 1980),
            rank=Rank.DEPUTY_DIVISION,
            position="党组成员、副局长",
            expertise=["粮食流通", "物流", "经济"],
            male_share=0.8,
        )
        for key, position, rank, tags in (
            ("luohe-grain", "仓储科科长", Rank.SECTION, ["粮食流通", "物流"]),
            ("luohe-industry", "副局长", Rank.DEPUTY_DIVISION, ["经济", "政策"]),
            ("luohe-commerce", "外贸科科长", Rank.SECTION, ["经济", "招商"]),
            ("luohe-org", "干部科科员", Rank.STAFF, ["党建"]),
        ):
            self.cadre(
                home_unit=units[key],
                place=place,
                birth_years=(1975, 1995),
                rank=rank,
                position=position,
                expertise=tags,
            )
        lat, lng = self.near("4111")
        self.create_posts(
            [
                Post(
                    kind=PostKind.ENTERPRISE,
                    name="中粮面业（漯河）有限公司",
                    region=self.region("4111"),
                    unit=units["luohe-industry"],
                    industry="农副食品加工（面粉）",
                    size=EnterpriseSize.LARGE,
                    description="复工后小麦原料不足，希望派粮食局的干部协调小麦出库",
                    latitude=lat,
                    longitude=lng,
                )
            ]
        )
        self.audit_posts("漯河", 1)
        self.step("漯河：5 名干部、1 家企业")

    def weihai(self) -> None:
        """威海 "四进": 35 provincial cadres in 7 groups, 2,400 city cadres, 202 key projects (188 started)."""
        units = self.units
        jinan = _Place(
            regions=self.regions_under("3701", RegionLevel.TOWNSHIP), id_counties=catalog.ID_COUNTIES["jinan"]
        )
        for key, _name, _kind in catalog.SHANDONG_UNITS:
            for member in range(5):
                rank = Rank.DIVISION if member == 0 else self.rnd.choice(catalog.PROVINCIAL_RANKS)
                self.cadre(
                    home_unit=units[key],
                    place=jinan,
                    birth_years=(1968, 1992),
                    rank=rank,
                    position=catalog.title_for(rank, units[key].name),
                    expertise=list(catalog.SHANDONG_TAGS[key]) + self.rnd.sample(["政策", "党建", "经济"], k=1),
                    male_share=0.7,
                )
        self.step("威海：省派 35 名干部")
        weihai = _Place(
            regions=self.regions_under("3710", RegionLevel.TOWNSHIP), id_counties=catalog.ID_COUNTIES["weihai"]
        )
        weights = [share for _key, _name, _tags, share in catalog.WEIHAI_DEPARTMENTS]
        departments = self.rnd.choices(catalog.WEIHAI_DEPARTMENTS, weights=weights, k=2400)
        for key, name, tags, _share in departments:
            rank = self.rnd.choices(catalog.CITY_RANKS, weights=catalog.CITY_RANK_WEIGHTS)[0]
            self.cadre(
                home_unit=units[key],
                place=weihai,
                birth_years=(1966, 1998),
                rank=rank,
                position=catalog.title_for(rank, name),
                expertise=self.rnd.sample(tags, k=min(2, len(tags))),
                male_share=0.6,
                political_status=self.young_status(),
            )
        self.step("威海：市派 2400 名干部")

        townships = self.regions_under("3710", RegionLevel.TOWNSHIP, zones=True)
        real = ["新北洋智能终端设备产业园项目", "开沃新能源汽车生产基地项目", "农业科技园现代海洋经济示范项目"]
        names = real + self.project_names(catalog.WEIHAI_PROJECT_KINDS, 199)
        # The three projects the article names are under way; 185 of the other 199 have started too.
        others_started = [True] * 185 + [False] * 14
        self.rnd.shuffle(others_started)
        started_flags = [True] * len(real) + others_started
        projects = []
        for name, started in zip(names, started_flags, strict=True):
            region = self.region("3710") if name in real else self.rnd.choice(townships)
            lat, lng = self.near(region.code, spread=0.08)
            planned = self.date_between(date(2020, 2, 1), date(2020, 4, 30))
            projects.append(
                Post(
                    kind=PostKind.PROJECT,
                    name=name,
                    region=region,
                    unit=units["weihai-development"],
                    is_key=True,
                    investment=self.investment(5_000, 500_000),
                    stage=ProjectStage.CONSTRUCTION if started else ProjectStage.APPROVAL,
                    planned_start=planned,
                    actual_start=planned + timedelta(days=self.rnd.randrange(0, 45)) if started else None,
                    description="2020 年省市级重点项目",
                    latitude=lat,
                    longitude=lng,
                )
            )
        industry = units["weihai-industry"]
        enterprises = [
            ("迪尚医疗科技有限公司", "医用防护用品制造", EnterpriseSize.LARGE, "防护服出口订单激增，产能不足"),
            ("明池玻璃", "玻璃制品制造", EnterpriseSize.MEDIUM, "技能型人才缺口较大"),
            ("凯丽特种纸股份有限公司", "造纸和纸制品", EnterpriseSize.MEDIUM, "延期复工，发展后劲不足"),
        ]
        posts: list[Post] = list(projects)
        for name, trade, size, description in enterprises:
            lat, lng = self.near("3710")
            posts.append(
                Post(
                    kind=PostKind.ENTERPRISE,
                    name=name,
                    region=self.region("3710"),
                    unit=industry,
                    industry=trade,
                    size=size,
                    description=description,
                    latitude=lat,
                    longitude=lng,
                )
            )
        for code, households, description in (
            ("371003103211", None, "茶园缺乏管理和种植技术；三天内派来科技特派员"),
            ("371083114204", None, "“中共牟平特支”旧址修复与布展"),
            ("371073107237", None, "农民工返岗、就地就近就业"),
            ("371082101276", None, "污水处理和雨污分离"),
            ("371003108004", 3000, "3000 多户居民；健康码申领汇总从一天缩短到 10 分钟"),
            ("371003002024", None, "电脑老化，协调捐赠电脑和打印机"),
        ):
            region = self.region(code)
            name, kind = catalog.village_post_name(region.name)
            lat, lng = self.near(code)
            posts.append(
                Post(
                    kind=kind,
                    name=name,
                    region=region,
                    unit=units["weihai-civil" if kind == PostKind.COMMUNITY else "weihai-agriculture"],
                    households=households,
                    description=description,
                    latitude=lat,
                    longitude=lng,
                )
            )
        self.create_posts(posts)
        self.audit_posts("威海", len(posts))
        self.step(f"威海：{len(projects)} 个重点项目（{started_flags.count(True)} 个已开工）、3 家企业、6 个村社区")

    def dispatch(self) -> None:
        self.dispatch_summary = build_dispatch(self.units, grid_cadre=self.grid_cadre)
        self.step(f"选派：{self.dispatch_summary}")

    def ledger(self) -> None:
        """Write the ledger of the five programs, after the deployments and accounts it builds on."""
        self.create_ledger_accounts()
        self.ledger_summary = build_ledger(self.units)
        self.step(f"台账：{self.ledger_summary}")

    def appraisal(self) -> None:
        """Appraise the months the ledger recorded, then the reserve pool, promotions and merits."""
        self.appraisal_summary = build_appraisal(self.units, people=self.people)
        self.step(f"考核：{self.appraisal_summary}")

    def create_ledger_accounts(self) -> None:
        """Give accounts to the people the ledger story acts as; nobody signs in with them.

        The deployed cadres who register problems get the deployed-cadre role (their own records)
        and are linked to their cadre record, so that their problems count for them; each
        department that handles the demo's problems gets a clerk (department-staff: that
        department only) unless it has one (demo-land). The accounts have no usable password:
        the published logins are DEMO_LOGINS.
        """
        cadre_role, staff_role = self.roles["deployed-cadre"], self.roles["department-staff"]
        accounts: list[tuple[str, Unit, Role, str, Cadre | None]] = [
            (username, cadre.home_unit, cadre_role, cadre.name, cadre)
            for username, cadre in accounts_for_ledger(self.units)
        ]
        for key in STAFF_UNITS:
            if not User.objects.filter(unit=self.units[key], roles=staff_role).exists():
                clerk = self.people.name(self.people.gender())
                accounts.append((f"staff-{key}", self.units[key], staff_role, clerk, None))
        for username, unit, role, full_name, cadre in accounts:
            user = User(username=username, full_name=full_name, unit=unit)
            user.set_unusable_password()
            user.save()
            user.roles.set([role])
            audit(
                actor=None,
                action=AuditAction.CREATE,
                obj=user,
                changes={"unit": (None, unit), "roles": (None, [role.code])},
                note="demo data",
            )
            if cadre is not None:
                cadre.user = user
                cadre.save(update_fields=["user", "updated_at"])
                audit(actor=None, action=AuditAction.UPDATE, obj=cadre, changes={"user": (None, username)})
        self.step(f"台账账号：{len(accounts)} 个（干部和职能部门工作人员，不可登录）")

    # Accounts -------------------------------------------------------------------------------

    def create_users(self) -> None:
        units, roles = self.units, self.roles
        specs: list[tuple[str, Unit | None, list[str], bool]] = [
            ("demo-admin", None, ["admin"], True),
            ("demo-hubei", units["hubei"], ["leader"], False),
            ("demo-xingang", units["xingang"], ["org-department"], False),
            ("demo-zengdu", units["zengdu"], ["org-department"], False),
            ("demo-cadre", None, ["deployed-cadre"], False),
            ("demo-grid", units["weiyuankou"], ["deployed-cadre"], False),
            ("demo-land", units["huangshi-land"], ["department-staff"], False),
            ("demo-lianyungang", units["lianyungang"], ["org-department"], False),
            ("demo-luohe", units["luohe"], ["org-department"], False),
            ("demo-shandong", units["shandong"], ["leader"], False),
            ("demo-weihai", units["weihai"], ["org-department"], False),
            ("demo-auditor", units["hubei"], ["auditor"], False),
        ]
        assert [s[0] for s in specs] == [login for login, _ in DEMO_LOGINS]
        # demo-cadre is the young Zengdu cadre at the 新农湾 renovation, who settles its relocation disputes.
        young_cadre = (
            Deployment.objects.select_related("cadre__home_unit")
            .get(campaign__name=ZENGDU_CAMPAIGN, post__name=DEMO_CADRE_POST)
            .cadre
        )
        linked = {"demo-grid": self.grid_cadre, "demo-cadre": young_cadre}
        password_hash = ""
        for username, spec_unit, role_codes, is_admin in specs:
            cadre = linked.get(username)
            unit = cadre.home_unit if cadre is not None and spec_unit is None else spec_unit
            if cadre is not None:
                full_name = cadre.name
            elif is_admin:
                full_name = "系统管理员"
            else:
                full_name = self.people.name(self.people.gender())
            user = User(username=username, full_name=full_name, unit=unit, is_staff=is_admin, is_superuser=is_admin)
            # One hash for all: every demo account has the same published password, and hashing
            # ten times would cost seconds.
            if not password_hash:
                user.set_password(settings.FRONTLINE_DEMO_PASSWORD)
                password_hash = user.password
            user.password = password_hash
            user.save()
            user.roles.set([roles[code] for code in role_codes])
            audit(
                actor=None,
                action=AuditAction.CREATE,
                obj=user,
                changes={"unit": (None, unit), "roles": (None, role_codes)},
                note="demo data",
            )
            if cadre is not None:
                cadre.user = user
                cadre.save(update_fields=["user", "updated_at"])
                audit(actor=None, action=AuditAction.UPDATE, obj=cadre, changes={"user": (None, username)})
        self.step(f"账号：{len(specs)} 个（密码见 frontline demo_logins）")

    def summary(self) -> str:
        def cadres(key: str) -> int:
            return Cadre.objects.filter(home_unit__path__startswith=self.units[key].path).count()

        def posts(key: str, **filters: object) -> int:
            return Post.objects.filter(unit__path__startswith=self.units[key].path, **filters).count()

        xingang_projects = posts("xingang", kind=PostKind.PROJECT, is_key=True)
        xingang_enterprises = posts("xingang", kind=PostKind.ENTERPRISE, is_key=True)
        zengdu_big = posts("zengdu", kind=PostKind.PROJECT, investment__gte=10_000)
        zengdu_started = posts("zengdu", kind=PostKind.PROJECT, investment__gte=10_000, actual_start__isnull=False)
        weihai_key = posts("weihai", kind=PostKind.PROJECT, is_key=True)
        weihai_started = posts("weihai", kind=PostKind.PROJECT, is_key=True, actual_start__isnull=False)
        return "; ".join(
            [
                f"新港园区 {cadres('xingang')} 名干部、{xingang_projects} 个重点项目、{xingang_enterprises} 家重点企业",
                f"曾都区 {cadres('zengdu')} 名年轻干部、{zengdu_big} 个亿元以上项目（{zengdu_started} 个已开工）",
                f"连云港 {cadres('lianyungang')} 名乡镇党政正职",
                f"漯河 {cadres('luohe')} 名干部",
                f"威海 省派 {cadres('shandong') - cadres('weihai')} 名、市派 {cadres('weihai')} 名干部、"
                f"{weihai_key} 个重点项目（{weihai_started} 个已开工）",
                f"区划 {self.region_count} 个",
                f"账号 {len(DEMO_LOGINS)} 个",
                f"台账：{self.ledger_summary}",
                f"考核：{self.appraisal_summary}",
            ]
        )
