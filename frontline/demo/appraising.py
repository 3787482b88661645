"""The demo's appraisals: the seed articles' evaluations, computed from evidence, and what they led to.

- 曾都区 (seed 001): the 50 young cadres' ledger from June to October 2025 — 130+ problems of key
  projects, the enterprise and the communities solved, among them the 17 relocation disputes of
  the 新农湾 renovation settled by demo-cadre ("三代人" talks) — plus the inspection group's monthly
  visit to each cadre (看任务完成度、听企业评价、查台账记录, some of them unannounced), ratings by
  enterprises, residents and colleagues, and 40+ suggestions of which 10 were adopted. Each month is
  appraised on the six default dimensions, computed and locked; the best enter the district
  reserve-cadre pool (by the "top 10% for three months" rule, the rest by hand with a reason) and
  20 are promoted (职务提拔) and 18 others get a rank promotion (职级晋升), each citing the locked
  scores behind it.
- 连云港 (seed 002): the city's year-end "一线考察" of its 66 township heads: an inspection of each
  township's key project (看重大项目建设进展) and 400+ comments from enterprises, residents and
  Party members and cadres (听不同群体评价意见). The scheme classes totals of 80 and more as 好 and of
  60 and more as 一般; the evidence of eight heads is weaker, and the computed classes come out as
  58 好 and 8 一般 (checked after the computation, never written by hand). 15 strong heads are
  promoted (to a county or city seat held with their township post, so the registry still lists
  66 township heads) and 7 heads of twice "advanced" townships get a third-class merit.
- 新港园区 (seed 000): the red-flag ranking (红旗项目) of the 49 key projects over the four months of
  the "百日攻坚" push, progress and quality from the inspection group, service from the ledger of
  frontline.demo.ledgering; each month's ranking shows the previous month's rank and the red flags.

Everything goes through the appraisal, talent and ledger services (validated and audited), the
periods are computed by calling `period_compute` directly (not through the task queue). Services
stamp rows with the current time; as in frontline.demo.ledgering, those timestamps are moved to the
story's dates once everything is written (problems by the ledger story's own `settle`, evidence
rows here), before the months are computed.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from frontline.appraisal.models import (
    AppraisalPeriod,
    CadreScore,
    InputSource,
    Inspection,
    Normalization,
    PeriodStatus,
    ProjectAssessment,
    RaterKind,
    StakeholderRating,
    Suggestion,
)
from frontline.appraisal.services import (
    DimensionData,
    InputData,
    InspectionData,
    ProjectScoreData,
    RatingData,
    inspections_record,
    period_compute,
    period_create,
    period_lock,
    project_assessments_record,
    scheme_create,
    stakeholder_ratings_record,
    suggestion_adopt,
    suggestion_create,
)
from frontline.cadres.models import Cadre, Rank
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, Role, User
from frontline.demo.dispatching import LIANYUNGANG_CAMPAIGN, XINGANG_CAMPAIGN, ZENGDU_CAMPAIGN
from frontline.demo.ledgering import TZ, _Ledger, _Story, settle_notifications
from frontline.demo.people import PersonGenerator
from frontline.dispatch.models import Campaign, Deployment
from frontline.ledger.models import Problem, ProblemSource, RequesterKind
from frontline.ledger.reference import ensure_reference_data
from frontline.ledger.workdays import is_working_day
from frontline.org.models import Unit
from frontline.posts.models import Post, PostKind
from frontline.talent.models import MeritKind, PromotionKind
from frontline.talent.services import (
    MeritData,
    PromotionData,
    merit_create,
    promotion_create,
    reserve_entry_transition,
    reserve_nominate,
    reserve_nominate_by_rule,
)

SEED = 2025_12
DEMO_CADRE_POST = "新农湾改造项目"

ZENGDU_MONTHS = [date(2025, month, 1) for month in (6, 7, 8, 9, 10)]
ZENGDU_LAST_DAY = date(2025, 10, 31)  # "截至10月底"
RELOCATION_DISPUTES = 17
ZENGDU_OTHER_PROBLEMS = 119  # 136 in all: "130余项"
SUGGESTIONS, ADOPTED = 42, 10
PROMOTED, RANK_PROMOTED = 20, 18
ZENGDU_DEPARTMENTS = ("zengdu-housing", "zengdu-industry", "zengdu-development", "zengdu-land", "zengdu-hr")

LIANYUNGANG_MONTH = date(2025, 11, 1)
STRONG, AVERAGE = 58, 8
LIANYUNGANG_RATINGS = 412  # "收集评价建议400余条"
LIANYUNGANG_PROMOTED, THIRD_CLASS_MERITS = 15, 7
ARTICLE_TOWNSHIPS = ("高公岛街道", "燕尾港镇", "柘汪镇")

XINGANG_MONTHS = [date(2025, month, 1) for month in (4, 5, 6, 7)]  # the "百日攻坚" push, 4/1–7/9


def build_appraisal(units: dict[str, Unit], *, people: PersonGenerator | None = None) -> str:
    """Write the evidence, compute and lock the months, then the pool, promotions and merits."""
    ensure_reference_data()
    rnd = random.Random(SEED)  # noqa: S311 (reproducible, not secret)
    people = people or PersonGenerator(rnd)
    parts = [
        _Zengdu(units, rnd, people).build(),
        _Lianyungang(units, rnd, people).build(),
        _Xingang(units, rnd).build(),
    ]
    return "；".join(parts)


# --- Shared helpers ------------------------------------------------------------------------------


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _account(username: str, unit: Unit, role: Role, full_name: str, cadre: Cadre | None = None) -> User:
    """Create a demo account nobody signs in with (no usable password), audited like the others."""
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
    return user


def _moment(rnd: random.Random, day: date, first_hour: int = 9, last_hour: int = 17) -> datetime:
    return datetime.combine(day, time(rnd.randint(first_hour, last_hour - 1), rnd.randrange(0, 60)), tzinfo=TZ)


def _month_days(month: date, *, last: date | None = None) -> list[date]:
    days = []
    day = month
    while day.month == month.month and (last is None or day <= last):
        days.append(day)
        day += timedelta(days=1)
    return days


def _compute_and_lock(period: AppraisalPeriod, actor: User) -> AppraisalPeriod:
    computed = period_compute(period_id=period.pk)
    if computed.status != PeriodStatus.COMPUTED:
        raise ApplicationError(f"{computed} 计算失败：{computed.error}", code="demo_compute")
    return period_lock(actor=actor, period=computed, expected_version=computed.version)


def _settle(rows: list[tuple[Any, str, datetime]], model: Any) -> None:
    """Move each row's service-stamped time `field` to the story's moment."""
    by_field: dict[str, list[Any]] = {}
    for row, name, moment in rows:
        setattr(row, name, moment)
        by_field.setdefault(name, []).append(row)
    for name, objs in by_field.items():
        model.objects.bulk_update(objs, [name], batch_size=500)


# --- 曾都区 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trouble:
    """A typical problem of a Zengdu post, the department that fixes it, and how."""

    category: str
    department: str
    title: str
    description: str
    plan: str
    resolution: str


PROJECT_TROUBLES = [
    Trouble(
        "land-approval",
        "zengdu-land",
        "项目用地报批材料反复退回",
        "{post}用地报批材料因勘测定界图与规划条件不一致，被退回两次，企业担心影响开工节点。",
        "一个难题、一套方案：年轻干部陪同企业到自然资源和规划局逐项核对，列出补正清单，倒排报批时间。",
        "勘测定界图已重新测绘，用地报批材料一次性通过审查。",
    ),
    Trouble(
        "planning-construction",
        "zengdu-housing",
        "施工许可证办理卡在图审环节",
        "{post}施工图审查意见多次往返，施工许可证迟迟办不下来，施工队伍已进场待命。",
        "一个难题、一套方案：协调住建部门开展图审“预审+容缺”，设计单位驻场修改。",
        "施工图审查合格，施工许可证已核发，项目按期开工。",
    ),
    Trouble(
        "infrastructure",
        "zengdu-development",
        "项目外部供电线路未接入",
        "{post}厂区外部 10 千伏供电线路尚未接入，设备调试只能靠临时发电。",
        "一个难题、一套方案：发改部门牵头召集供电公司现场办公，明确线路路径和接电时限。",
        "外部供电线路已架设完成并送电，设备进入联调。",
    ),
    Trouble(
        "financing",
        "zengdu-development",
        "项目建设资金缺口需对接银行",
        "{post}二期建设资金缺口约 {amount} 万元，企业希望对接项目贷款。",
        "一个难题、一套方案：梳理项目资料，组织银企对接会，推荐申报重点项目融资清单。",
        "合作银行已审批项目贷款 {amount} 万元，首笔资金到位。",
    ),
    Trouble(
        "labour-hiring",
        "zengdu-hr",
        "项目投产前技术工人招聘困难",
        "{post}投产前需招聘技术工人约 {workers} 名，招聘会效果不理想。",
        "一个难题、一套方案：人社部门开设专场招聘，联系职业院校订单式培养。",
        "专场招聘会签约技术工人 {workers} 名，已到岗培训。",
    ),
    Trouble(
        "policy-application",
        "zengdu-industry",
        "技改补贴申报材料不会准备",
        "{post}计划申报省级技改补贴，企业对申报口径和材料要求不熟悉。",
        "一个难题、一套方案：科经部门上门解读政策，年轻干部逐项帮企业准备材料。",
        "技改补贴申报材料已按时报送，并通过区级初审。",
    ),
]

ENTERPRISE_TROUBLES = [
    Trouble(
        "talent",
        "zengdu-hr",
        "研发和技术岗位人才引进难",
        "{post}新能源专用车研发、电控等岗位缺人，外地人才来随州意愿不强。",
        "一个难题、一套方案：对接高校和人才引进政策，协助办理人才公寓和安家补贴。",
        "协助引进技术人才 {workers} 名，人才公寓已入住。",
    ),
    Trouble(
        "market-orders",
        "zengdu-industry",
        "新产品缺少意向客户",
        "{post}新推出的专用车型缺少意向客户，希望拓展市场渠道。",
        "一个难题、一套方案：绘制客户需求图谱，组织产销对接会，上门走访潜在客户。",
        "对接意向客户 25 家，签订首批订单。",
    ),
    Trouble(
        "raw-materials",
        "zengdu-industry",
        "关键零部件供应不稳定",
        "{post}底盘和电池包等关键零部件到货不稳定，影响排产。",
        "一个难题、一套方案：协调产业集群内配套企业，建立本地供应清单。",
        "与 3 家本地配套企业签订供货协议，排产恢复正常。",
    ),
]

COMMUNITY_TROUBLES = [
    Trouble(
        "property-management",
        "zengdu-housing",
        "老旧小区无物业，楼道照明损坏",
        "{post}老旧小区没有物业，楼道照明和单元门长期损坏，居民出行不便。",
        "一个难题、一套方案：入户征求意见，协调住建部门纳入老旧小区改造微更新清单。",
        "楼道照明和单元门已修复，小区引入准物业管理。",
    ),
    Trouble(
        "neighbourhood-dispute",
        "zengdu-housing",
        "楼上漏水引发邻里矛盾",
        "{post}一户居民家中卫生间漏水殃及楼下，双方多次争吵，诉求调解。",
        "一个难题、一套方案：网格员上门查看，请住建部门专业人员鉴定原因，组织双方协商。",
        "漏水点已维修，双方达成赔偿协议，矛盾化解。",
    ),
    Trouble(
        "livelihood",
        "zengdu-hr",
        "困难家庭就业和医保缴费问题",
        "{post}一户困难家庭两名成员失业，医保缴费中断，希望得到帮助。",
        "一个难题、一套方案：入户摸清情况，协调人社部门推荐公益性岗位，办理医保缴费资助。",
        "一人已上岗公益性岗位，医保缴费资助已办理。",
    ),
]

RELOCATION = Trouble(
    "relocation",
    "zengdu-housing",
    "新农湾改造征迁户{n}号补偿安置分歧",
    "新农湾改造项目{n}号户一家三代对补偿安置方案意见不一，迟迟不签协议，影响项目进度。",
    "一个难题、一套方案：用“三代人”沟通法，请长辈讲感情、同辈讲利益、晚辈讲政策，住建部门现场答疑。",
    "经三代人逐一沟通，{n}号户签订补偿安置协议，已腾房交地。",
)

INSPECTION_NOTES = [
    "看任务完成度：{post}本月节点任务{done}；听企业评价：服务对象反映干部“跑得勤、办得实”；查台账记录：问题台账记录完整。",
    "看任务完成度：{post}月度任务{done}；听企业评价：企业负责人认可；查台账记录：问题和解决方案一一对应。",
    "看任务完成度：{post}工作推进{done}；听企业评价：群众评价较好；查台账记录：走访记录需进一步细化。",
    "四不两直：直奔{post}现场，任务{done}，台账与现场情况一致。",
]

STAKEHOLDER_COMMENTS = {
    RaterKind.ENTERPRISE: [
        "问题不过夜，协调部门很给力。",
        "跑手续比我们自己还上心。",
        "帮我们对接了银行和供电公司。",
        "政策讲得清楚，申报材料手把手指导。",
        "有事找他，电话随时都能打通。",
        "服务热情，办事效率还可以再提高。",
        "",
    ],
    RaterKind.RESIDENT: [
        "入户走访很耐心，说话实在。",
        "楼道的灯终于修好了，感谢。",
        "调解邻里矛盾公道。",
        "年轻人肯吃苦，天天在社区。",
        "办事有回音，群众放心。",
        "",
    ],
    RaterKind.COLLEAGUE: [
        "工作主动，善于协调。",
        "台账清楚，材料扎实。",
        "能吃苦，敢啃硬骨头。",
        "思路开阔，肯动脑筋。",
        "",
    ],
}

SUGGESTION_TOPICS = [
    ("关于推行重点项目审批“容缺受理”的建议", "对重点项目非关键材料实行容缺受理、限时补正，缩短审批周期。"),
    ("关于建立项目用电用水“提前介入”机制的建议", "项目签约后供电、供水单位即提前介入，避免投产前等接入。"),
    ("关于新能源专用车产业链招商的建议", "围绕专用汽车产业集群补链延链，编制配套企业招商图谱。"),
    ("关于老旧小区“准物业”管理的建议", "由社区牵头、居民自治组织准物业服务，解决无物业小区管理难题。"),
    ("关于征迁工作“三代人”沟通法的推广建议", "总结征迁中长辈讲感情、同辈讲利益、晚辈讲政策的做法，在全区征迁中推广。"),
    ("关于银杏谷民宿集群运营的建议", "引入专业运营团队，统一品牌、统一营销，带动村集体增收。"),
    ("关于设立企业服务“一线专员”的建议", "为重点企业固定联系干部，建立问题清单、销号管理。"),
    ("关于年轻干部一线调研成果转化的建议", "建立调研报告转化台账，明确责任单位和时限。"),
    ("关于重点项目周调度机制的建议", "每周梳理重点项目难题清单，区领导现场调度。"),
    ("关于技能人才订单式培养的建议", "与职业院校合作开设订单班，定向输送企业急需技工。"),
    ("关于社区网格员减负的建议", "整合各类报表，推行一表通，让网格员把时间用在入户上。"),
    ("关于“拿地即开工”改革的建议", "推行模拟审批，项目拿地后即可办理施工许可。"),
    ("关于招商项目开工率考核的建议", "把签约项目开工率、入库率纳入部门考核，定期通报。"),
    ("关于工业园区标准厂房建设的建议", "适度超前建设标准厂房，满足中小企业快速投产需要。"),
]

# How each department's clerk is called in the demo (department-staff: that department only).
STAFF_USERNAME = "staff-{key}"


class _ZengduLedger(_Ledger):
    """The ledger story machinery (timeline times, settling) of frontline.demo.ledgering, for Zengdu."""

    def __init__(self, *, units: dict[str, Unit], now: datetime, rnd: random.Random, clerks: dict[str, User]) -> None:
        super().__init__(units=units, now=now)
        self.rnd = rnd
        self.staff.update(clerks)


class _Zengdu:
    def __init__(self, units: dict[str, Unit], rnd: random.Random, people: PersonGenerator) -> None:
        self.units = units
        self.rnd = rnd
        self.people = people
        self.office = _user("demo-zengdu")
        self.campaign = Campaign.objects.get(name=ZENGDU_CAMPAIGN)
        self.deployments = list(
            Deployment.objects.filter(campaign=self.campaign)
            .select_related("cadre__home_unit", "cadre__user", "post", "role")
            .order_by("pk")
        )
        # How strong each cadre's frontline work is: it drives the evidence, never the scores directly.
        self.strength: dict[int, float] = {}

    def build(self) -> str:
        self.accounts()
        cadres = [d.cadre for d in self.deployments]
        for cadre in cadres:
            self.strength[cadre.pk] = round(self.rnd.betavariate(2.2, 1.6), 3)
        demo = next(d.cadre for d in self.deployments if d.post.name == DEMO_CADRE_POST)
        self.strength[demo.pk] = 0.97
        solved = self.problems(demo)
        inspections = self.inspections()
        ratings = self.ratings()
        adopted = self.suggestions()
        scheme = scheme_create(actor=self.office, campaign=self.campaign, name="年轻干部一线量化考评")
        periods = []
        for month in ZENGDU_MONTHS:
            period = period_create(actor=self.office, scheme=scheme, start_date=month)
            periods.append(_compute_and_lock(period, self.office))
        pool = self.reserve_pool()
        promoted, rank_promoted = self.promotions(periods)
        return (
            f"曾都区 {len(periods)} 个月度考核（{len(cadres)} 名干部、6 个维度），"
            f"解决问题 {solved} 个、督查 {inspections} 次、服务对象评价 {ratings} 条、"
            f"建议 {SUGGESTIONS} 条采纳 {adopted} 条，后备干部库 {pool} 人，"
            f"提拔 {promoted} 人、职级晋升 {rank_promoted} 人"
        )

    # Accounts -----------------------------------------------------------------------------------

    def accounts(self) -> None:
        """Each young cadre registers their own problems; each department has a clerk; the
        organization department's head approves the reserve pool (the office nominates)."""
        roles = {
            r.code: r for r in Role.objects.filter(code__in=["deployed-cadre", "department-staff", "org-department"])
        }
        for n, deployment in enumerate(self.deployments, start=1):
            cadre = deployment.cadre
            if cadre.user_id is None:
                _account(f"zd-cadre-{n:02d}", cadre.home_unit, roles["deployed-cadre"], cadre.name, cadre)
        self.clerks = {}
        for key in ZENGDU_DEPARTMENTS:
            unit = self.units[key]
            existing = User.objects.filter(unit=unit, roles__code="department-staff").order_by("pk").first()
            self.clerks[key] = existing or _account(
                STAFF_USERNAME.format(key=key), unit, roles["department-staff"], self.people.name(self.people.gender())
            )
        self.head = _account(
            "zd-org-head", self.units["zengdu"], roles["org-department"], self.people.name(self.people.gender())
        )
        self.deployments = list(
            Deployment.objects.filter(campaign=self.campaign)
            .select_related("cadre__home_unit", "cadre__user", "post", "role")
            .order_by("pk")
        )

    # The ledger -------------------------------------------------------------------------------

    def problems(self, demo: Cadre) -> int:
        ledger = _ZengduLedger(units=self.units, now=timezone.now(), rnd=self.rnd, clerks=self.clerks)
        by_cadre = {d.cadre.pk: d for d in self.deployments}
        for n in range(1, RELOCATION_DISPUTES + 1):
            month = ZENGDU_MONTHS[min((n - 1) // 4, 3)]
            self.problem(ledger, by_cadre[demo.pk], RELOCATION, month, number=n)
        weights = [(0.15 + self.strength[d.cadre.pk]) ** 2 for d in self.deployments]
        for _n in range(ZENGDU_OTHER_PROBLEMS):
            deployment = self.rnd.choices(self.deployments, weights=weights)[0]
            post = deployment.post
            if post.kind == PostKind.PROJECT:
                trouble = self.rnd.choice(PROJECT_TROUBLES)
            elif post.kind == PostKind.ENTERPRISE:
                trouble = self.rnd.choice(ENTERPRISE_TROUBLES)
            else:
                trouble = self.rnd.choice(COMMUNITY_TROUBLES)
            self.problem(ledger, deployment, trouble, self.rnd.choice(ZENGDU_MONTHS))
        ledger.settle()
        ids = [story.problem.pk for story in ledger.stories]
        transaction.on_commit(partial(settle_notifications, ids))
        return Problem.objects.filter(pk__in=ids, resolved_at__isnull=False).count()

    def problem(
        self, ledger: _ZengduLedger, deployment: Deployment, trouble: Trouble, month: date, number: int = 0
    ) -> _Story:
        """Register, hand over, accept, report, resolve and rate one problem inside the months."""
        cadre, post = deployment.cadre, deployment.post
        assert cadre.user is not None
        strength = self.strength[cadre.pk]
        complex_case = ledger.categories[trouble.category].is_complex
        late = self.rnd.random() < (1 - strength) * (0.2 if complex_case else 0.4)
        if complex_case:
            duration = self.rnd.randint(31, 34) if late else self.rnd.randint(6, 20)
        else:
            duration = self.rnd.randint(8, 10) if late else self.rnd.randint(1, 6)
        working = [d for d in _month_days(month) if is_working_day(d, ledger.calendar)]
        while True:
            day = self.rnd.choice(working)
            resolved_day = ledger.workday_after(day, duration)
            rated_day = resolved_day + timedelta(days=self.rnd.choice([1, 1, 2]))
            if rated_day <= ZENGDU_LAST_DAY:
                break
            working = [d for d in working if d < day]
            if not working:  # too late in October for this one: it came up a month earlier
                month = (month - timedelta(days=1)).replace(day=1)
                working = [d for d in _month_days(month) if is_working_day(d, ledger.calendar)]
        values = {
            "post": post.name,
            "n": number,
            "amount": self.rnd.choice([2000, 3000, 5000, 8000]),
            "workers": self.rnd.choice([12, 20, 30, 45]),
        }
        if post.kind == PostKind.PROJECT and trouble is not RELOCATION:
            requester_kind, requester = RequesterKind.PROJECT, f"{post.name}业主单位"
        elif post.kind == PostKind.ENTERPRISE:
            requester_kind, requester = RequesterKind.ENTERPRISE, post.name
        else:
            requester_kind, requester = RequesterKind.RESIDENT, f"{self.people.name(self.people.gender())}"
        registered = ledger.some_time(day, 9, 17)
        story = ledger.register(
            cadre.user,
            registered,
            post=post,
            category=trouble.category,
            title=trouble.title.format(**values),
            description=trouble.description.format(**values),
            plan=trouble.plan,
            requester_kind=requester_kind,
            requester_name=requester,
            source=ProblemSource.VISIT,
        )
        handed_over = ledger.minutes_later(registered, 10, 40)
        if self.rnd.random() < 0.55 + 0.45 * strength and handed_over.hour < 17:
            accepted = ledger.minutes_later(handed_over, 15, 90)
        else:
            accepted = ledger.some_time(ledger.workday_after(day), 8, 10)
        updates: list[tuple[datetime, str]] = []
        progress_day = ledger.workday_after(accepted.date())
        if complex_case and progress_day < resolved_day:  # long cases report progress on the way
            updates.append((ledger.some_time(progress_day, 9, 18), "已现场对接，正按方案推进。"))
        ledger.handle(
            story,
            registrar=cadre.user,
            department=trouble.department,
            handed_over=handed_over,
            accepted=accepted,
            updates=updates,
            resolved=ledger.some_time(resolved_day, 10, 18),
            resolution=trouble.resolution.format(**values),
            hand_over_note="问题不过夜：当天交办。",
        )
        score = 5 if self.rnd.random() < 0.35 + 0.6 * strength else 4
        comment = self.rnd.choice(["满意，感谢年轻干部跑前跑后。", "办得快，有回音。", "", ""])
        ledger.rate(story, ledger.some_time(rated_day, 9, 18), score, comment)
        return story

    # Evidence outside the ledger ------------------------------------------------------------------

    def inspections(self) -> int:
        """The inspection group visits every cadre once a month, a third of the visits unannounced."""
        visits: list[InspectionData] = []
        moments: list[datetime] = []
        for month in ZENGDU_MONTHS:
            days = [d for d in _month_days(month) if d.weekday() < 5 and d.day >= 15]
            for deployment in self.deployments:
                strength = self.strength[deployment.cadre.pk]

                def sub(base: float, strength: float = strength) -> int:
                    return max(50, min(100, round(base + 30 * strength + self.rnd.gauss(0, 4))))

                day = self.rnd.choice(days)
                unannounced = self.rnd.random() < 0.35
                done = "全部完成" if strength > 0.6 else "基本完成" if strength > 0.3 else "部分滞后"
                note = (INSPECTION_NOTES[3] if unannounced else self.rnd.choice(INSPECTION_NOTES[:3])).format(
                    post=deployment.post.name, done=done
                )
                visits.append(
                    InspectionData(
                        cadre=deployment.cadre,
                        inspected_on=day,
                        task_completion=sub(66),
                        enterprise_evaluation=sub(64),
                        ledger_check=sub(62),
                        unannounced=unannounced,
                        notes=note,
                    )
                )
                moments.append(_moment(self.rnd, day, 15, 19))
        inspections = inspections_record(actor=self.office, campaign=self.campaign, rows=visits)
        _settle([(row, "created_at", moment) for row, moment in zip(inspections, moments, strict=True)], Inspection)
        return len(inspections)

    def ratings(self) -> int:
        """Enterprises (at projects and the enterprise), residents (in communities) and colleagues."""
        given: list[RatingData] = []
        moments: list[datetime] = []
        for month in ZENGDU_MONTHS:
            days = _month_days(month)
            for deployment in self.deployments:
                strength = self.strength[deployment.cadre.pk]
                served = (
                    RaterKind.RESIDENT
                    if deployment.post.kind in (PostKind.VILLAGE, PostKind.COMMUNITY)
                    else RaterKind.ENTERPRISE
                )
                kinds = [served] + ([RaterKind.COLLEAGUE] if self.rnd.random() < 0.3 else [])
                for kind in kinds:
                    roll = self.rnd.random()
                    score = 5 if roll < 0.2 + 0.7 * strength else 4 if roll < 0.9 + 0.1 * strength else 3
                    day = self.rnd.choice(days)
                    rater = (
                        deployment.post.name
                        if kind == RaterKind.ENTERPRISE and deployment.post.kind == PostKind.ENTERPRISE
                        else f"{deployment.post.name}业主单位"
                        if kind == RaterKind.ENTERPRISE
                        else f"{deployment.post.name}居民"
                        if kind == RaterKind.RESIDENT
                        else f"{deployment.cadre.home_unit.name}同事"
                    )
                    given.append(
                        RatingData(
                            cadre=deployment.cadre,
                            rater_kind=kind,
                            score=score,
                            rated_on=day,
                            comment=self.rnd.choice(STAKEHOLDER_COMMENTS[kind]),
                            rater_name=rater,
                        )
                    )
                    moments.append(_moment(self.rnd, day))
        ratings = stakeholder_ratings_record(actor=self.office, campaign=self.campaign, rows=given)
        _settle([(row, "created_at", moment) for row, moment in zip(ratings, moments, strict=True)], StakeholderRating)
        return len(ratings)

    def suggestions(self) -> int:
        """40+ suggestions on the key projects, 10 adopted by the district (the strongest ones)."""
        weights = [0.2 + self.strength[d.cadre.pk] for d in self.deployments]
        made: list[tuple[Suggestion, float, date]] = []
        submitted: list[tuple[Any, str, datetime]] = []
        for n in range(SUGGESTIONS):
            deployment = self.rnd.choices(self.deployments, weights=weights)[0]
            cadre = deployment.cadre
            title, content = SUGGESTION_TOPICS[n % len(SUGGESTION_TOPICS)]
            if n >= len(SUGGESTION_TOPICS):
                title = title.replace("的建议", f"的建议（{deployment.post.name}）")[:100]
            day = self.rnd.choice([d for month in ZENGDU_MONTHS[:4] for d in _month_days(month) if d.weekday() < 5])
            suggestion = suggestion_create(actor=cadre.user, cadre=cadre, title=title, content=content)
            submitted.append((suggestion, "submitted_at", _moment(self.rnd, day)))
            made.append((suggestion, self.strength[cadre.pk] + self.rnd.random() * 0.3, day))
        _settle(submitted, Suggestion)
        adopted: list[tuple[Any, str, datetime]] = []
        for suggestion, _merit, day in sorted(made, key=lambda m: -m[1])[:ADOPTED]:
            adopted_day = min(day + timedelta(days=self.rnd.randint(10, 30)), ZENGDU_LAST_DAY)
            row = suggestion_adopt(actor=self.office, suggestion=suggestion, note="区委区政府采纳，转化为具体措施。")
            adopted.append((row, "adopted_at", _moment(self.rnd, adopted_day)))
        _settle(adopted, Suggestion)
        return len(adopted)

    # Results --------------------------------------------------------------------------------------

    def ranked(self) -> list[tuple[Cadre, float]]:
        """The cadres by their mean locked total over the months, best first."""
        means = dict(
            CadreScore.objects.filter(period__scheme__campaign=self.campaign, period__status=PeriodStatus.LOCKED)
            .values("cadre_id")
            .annotate(mean=Avg("total"))
            .values_list("cadre_id", "mean")
        )
        deployed = {d.cadre.pk for d in self.deployments}
        order = [pk for pk in sorted(means, key=lambda pk: (-float(means[pk]), pk)) if pk in deployed]
        cadres = Cadre.objects.select_related("home_unit", "user").in_bulk(order)
        return [(cadres[pk], float(means[pk])) for pk in order]

    def reserve_pool(self) -> int:
        """The rule's candidates first, then the next best by hand with the reason; the head approves."""
        by_rule = reserve_nominate_by_rule(
            actor=self.office,
            campaign=self.campaign,
            cadre_ids=[d.cadre.pk for d in self.deployments],
            months=3,
            top_share=Decimal("0.10"),
        )
        entries = list(by_rule.created)
        nominated = {e.cadre_id for e in entries}
        for cadre, mean in self.ranked():
            if len(entries) >= PROMOTED + 4:
                break
            if cadre.pk in nominated:
                continue
            entries.append(
                reserve_nominate(
                    actor=self.office,
                    cadre=cadre,
                    reason=f"2025年6—10月月度量化考评平均 {mean:.1f} 分，位居 50 名年轻干部前列；一线实绩突出。",
                    campaign=self.campaign,
                )
            )
        for entry in entries:
            reserve_entry_transition(
                actor=self.head, entry=entry, action="approve", note="经区委组织部部务会研究，同意纳入区管后备干部库。"
            )
        return len(entries)

    def promotions(self, periods: list[AppraisalPeriod]) -> tuple[int, int]:
        from frontline.talent.models import ReservePoolEntry, ReserveStatus

        ranked = self.ranked()
        in_pool = {
            e.cadre_id: e
            for e in ReservePoolEntry.objects.filter(cadre__in=[c for c, _m in ranked], status=ReserveStatus.APPROVED)
        }
        promoted = [(c, m) for c, m in ranked if c.pk in in_pool][:PROMOTED]
        chosen = {c.pk for c, _m in promoted}
        rank_promoted = [(c, m) for c, m in ranked if c.pk not in chosen][:RANK_PROMOTED]
        day = date(2025, 11, 20)
        for n, (cadre, mean) in enumerate(promoted, start=1):
            scores = list(CadreScore.objects.filter(cadre=cadre, period__in=periods[-3:]).select_related("period"))
            new_post = f"{cadre.home_unit.name.removeprefix('曾都区')}{'副主任' if n % 2 else '副科长'}"
            promotion_create(
                actor=self.office,
                cadre=cadre,
                data=PromotionData(
                    kind=PromotionKind.POSITION,
                    effective_on=day + timedelta(days=n % 5),
                    decision_body="中共曾都区委常委会",
                    decision_ref=f"曾组干〔2025〕{40 + n}号",
                    evidence=self.evidence_text(cadre, mean),
                    to_position=new_post,
                    to_rank=Rank.DEPUTY_SECTION if cadre.rank < Rank.DEPUTY_SECTION else None,
                    scores=scores,
                    reserve_entry=in_pool[cadre.pk],
                ),
            )
        for n, (cadre, mean) in enumerate(rank_promoted, start=1):
            cadre.refresh_from_db()
            scores = list(CadreScore.objects.filter(cadre=cadre, period__in=periods[-3:]).select_related("period"))
            to_rank, title = (
                (Rank.DEPUTY_SECTION, "四级主任科员")
                if cadre.rank < Rank.DEPUTY_SECTION
                else (Rank.SECTION, "二级主任科员")
            )
            promotion_create(
                actor=self.office,
                cadre=cadre,
                data=PromotionData(
                    kind=PromotionKind.RANK,
                    effective_on=date(2025, 12, 1) + timedelta(days=n % 7),
                    decision_body="中共曾都区委组织部",
                    decision_ref=f"曾组职〔2025〕{10 + n}号",
                    evidence=self.evidence_text(cadre, mean),
                    to_position=title,
                    to_rank=to_rank,
                    scores=scores,
                ),
            )
        return len(promoted), len(rank_promoted)

    def evidence_text(self, cadre: Cadre, mean: float) -> str:
        solved = Problem.objects.filter(cadre=cadre, resolved_at__isnull=False).count()
        adopted = Suggestion.objects.filter(cadre=cadre, adopted=True).count()
        text = f"2025年6—10月一线量化考评平均 {mean:.1f} 分；办结台账问题 {solved} 个"
        if adopted:
            text += f"，意见建议被区委区政府采纳 {adopted} 条"
        return text + "。"


# --- 连云港 ----------------------------------------------------------------------------------------

LYG_COMMENTS = {
    RaterKind.ENTERPRISE: {
        "good": [
            "书记亲自跑项目，审批卡点当周就协调到位。",
            "镇长每月上门走访，企业有难事找得到人。",
            "营商环境明显改善，“企服中心”一站办结。",
            "招商时承诺的事情都兑现了。",
            "项目用地用海审批有人全程帮办。",
            "对企业诉求回应快，讲信用。",
        ],
        "weak": [
            "反映的问题有回应，但推进偏慢。",
            "走访次数少，企业困难了解不够。",
            "承诺的配套道路至今没有动静。",
            "办事要跑好几趟，希望更主动些。",
        ],
    },
    RaterKind.RESIDENT: {
        "good": [
            "村里的路修好了，产业也起来了。",
            "干部常到村里来，群众有话愿意说。",
            "矛盾纠纷化解得及时，处事公道。",
            "人居环境整治效果明显。",
            "网络舆情处理得当，及时回应群众关切。",
            "乡村振兴项目带动了村集体增收。",
        ],
        "weak": [
            "群众反映的问题解决得不够彻底。",
            "下村少，对村里情况不太熟悉。",
            "环境整治时紧时松。",
            "信访件回复比较慢。",
        ],
    },
    RaterKind.COLLEAGUE: {
        "good": [
            "敢担当，重大项目攻坚冲在一线。",
            "抓班子带队伍有办法。",
            "招商引资思路清、办法多。",
            "处置突发舆情沉着果断。",
            "善于协调，能团结班子成员干事。",
        ],
        "weak": [
            "工作按部就班，开拓创新不足。",
            "抓落实的力度有待加强。",
            "对重点工作统筹不够。",
        ],
    },
}
LYG_RATER_NAMES = {
    RaterKind.ENTERPRISE: ["企业负责人", "园区入驻企业", "项目业主单位", "个体工商户"],
    RaterKind.RESIDENT: ["村民代表", "社区居民", "网格员", "老党员"],
    RaterKind.COLLEAGUE: ["镇村党员干部", "班子成员", "县直部门干部", "村党组织书记"],
}


class _Lianyungang:
    def __init__(self, units: dict[str, Unit], rnd: random.Random, people: PersonGenerator) -> None:
        self.units = units
        self.rnd = rnd
        self.people = people
        self.office = _user("demo-lianyungang")
        self.campaign = Campaign.objects.get(name=LIANYUNGANG_CAMPAIGN)
        self.deployments = list(
            Deployment.objects.filter(campaign=self.campaign).select_related("cadre__home_unit", "post").order_by("pk")
        )

    def build(self) -> str:
        heads = [d.cadre for d in self.deployments]
        average = set(self.rnd.sample([c.pk for c in heads], k=AVERAGE))
        days = [d for d in _month_days(LIANYUNGANG_MONTH) if d.weekday() < 5]
        visits: list[InspectionData] = []
        visited: list[datetime] = []
        for deployment in self.deployments:
            weak = deployment.cadre.pk in average
            low, high = (66, 78) if weak else (84, 97)
            day = self.rnd.choice(days)
            unannounced = self.rnd.random() < 0.5
            progress = "进度滞后于年度计划" if weak else "形象进度达到或超过年度计划"
            visits.append(
                InspectionData(
                    cadre=deployment.cadre,
                    inspected_on=day,
                    task_completion=self.rnd.randint(low, high),
                    enterprise_evaluation=self.rnd.randint(low, high),
                    ledger_check=self.rnd.randint(low, high),
                    unannounced=unannounced,
                    notes=(
                        f"{'四不两直' if unannounced else '一线考察'}：看重大项目建设进展，"
                        f"{deployment.post.name}{progress}；问项目建设过程存在难题，已记录并帮助协调。"
                    ),
                )
            )
            visited.append(_moment(self.rnd, day, 14, 19))
        inspections = inspections_record(actor=self.office, campaign=self.campaign, rows=visits)
        _settle([(row, "created_at", moment) for row, moment in zip(inspections, visited, strict=True)], Inspection)

        # Every head is heard by each group at least once, then the rest of the 400+ comments.
        plan = [
            (d, kind)
            for d in self.deployments
            for kind in (RaterKind.ENTERPRISE, RaterKind.RESIDENT, RaterKind.COLLEAGUE)
        ]
        plan += [
            (self.rnd.choice(self.deployments), self.rnd.choice(list(LYG_COMMENTS)))
            for _n in range(LIANYUNGANG_RATINGS - len(plan))
        ]
        comments: list[RatingData] = []
        commented: list[datetime] = []
        # Per head and group, the better score never falls behind the lesser one: a strong head's
        # comments average at least 4.5 (87.5 points), a weaker head's between 3.5 and 4.
        given: dict[tuple[int, str], list[int]] = {}
        for deployment, kind in plan:
            weak = deployment.cadre.pk in average
            better, lesser = (4, 3) if weak else (5, 4)
            so_far = given.setdefault((deployment.cadre.pk, kind), [])
            if so_far.count(better) <= so_far.count(lesser):
                score = better
            else:
                score = lesser if self.rnd.random() < (0.5 if weak else 0.35) else better
            so_far.append(score)
            tone = "weak" if score <= 3 else "good"
            day = self.rnd.choice(days)
            comments.append(
                RatingData(
                    cadre=deployment.cadre,
                    rater_kind=kind,
                    score=score,
                    rated_on=day,
                    comment=self.rnd.choice(LYG_COMMENTS[kind][tone]),
                    rater_name=self.rnd.choice(LYG_RATER_NAMES[kind]),
                )
            )
            commented.append(_moment(self.rnd, day))
        ratings = stakeholder_ratings_record(actor=self.office, campaign=self.campaign, rows=comments)
        _settle(
            [(row, "created_at", moment) for row, moment in zip(ratings, commented, strict=True)], StakeholderRating
        )

        scheme = scheme_create(
            actor=self.office,
            campaign=self.campaign,
            name="乡镇党政正职一线考察评价",
            dimensions=self.dimensions(),
            bands=[
                {"code": "strong", "label": "好", "min_score": 80},
                {"code": "average", "label": "一般", "min_score": 60},
                {"code": "weak", "label": "较差", "min_score": 0},
            ],
        )
        period = _compute_and_lock(
            period_create(actor=self.office, scheme=scheme, start_date=LIANYUNGANG_MONTH), self.office
        )
        classes = dict(
            CadreScore.objects.filter(period=period).values("band").annotate(n=Count("id")).values_list("band", "n")
        )
        if (classes.get("strong", 0), classes.get("average", 0)) != (STRONG, AVERAGE):
            raise ApplicationError(f"连云港的分类与报道不符：{classes}", code="demo_classes")
        promoted, merits = self.results(period)
        return (
            f"连云港 {len(self.deployments)} 名乡镇党政正职一线考察：评价意见 {len(ratings)} 条，"
            f"好 {classes['strong']} 名、一般 {classes['average']} 名，提拔 {promoted} 名、记三等功 {merits} 名"
        )

    @staticmethod
    def dimensions() -> list[DimensionData]:
        absolute = Normalization.ABSOLUTE

        def rated(kind: str) -> list[InputData]:
            return [InputData(InputSource.STAKEHOLDER, rater_kind=kind, normalization=absolute)]

        return [
            DimensionData(
                "frontline",
                "一线实绩",
                Decimal(40),
                [InputData(InputSource.INSPECTION, normalization=absolute)],
                "看重大项目建设进展、问项目建设难题：考察组现场评分",
            ),
            DimensionData("enterprise", "企业评价", Decimal(20), rated(RaterKind.ENTERPRISE), "听企业评价"),
            DimensionData("public", "群众评价", Decimal(20), rated(RaterKind.RESIDENT), "听群众评价"),
            DimensionData("cadres", "党员干部评价", Decimal(20), rated(RaterKind.COLLEAGUE), "听党员干部评价"),
        ]

    def results(self, period: AppraisalPeriod) -> tuple[int, int]:
        strong = list(
            CadreScore.objects.filter(period=period, band="strong")
            .select_related("cadre__home_unit")
            .order_by("rank", "cadre_id")
        )
        counties = {
            "320703": "连云区",
            "320706": "海州区",
            "320707": "赣榆区",
            "320722": "东海县",
            "320723": "灌云县",
            "320724": "灌南县",
        }
        # The article quotes the heads of these townships still in their posts: they are not among the 15.
        candidates = [s for s in strong if s.cadre.home_unit.name not in ARTICLE_TOWNSHIPS]
        promoted = candidates[:LIANYUNGANG_PROMOTED]
        for n, score in enumerate(promoted, start=1):
            cadre = score.cadre
            county = counties.get(cadre.home_unit.region.code[:6], "连云港市")
            seat = f"{county}人民政府副{'区' if county.endswith('区') else '县'}长" if n % 3 else "市直机关副局长"
            # "进一步使用": the new seat is held together with the township post; the registry keeps
            # the head's rank, which the city raises by a separate rank decision.
            new_post = f"{seat}（兼{cadre.position}）"
            promotion_create(
                actor=self.office,
                cadre=cadre,
                data=PromotionData(
                    kind=PromotionKind.POSITION,
                    effective_on=date(2025, 12, 10) + timedelta(days=n % 10),
                    decision_body="中共连云港市委",
                    decision_ref=f"连委干〔2025〕{100 + n}号",
                    evidence=(
                        f"2025年一线考察综合得分 {score.total}（第 {score.rank} 名，等次“好”）；"
                        "镇域经济发展、乡村振兴、基层治理实绩突出。"
                    ),
                    to_position=new_post[:100],
                    scores=[score],
                ),
            )
        others = [s for s in strong if s not in promoted]
        merited = others[:THIRD_CLASS_MERITS]
        for score in merited:
            merit_create(
                actor=self.office,
                cadre=score.cadre,
                data=MeritData(
                    kind=MeritKind.THIRD_CLASS,
                    title="推进高质量发展先进乡镇党政正职",
                    awarded_on=date(2025, 12, 26),
                    awarding_body="连云港市委、市政府",
                    reason="所在乡镇（街道）连续两年获得市“推进高质量发展先进乡镇”。",
                    evidence=f"2025年一线考察综合得分 {score.total}，等次“好”。",
                    scores=[score],
                ),
            )
        return len(promoted), len(merited)


# --- 新港园区 --------------------------------------------------------------------------------------

PROGRESS_NOTES = ["主体结构施工中", "设备安装调试", "场平完成，桩基施工", "厂房封顶", "手续办理中", "试生产准备"]


class _Xingang:
    def __init__(self, units: dict[str, Unit], rnd: random.Random) -> None:
        self.units = units
        self.rnd = rnd
        self.office = _user("demo-xingang")
        self.campaign = Campaign.objects.get(name=XINGANG_CAMPAIGN)

    def build(self) -> str:
        projects = list(
            Post.objects.filter(
                unit=self.units["xingang-projects"], kind=PostKind.PROJECT, is_key=True, parent=None
            ).order_by("pk")
        )
        scheme = scheme_create(actor=self.office, campaign=self.campaign, name="干部素质提升年月度考评及红旗项目评比")
        # Each project's own pace; the months move it, so the ranking has a trend.
        pace = {p.pk: (self.rnd.uniform(55, 85), self.rnd.uniform(68, 92), self.rnd.uniform(-3, 6)) for p in projects}
        red_flags = 0
        for m, month in enumerate(XINGANG_MONTHS):
            period = period_create(actor=self.office, scheme=scheme, start_date=month)
            scores = []
            for post in projects:
                progress, quality, drift = pace[post.pk]
                progress = min(100.0, max(0.0, progress + drift * m + self.rnd.gauss(0, 3)))
                quality = min(100.0, max(0.0, quality + self.rnd.gauss(0, 2.5)))
                scores.append(
                    ProjectScoreData(
                        post=post,
                        progress_score=Decimal(f"{progress:.1f}"),
                        quality_score=Decimal(f"{quality:.1f}"),
                        notes=f"{month:%m}月督查：{self.rnd.choice(PROGRESS_NOTES)}",
                    )
                )
            project_assessments_record(actor=self.office, period=period, rows=scores)
            # Computing the month ranks its projects too (service from the ledger, trend, red flags).
            computed = period_compute(period_id=period.pk)
            if computed.status != PeriodStatus.COMPUTED:
                raise ApplicationError(f"{computed} 计算失败：{computed.error}", code="demo_compute")
            red_flags = ProjectAssessment.objects.filter(period=computed, red_flag=True).count()
            period_lock(actor=self.office, period=computed, expected_version=computed.version)
        return f"新港园区 {len(projects)} 个重点项目 {len(XINGANG_MONTHS)} 个月红旗项目排名（每月红旗 {red_flags} 个）"
