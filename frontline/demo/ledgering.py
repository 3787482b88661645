"""The demo's ledger: the visits, problems, ratings and matchmakings of the seed articles.

- 新港园区: during the park's "百日攻坚" push of project construction (HUNDRED_DAYS) the ten
  project commissioners log 62 blockers of the 49 key projects on their site visits (often at
  weekends: "周末跑工地，问题不过夜"), mostly land-use approval and environmental acceptance,
  then planning permits, power and roads, financing, hiring and policy, each with its solution
  plan (一个难题、一套方案). Functional departments accept and resolve them, and the project's
  owner rates each fix. Outside the push: the party-building instructors' enterprise problems,
  and a few recent problems still open (one overdue, one sent back once, one awaiting the rating)
  so that the department inbox and the supervisor's board have something to show.
- 韦源口镇: the grid head (demo-grid) keeps the residents' ledger of elderly people's medicine
  purchases (代购药品), handed to the park's social affairs bureau; one is reopened once.
- 漯河: the grain bureau's deputy director registers the flour mill's wheat shortage on his first
  day at the mill; his bureau resolves it three days later and the mill rates it.
- 威海: 迪尚's need (export orders beyond its capacity), the spare capacity of 8 protective-wear
  makers of the province, 8 matchmakings signed for ¥200M of orders.

Every row goes through the ledger services and the workflow, so it is validated, audited and has
a timeline; deadlines are computed by the services from the story's dates (`today=`). The
services stamp rows with the current time and take no other, so once everything is written the
timestamps of the problems, their timeline rows, ratings, visits, list rows and matchmakings are
moved to the story's dates in one pass (`_Ledger.settle`), and the in-app notifications the
workflow sends after the commit are dated and marked read the same way (`settle_notifications`).
Audit rows keep the time they were really written. Last, the real overdue job runs for today.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from frontline.cadres.models import Cadre
from frontline.core.errors import ApplicationError
from frontline.core.models import User
from frontline.demo.dispatching import LUOHE_CAMPAIGN, WEIHAI_CAMPAIGN, XINGANG_CAMPAIGN
from frontline.demo.people import PersonGenerator
from frontline.dispatch.models import (
    Deployment,
    DeploymentStatus,
    ResponsibilityAssignment,
    ResponsibilityLevel,
    WorkingGroup,
)
from frontline.ledger.holidays import forget_calendar, load_calendar
from frontline.ledger.models import (
    ListItem,
    ListKind,
    Matchmaking,
    MatchmakingStatus,
    Notification,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemSource,
    Rating,
    RequesterKind,
    Visit,
)
from frontline.ledger.reference import ensure_reference_data
from frontline.ledger.services import (
    ProblemData,
    escalate_overdue,
    list_item_create,
    matchmaking_outcome,
    matchmaking_record,
    problem_create,
    rating_submit,
    visit_create,
)
from frontline.ledger.workdays import WorkCalendar, add_working_days, is_working_day
from frontline.ledger.workflow import Action, problem_transition
from frontline.org.models import Region, Unit
from frontline.posts.models import EnterpriseSize, Post, PostKind, ProjectStage
from frontline.posts.services import PostData, post_create

SEED = 2025_11
TZ = ZoneInfo("Asia/Shanghai")

# The park's "百日攻坚" push of project construction: 100 days of the 2025 campaign.
HUNDRED_DAYS = (date(2025, 4, 1), date(2025, 7, 9))
PUSH_PROBLEMS = 62
WEIHAI_ORDERS = [4200, 3600, 3100, 2500, 2200, 1800, 1500, 1100]  # 万元, ¥200M in all
MILL = "中粮面业（漯河）有限公司"
DISHANG = "迪尚医疗科技有限公司"
WEIHAI_GROUP = "省派山东省工业和信息化厅工作组"

# Departments that get a clerk account (department-staff) to accept and resolve problems.
STAFF_UNITS = (
    "huangshi-land",
    "huangshi-environment",
    "xingang-projects",
    "xingang-economy",
    "xingang-social",
    "luohe-grain",
)

# Timestamps the workflow sets to "now"; `settle` moves them to the story's times.
STAMPS = ("handed_over_at", "acknowledged_at", "first_feedback_at", "resolved_at", "closed_at")


def accounts_for_ledger(units: dict[str, Unit]) -> list[tuple[str, Cadre]]:
    """Return (username, cadre) for the deployed cadres the ledger story registers problems as."""
    deployments = Deployment.objects.filter(campaign__name=XINGANG_CAMPAIGN).select_related("cadre__home_unit")
    accounts: list[tuple[str, Cadre]] = []
    for role, prefix in (("project_commissioner", "xg-project"), ("party_building_instructor", "xg-party")):
        for n, deployment in enumerate(deployments.filter(role__code=role).order_by("pk"), start=1):
            accounts.append((f"{prefix}-{n:02d}", deployment.cadre))
    deputy = Deployment.objects.select_related("cadre__home_unit").get(campaign__name=LUOHE_CAMPAIGN, post__name=MILL)
    accounts.append(("luohe-grain-deputy", deputy.cadre))
    group = WorkingGroup.objects.select_related("leader__home_unit").get(
        campaign__name=WEIHAI_CAMPAIGN, name=WEIHAI_GROUP
    )
    accounts.append(("sd-industry-leader", group.leader))
    return [(username, cadre) for username, cadre in accounts if cadre.user_id is None]


def build_ledger(units: dict[str, Unit], *, now: datetime | None = None) -> str:
    """Write the ledger of the five programs; return a one-line summary."""
    ensure_reference_data()
    forget_calendar()  # the services must read the calendar the reference data just seeded
    ledger = _Ledger(units=units, now=now or timezone.now())
    parts = [
        ledger.xingang_push(),
        ledger.xingang_enterprises(),
        ledger.medicine(),
        ledger.xingang_open(),
        ledger.luohe(),
        ledger.weihai(),
    ]
    ledger.settle()
    job = escalate_overdue(today=ledger.today)
    problem_ids = [story.problem.pk for story in ledger.stories]
    transaction.on_commit(partial(settle_notifications, problem_ids))
    return "；".join([*parts, f"超期升级 {job['escalated']} 个"])


# --- The stories' texts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """A typical blocker of a key project, as the commissioner logs it and the department fixes it."""

    category: str
    department: str  # unit key
    title: str
    description: str
    plan: str
    progress: str
    resolution: str
    late: bool = False  # appears when construction is done (acceptance, power, hiring), not at approval


_PLAN = "一个难题、一套方案："

LAND = [
    Blocker(
        "land-approval",
        "huangshi-land",
        "项目用地预审与选址意见未批复",
        "{project}用地预审与选址意见书报件一个多月未获批复，项目立项和后续环评、规划手续都卡在这一步。",
        _PLAN + "项目专员牵头列出报件材料清单，自然资源和规划部门提前介入指导，实行“容缺受理＋并联审查”，倒排时间。",
        "已补齐勘测定界报告和节地评价材料，报件进入审查。",
        "用地预审与选址意见书已核发，项目转入立项备案。",
    ),
    Blocker(
        "land-approval",
        "huangshi-land",
        "新增建设用地指标不足",
        "{project}二期需新增建设用地约 {mu} 亩，县级年度用地指标不足，用地无法组卷报批。",
        _PLAN + "园区向市里争取统筹用地指标，同步完善土地征收成片开发方案；项目专员每周跟踪一次进度。",
        "市自然资源和规划局已将项目纳入市级统筹指标保障清单。",
        "市级统筹下达新增建设用地指标 {mu} 亩，用地已组卷上报并获批。",
    ),
    Blocker(
        "land-approval",
        "huangshi-land",
        "用地红线与永久基本农田局部重叠",
        "{project}规划用地红线与永久基本农田边界局部重叠约 {small} 亩，不调整无法组卷报批。",
        _PLAN + "设计单位优化总平面布置、调出重叠地块，自然资源和规划部门同步办理规划条件变更。",
        "总平面调整方案已完成，报自然资源和规划局审查。",
        "红线调整方案审查通过，重叠地块已调出，用地组卷上报。",
    ),
    Blocker(
        "land-approval",
        "huangshi-land",
        "不动产权证办理滞后，影响项目融资",
        "{project}已缴清土地出让金，不动产权证卡在地籍调查环节，后续工程规划许可和项目贷款都受影响。",
        _PLAN + "开通绿色通道，地籍调查与权籍审核并联办理，项目专员代办跑件。",
        "地籍调查外业已完成，权籍审核同步进行。",
        "不动产权证书已颁发，企业已凭证申请项目贷款。",
    ),
    Blocker(
        "land-approval",
        "huangshi-land",
        "施工临时用地未获批",
        "{project}施工便道和材料堆场需临时用地约 {small} 亩，临时用地审批未办，部分工序停滞。",
        _PLAN + "按临时用地“随报随审”办理，项目专员协助企业编制土地复垦方案、落实复垦费用。",
        "土地复垦方案已编制完成并通过评审。",
        "临时用地已批准（使用期两年），施工便道和材料堆场已启用。",
    ),
    Blocker(
        "land-approval",
        "huangshi-land",
        "使用林地审核手续未办结",
        "{project}用地范围内涉及林地约 {small} 亩，使用林地审核同意书未办结，场平施工无法开展。",
        _PLAN + "自然资源和规划部门（林业）上门指导，林地现状调查与植被恢复费测算同步开展。",
        "林地现状调查报告已完成，植被恢复费已缴纳。",
        "使用林地审核同意书已核发，场平施工恢复。",
    ),
]

ENVIRONMENT = [
    Blocker(
        "environmental-review",
        "huangshi-environment",
        "环评报告书审批排队，未批不能开工",
        "{project}环境影响报告书已编制完成，排队等待技术评估时间长；未取得环评批复，项目不能开工建设。",
        _PLAN + "生态环境部门提前介入预审，技术评估与公示并联进行，项目专员协调专家现场踏勘。",
        "专家技术评估会已召开，企业按评估意见修改报告书。",
        "环评批复已下达，项目具备开工条件。",
    ),
    Blocker(
        "environmental-review",
        "huangshi-environment",
        "竣工环保验收缺少废气监测数据",
        "{project}主体工程已建成，竣工环境保护验收缺少废气在线监测数据，验收通不过，影响正式投产。",
        _PLAN + "生态环境部门一次性告知验收要件，企业委托有资质的机构补测，项目专员盯紧监测进度。",
        "补测已完成，监测报告待出具。",
        "补测数据达标，竣工环保验收已通过并公示，项目正式投产。",
        late=True,
    ),
    Blocker(
        "environmental-review",
        "huangshi-environment",
        "排污许可证申领材料被退回",
        "{project}试生产前需申领排污许可证，申报材料中污染物排放量核算不规范被退回。",
        _PLAN + "生态环境局派员上门指导核算方法，项目专员督促企业三日内重新申报。",
        "企业已按指导重新核算排放量并提交申请。",
        "排污许可证已核发，试生产按期开始。",
        late=True,
    ),
    Blocker(
        "environmental-review",
        "huangshi-environment",
        "危废暂存间不规范，环保验收要求整改",
        "{project}危险废物暂存间防渗、导流和标识不符合规范，竣工环保验收被要求整改后复查。",
        _PLAN + "生态环境部门列出整改清单，企业限期整改，项目专员协调复查时间。",
        "防渗层和导流沟已按规范重做，标识标牌已更换。",
        "整改完成，复查合格，竣工环保验收通过。",
        late=True,
    ),
    Blocker(
        "environmental-review",
        "huangshi-environment",
        "污水管网未接入园区污水处理厂，验收受阻",
        "{project}厂区污水管网尚未接入园区污水处理厂，竣工环保验收无法通过。",
        _PLAN + "生态环境部门明确接管标准，园区项目建设指挥部协调铺设接驳管道，项目专员倒排工期。",
        "接驳管道 {metres} 米已开挖铺设。",
        "污水管道接驳完成并通水，竣工环保验收通过。",
        late=True,
    ),
]

PLANNING = [
    Blocker(
        "planning-construction",
        "huangshi-land",
        "建设工程规划许可证申报需补设计方案审查",
        "{project}申报建设工程规划许可证时被要求补充设计方案审查意见，企业不清楚审查流程和要件。",
        _PLAN + "自然资源和规划部门一次性告知要件，组织设计方案联审，项目专员全程代办。",
        "设计方案联审会已召开，企业按意见修改总平面图。",
        "设计方案审查通过，建设工程规划许可证已核发。",
    ),
    Blocker(
        "planning-construction",
        "xingang-projects",
        "施工图审查反复修改，施工许可证未办",
        "{project}施工图审查意见反复修改，施工许可证迟迟办不下来，施工单位已进场待工。",
        _PLAN + "园区项目建设指挥部牵头，设计单位、审图机构和企业集中会审，一次性列明修改意见。",
        "集中会审已完成，设计单位按意见一次性修改。",
        "施工图审查合格，施工许可证已核发，项目正式开工。",
    ),
    Blocker(
        "planning-construction",
        "xingang-projects",
        "消防设计审查与施工图审查衔接不畅",
        "{project}消防设计审查与施工图审查衔接不畅，两头要求不一致，企业来回修改。",
        _PLAN + "园区项目建设指挥部组织住建、消防审查人员联合审查，统一审查意见。",
        "联合审查已完成，统一意见已书面告知企业。",
        "消防设计审查意见书已出具，施工图审查合格。",
    ),
]

INFRASTRUCTURE = [
    Blocker(
        "infrastructure",
        "xingang-projects",
        "施工临时用电未接通",
        "{project}施工临时用电需 {kva} 千伏安，供电线路未架设，现场靠柴油发电机施工，成本高、进度慢。",
        _PLAN + "园区项目建设指挥部协调供电公司现场勘查，临时用电和正式用电方案一并设计。",
        "供电公司已现场勘查，临时用电方案已确定。",
        "临时用电线路已架设送电，柴油发电机撤场。",
    ),
    Blocker(
        "infrastructure",
        "xingang-projects",
        "10 千伏专线接入方案未批复",
        "{project}设备调试需 10 千伏专线供电，接入方案未批复，调试无法进行。",
        _PLAN + "园区项目建设指挥部与供电公司建立周调度，接入方案审查与线路施工并联推进。",
        "接入方案已批复，线路施工进行中。",
        "10 千伏专线已送电，设备开始调试。",
        late=True,
    ),
    Blocker(
        "infrastructure",
        "xingang-projects",
        "进场道路未修通，重车进出困难",
        "园区道路尚未修到{project}门口，重型运输车辆进出困难，雨天无法施工。",
        _PLAN + "先铺设临时进场道路保施工，永久道路纳入园区年度建设计划。",
        "临时进场道路已开工铺设。",
        "临时进场道路 {metres} 米已铺通，永久道路纳入园区年度建设计划。",
    ),
    Blocker(
        "infrastructure",
        "xingang-projects",
        "天然气管网未覆盖厂区",
        "{project}试生产需使用天然气，园区燃气管网尚未覆盖到厂区。",
        _PLAN + "园区项目建设指挥部协调燃气公司提前敷设支线管道，项目专员跟踪施工。",
        "燃气支线管道已开挖敷设。",
        "燃气支线管道已完工并通气，满足试生产用气。",
        late=True,
    ),
    Blocker(
        "infrastructure",
        "xingang-projects",
        "供水管径不足，生产用水无保障",
        "{project}生产用水量大，现有供水管径不足，需新建供水管道。",
        _PLAN + "协调供水公司复核用水量，新建 DN200 供水管道。",
        "供水管道设计已完成，施工单位进场。",
        "新建 DN200 供水管道已通水，生产用水有保障。",
        late=True,
    ),
]

FINANCING = [
    Blocker(
        "financing",
        "xingang-economy",
        "项目贷款审批慢，银行要求追加担保",
        "{project}固定资产贷款 {loan} 万元审批慢，银行要求追加担保，设备采购资金紧张。",
        _PLAN + "经济发展局组织银企对接，引入政府性融资担保机构提供担保。",
        "银企对接会已召开，担保机构完成尽职调查。",
        "融资担保机构提供担保，银行首笔贷款已放款。",
    ),
    Blocker(
        "financing",
        "xingang-economy",
        "设备购置资金缺口，申请产业基金支持",
        "{project}设备购置资金缺口约 {amount} 万元，企业希望申请园区产业基金支持。",
        _PLAN + "经济发展局指导企业准备商业计划书，协调基金管理人加快尽职调查。",
        "基金管理人已完成尽职调查，提交投资决策委员会。",
        "产业基金投资决策通过，首期资金已到位。",
    ),
    Blocker(
        "financing",
        "xingang-economy",
        "贷款期限与建设周期不匹配",
        "{project}现有贷款期限短于建设和回收周期，还款压力大，希望调整为中长期贷款。",
        _PLAN + "经济发展局协调合作银行调整授信方案，争取政策性银行中长期贷款。",
        "政策性银行已受理贷款申请。",
        "政策性银行中长期贷款已获批，原短期贷款完成置换。",
    ),
]

LABOUR = [
    Blocker(
        "labour-hiring",
        "xingang-social",
        "施工高峰期缺钢筋工、电焊工",
        "{project}施工高峰期缺钢筋工、电焊工约 {workers} 人，影响工期。",
        _PLAN + "社会事务局发布用工信息，对接劳务公司和周边乡镇劳动力，项目专员跟踪到岗。",
        "用工信息已在园区和周边乡镇发布，劳务公司已对接。",
        "通过专场招聘和劳务合作招到技术工人 {workers} 名，已进场施工。",
    ),
    Blocker(
        "labour-hiring",
        "xingang-social",
        "投产前需招聘操作工",
        "{project}计划年内试生产，需招聘操作工约 {workers} 名，企业自主招聘进度慢。",
        _PLAN + "社会事务局举办专场招聘会，联合职业院校开展订单式培训。",
        "专场招聘会已举办，意向人员正在面试。",
        "已招聘操作工 {workers} 名，岗前培训已开展。",
        late=True,
    ),
]

POLICY = [
    Blocker(
        "policy-application",
        "xingang-economy",
        "签约奖补资金兑现慢",
        "{project}签约时约定的基础设施配套奖补资金兑现进度慢，企业多次询问。",
        _PLAN + "经济发展局梳理兑现条件和审核流程，项目专员协助企业备齐佐证材料。",
        "兑现条件已逐项核对，材料已报财政审核。",
        "奖补资金已拨付到位。",
    ),
    Blocker(
        "policy-application",
        "xingang-economy",
        "申报省级重点建设项目",
        "{project}希望申报省级重点建设项目，以便在用地、融资上获得支持，企业不清楚申报条件。",
        _PLAN + "经济发展局解读申报条件，指导企业编制申报材料。",
        "申报材料已编制完成并上报。",
        "项目已纳入省级重点建设项目库。",
    ),
]

# How the 62 blockers of the push divide (the article names land-use approval and environmental
# acceptance as the typical ones), and how many working days each kind took to resolve.
PUSH_MIX: list[tuple[list[Blocker], int, tuple[int, int]]] = [
    (LAND, 16, (8, 22)),
    (ENVIRONMENT, 14, (6, 18)),
    (INFRASTRUCTURE, 10, (3, 10)),
    (PLANNING, 8, (4, 12)),
    (FINANCING, 6, (5, 15)),
    (LABOUR, 5, (2, 5)),
    (POLICY, 3, (2, 5)),
]
assert sum(count for _b, count, _d in PUSH_MIX) == PUSH_PROBLEMS

MEETING = "召开深夜协调会：{department}、园区项目建设指挥部、企业和设计单位现场会商，明确补件清单和办结时限。"
RATING_COMMENTS = ["专员周末也在工地，问题不过夜。", "部门上门服务，手续办得快。", "解决及时，满意。", "", ""]

ENTERPRISE_PROBLEMS = [
    Blocker(
        "policy-application",
        "xingang-economy",
        "技改补贴政策摸不准申报方向",
        "企业计划实施生产线技术改造，对技改补贴政策始终摸不准申报方向，希望有人上门讲解。",
        _PLAN + "党建指导员当天协调园区经济发展局派人上门解读政策，手把手帮企业梳理申报材料。",
        "经济发展局当天派人上门解读技改补贴政策，与企业逐项梳理申报材料。",
        "申报材料已按要求报送，企业成功争取到技改补贴政策支持。",
    ),
    Blocker(
        "talent",
        "xingang-social",
        "研发中心引进高级工程师难",
        "企业研发中心缺少材料方向的高级工程师，自主招聘半年无果。",
        _PLAN + "社会事务局对接省内高校和人才市场，落实人才引进补贴和住房保障。",
        "已对接两所省内高校，推荐候选人 5 名。",
        "引进高级工程师 2 名，人才引进补贴已申报。",
    ),
    Blocker(
        "financing",
        "xingang-economy",
        "贷款到期续贷前缺过桥资金",
        "企业一笔 {loan} 万元贷款即将到期，流动资金紧张，续贷前需要过桥资金。",
        _PLAN + "经济发展局协调园区应急转贷资金，银行提前完成续贷审批。",
        "银行已完成续贷审批，应急转贷资金申请已受理。",
        "使用园区应急转贷资金完成续贷，生产未受影响。",
    ),
    Blocker(
        "labour-hiring",
        "xingang-social",
        "订单增加，一线熟练工不足",
        "企业订单增加，一线熟练工流失，缺工约 {workers} 人。",
        _PLAN + "社会事务局组织专场招聘，联合职业院校开展岗前培训。",
        "专场招聘已发布，报名 {workers} 余人。",
        "招到一线工人 {workers} 名，岗前培训后已上岗。",
    ),
    Blocker(
        "policy-application",
        "xingang-economy",
        "申报高新技术企业认定不清楚流程",
        "企业研发投入占比已达标，希望申报高新技术企业认定，不清楚流程和材料要求。",
        _PLAN + "经济发展局解读认定条件，指导企业归集研发费用、准备知识产权材料。",
        "研发费用专项审计已完成，申报材料已报送。",
        "已通过认定评审，列入高新技术企业拟认定名单公示。",
    ),
]


@dataclass(frozen=True)
class Need:
    """An elderly resident's medicine-purchase need, as the grid head writes it into the ledger."""

    title: str
    description: str
    plan: str
    resolution: str


MEDICINE = [
    Need(
        "独居老人需定期代购降压药",
        "独居老人（{age} 岁），患高血压多年，腿脚不便，常吃的降压药快吃完了，需代购。",
        "记入民情台账；协调卫生院开具长期处方，网格员每月代购送药上门。",
        "镇卫生院家庭医生上门随访并开具长期处方，降压药已代购送到家中，纳入每月代购台账。",
    ),
    Need(
        "糖尿病老人急需胰岛素，卫生院缺货",
        "老人（{age} 岁）患糖尿病，子女在外务工，所需胰岛素镇卫生院缺货。",
        "记入民情台账；协调卫生院调货，必要时向县人民医院求助，网格员代取送药。",
        "已联系镇卫生院调货，到货后通知老人领取。",
    ),
    Need(
        "慢性病长期处方到期，需续方和医保报销",
        "老人（{age} 岁）门诊慢特病长期处方到期，不会在手机上办理续方，药费报销也不清楚。",
        "记入民情台账；社会事务局指导办理续方和医保报销，网格员协助。",
        "已协助办理门诊慢特病续方，医保报销待遇已落实，药品按月送药上门。",
    ),
    Need(
        "术后老人需代购康复药品和护理用品",
        "老人（{age} 岁）髋关节手术后在家康复，行动不便，需代购康复药品和护理用品。",
        "记入民情台账；联系志愿者服务队按清单代购。",
        "志愿者服务队已按清单代购药品和护理用品送到家中。",
    ),
    Need(
        "常用中成药断货，需到县城药店购买",
        "老人（{age} 岁）常用的中成药在镇上药店断货，需要到县城购买。",
        "记入民情台账；网格员到县城药店代购，协调药店到货后优先配送。",
        "网格员已到县城药店代购并送到家中，药店承诺到货后优先配送。",
    ),
    Need(
        "独居高龄老人家中缺常用急救药",
        "独居老人（{age} 岁）夜间曾突发不适，家中缺少常用急救药。",
        "记入民情台账；家庭医生上门评估，配齐常用药品。",
        "家庭医生上门评估，常用急救药品已配齐，紧急呼叫电话已设置。",
    ),
]
MEDICINE_OPEN = [
    Need(
        "行动不便老人需代购止咳、退烧药",
        "老人（{age} 岁）感冒咳嗽发热，行动不便，需代购止咳、退烧药。",
        "记入民情台账；当天交办，网格员代购送药。",
        "",
    ),
    Need(
        "残疾老人需代购药品并申请医疗救助",
        "老人（{age} 岁）肢体残疾，长期服药费用负担重，需代购药品并申请医疗救助。",
        "记入民情台账；家庭医生上门，社会事务局受理医疗救助申请。",
        "",
    ),
]

# The province's protective-wear makers with spare capacity (the article does not name them).
FIRM_CITIES = [
    ("3701", "济南", (36.67, 117.02)),
    ("3702", "青岛", (36.07, 120.38)),
    ("3703", "淄博", (36.81, 118.05)),
    ("3707", "潍坊", (36.71, 119.16)),
    ("3713", "临沂", (35.10, 118.36)),
    ("3706", "烟台", (37.46, 121.45)),
    ("3711", "日照", (35.42, 119.53)),
    ("3716", "滨州", (37.38, 117.97)),
]
FIRM_WORDS = ["康宁", "安泰", "博远", "恒通", "瑞达", "鑫源", "华晟", "泰和", "德润", "嘉禾", "润丰", "永固"]
FIRM_PRODUCTS = [
    ("防护用品", "防护服富余产能", "日产医用防护服 {n} 件"),
    ("医疗用品", "隔离衣富余产能", "日产隔离衣 {n} 件"),
    ("卫生材料", "医用口罩富余产能", "日产医用口罩 {n}0 只"),
    ("劳保用品", "防护服富余产能", "日产防护服 {n} 件"),
]


# --- The machinery -----------------------------------------------------------------------------


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return the moment `hour:minute` of `day` in Beijing time."""
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


@dataclass
class _Story:
    """A problem and the times its timeline rows and timestamps should carry."""

    problem: Problem
    times: list[tuple[str, datetime]]
    stamps: dict[str, datetime | None] = field(default_factory=lambda: dict.fromkeys(STAMPS))
    rating: tuple[Rating, datetime] | None = None


class _Ledger:
    def __init__(self, *, units: dict[str, Unit], now: datetime) -> None:
        self.units = units
        self.now = now
        self.today = timezone.localdate(now)
        self.rnd = random.Random(SEED)  # noqa: S311 (reproducible, not secret)
        self.people = PersonGenerator(self.rnd)
        self.calendar: WorkCalendar = load_calendar()
        self.categories = {c.code: c for c in ProblemCategory.objects.all()}
        self.stories: list[_Story] = []
        self.visits: list[tuple[Visit, datetime]] = []
        self.items: list[tuple[ListItem, datetime]] = []
        self.matches: list[tuple[Matchmaking, datetime, datetime]] = []
        self.staff = {key: self._clerk(key) for key in STAFF_UNITS}

    # Helpers ---------------------------------------------------------------------------------

    def _clerk(self, key: str) -> User:
        clerk = (
            User.objects.filter(unit=self.units[key], roles__code="department-staff", is_active=True)
            .order_by("pk")
            .first()
        )
        if clerk is None:
            raise ApplicationError(f"演示数据缺少“{self.units[key]}”的工作人员账号。", code="demo_staff_missing")
        return clerk

    def workday_after(self, day: date, n: int = 1) -> date:
        return add_working_days(day, n, self.calendar).due

    def workday_before(self, day: date, n: int) -> date:
        """Return the `n`-th working day before `day`."""
        while n:
            day -= timedelta(days=1)
            if is_working_day(day, self.calendar):
                n -= 1
        return day

    def minutes_later(self, moment: datetime, low: int, high: int) -> datetime:
        return moment + timedelta(minutes=self.rnd.randint(low, high))

    def some_time(self, day: date, first_hour: int, last_hour: int) -> datetime:
        return at(day, self.rnd.randint(first_hour, last_hour - 1), self.rnd.choice([0, 10, 15, 20, 30, 40, 45, 50]))

    def numbers(self) -> dict[str, object]:
        return {
            "mu": self.rnd.choice([35, 48, 60, 86, 120]),
            "small": self.rnd.choice([3, 5, 8, 12, 16]),
            "kva": self.rnd.choice([400, 630, 800, 1250]),
            "metres": self.rnd.choice([300, 450, 600, 800]),
            "loan": self.rnd.choice([3000, 5000, 8000, 12000]),
            "amount": self.rnd.choice([1500, 2000, 3000, 4500]),
            "workers": self.rnd.choice([30, 40, 60, 80, 120]),
        }

    # Writing through the services -------------------------------------------------------------

    def visit(self, actor: User, post: Post, moment: datetime, *, whom: str, findings: str) -> Visit:
        visit = visit_create(
            actor=actor,
            post=post,
            visited_at=moment,
            whom=whom,
            findings=findings,
            latitude=post.latitude,
            longitude=post.longitude,
        )
        self.visits.append((visit, moment))
        return visit

    def register(
        self,
        actor: User,
        moment: datetime,
        *,
        post: Post,
        category: str,
        title: str,
        description: str,
        plan: str,
        requester_kind: str,
        requester_name: str,
        visit: Visit | None = None,
        source: str = ProblemSource.VISIT,
    ) -> _Story:
        data = ProblemData(
            post=post,
            category=self.categories[category],
            description=description,
            title=title,
            source=source,
            requester_kind=requester_kind,
            requester_name=requester_name,
            requester_phone=self.people.mobile(),
            solution_plan=plan,
            visit=visit,
        )
        problem, _created = problem_create(actor=actor, data=data, today=moment.date())
        story = _Story(problem=problem, times=[(Action.REGISTER, moment)])
        self.stories.append(story)
        return story

    def act(self, story: _Story, actor: User | None, action: str, moment: datetime, **fields: Any) -> None:
        before = story.problem
        after = problem_transition(
            actor=actor, problem=before, action=action, expected_version=before.version, today=moment.date(), **fields
        )
        self._stamp(story, before, after, moment)
        story.times.append((action, moment))

    def rate(self, story: _Story, moment: datetime, score: int, comment: str = "") -> None:
        before = story.problem
        rating = rating_submit(code=before.tracking_code, score=score, comment=comment)
        after = Problem.objects.get(pk=before.pk)
        self._stamp(story, before, after, moment)
        story.times.append((Action.CONFIRM if rating.satisfied else Action.REOPEN, moment))
        story.rating = (rating, moment)

    def _stamp(self, story: _Story, before: Problem, after: Problem, moment: datetime) -> None:
        for name in STAMPS:
            value = getattr(after, name)
            if value is None:
                story.stamps[name] = None
            elif value != getattr(before, name):
                story.stamps[name] = moment
        story.problem = after

    def handle(
        self,
        story: _Story,
        *,
        registrar: User,
        department: str,
        handed_over: datetime,
        accepted: datetime | None = None,
        updates: Sequence[tuple[datetime, str]] = (),
        resolved: datetime | None = None,
        resolution: str = "",
        hand_over_note: str = "",
    ) -> None:
        """Hand the problem over, and as far as the times given: accept, report progress, resolve."""
        clerk = self.staff[department]
        self.act(
            story, registrar, Action.HAND_OVER, handed_over, department=self.units[department], note=hand_over_note
        )
        if accepted is None:
            return
        self.act(story, clerk, Action.ACCEPT, accepted)
        for moment, note in updates:
            self.act(story, clerk, Action.UPDATE, moment, note=note, public=True)
        if resolved is not None:
            self.act(story, clerk, Action.RESOLVE, resolved, resolution=resolution)

    # 新港园区: the push --------------------------------------------------------------------------

    def commissioners(self) -> dict[Post, User]:
        """Return each key project with the commissioner who answers for it (包保), in project order."""
        rows = (
            ResponsibilityAssignment.objects.filter(
                campaign__name=XINGANG_CAMPAIGN, level=ResponsibilityLevel.LEADERSHIP
            )
            .select_related("post", "cadre__user")
            .order_by("post_id")
        )
        found: dict[Post, User] = {}
        for row in rows:
            if row.cadre.user is None:
                raise ApplicationError(f"项目专员{row.cadre.name}没有账号。", code="demo_account_missing")
            found.setdefault(row.post, row.cadre.user)
        return found

    def push_plan(self, duration: int) -> tuple[date, date, date]:
        """Return (registration day, acceptance day, resolution day) inside the push.

        A third of the site visits are at weekends or on holidays ("周末跑工地"); the department
        signs the same day when it is a working day, else on the next one; the fix comes
        `duration` working days after the hand-over, early enough to be rated within the push.
        """
        first, last = HUNDRED_DAYS
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        off_days = [d for d in days if not is_working_day(d, self.calendar)]
        work_days = [d for d in days if is_working_day(d, self.calendar)]
        while True:
            day = self.rnd.choice(off_days if self.rnd.random() < 0.35 else work_days)
            accepted = day if is_working_day(day, self.calendar) else self.workday_after(day)
            resolved = self.workday_after(day, duration)
            if resolved > accepted and resolved + timedelta(days=2) <= last:
                return day, accepted, resolved

    def xingang_push(self) -> str:
        owners = self.commissioners()
        projects = list(owners)
        early_stages = (ProjectStage.SIGNED, ProjectStage.APPROVAL, ProjectStage.CONSTRUCTION)
        early = [p for p in projects if p.stage in early_stages] or projects
        late = [p for p in projects if p.stage in (ProjectStage.CONSTRUCTION, ProjectStage.COMPLETED)] or projects
        named = [p for p in projects if p.name in ("弘盛铜业项目", "湖北优科项目")]
        blockers: list[tuple[Blocker, tuple[int, int]]] = []
        for kinds, count, durations in PUSH_MIX:
            blockers += [(kinds[n % len(kinds)], durations) for n in range(count)]
        self.rnd.shuffle(blockers)
        extra_visits = 0
        for n, (blocker, (shortest, longest)) in enumerate(blockers):
            # The two projects the article names come first, then the stage decides the blocker.
            post = named[n] if n < len(named) else self.rnd.choice(late if blocker.late else early)
            self.push_problem(post, owners[post], blocker, self.rnd.randint(shortest, longest))
        # Site visits that found nothing new: weekends on the construction sites.
        first, last = HUNDRED_DAYS
        weekends = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        weekends = [d for d in weekends if d.weekday() >= 5]
        for post, commissioner in owners.items():
            if self.rnd.random() < 0.6:
                day = self.rnd.choice(weekends)
                self.visit(
                    commissioner,
                    post,
                    self.some_time(day, 8, 17),
                    whom="施工单位项目经理",
                    findings=f"周末跑工地：{post.name}现场施工正常，进度、安全和质量逐项查看，无新增诉求。",
                )
                extra_visits += 1
        return f"新港园区百日攻坚 {len(blockers)} 个项目难题已解决（走访 {len(blockers) + extra_visits} 次）"

    def push_problem(self, post: Post, commissioner: User, blocker: Blocker, duration: int) -> None:
        day, accepted_day, resolved_day = self.push_plan(duration)
        values = {"project": post.name, **self.numbers()}
        department = self.units[blocker.department]
        if is_working_day(day, self.calendar):
            how = "项目面对面"
        else:
            how = "周末跑工地" if day.weekday() >= 5 else "节假日跑工地"
        visited = self.some_time(day, 8, 16)
        visit = self.visit(
            commissioner,
            post,
            visited,
            whom=self.rnd.choice(["企业负责人", "项目负责人", "施工单位项目经理"]),
            findings=f"{how}：{post.name}现场查看进度，企业反映：{blocker.title}。",
        )
        registered = self.minutes_later(visited, 15, 50)
        story = self.register(
            commissioner,
            registered,
            post=post,
            category=blocker.category,
            title=blocker.title,
            description=blocker.description.format(**values),
            plan=blocker.plan,
            requester_kind=RequesterKind.PROJECT,
            requester_name=f"{post.name}业主单位",
            visit=visit,
        )
        handed_over = self.minutes_later(registered, 20, 80)
        if accepted_day == day and self.rnd.random() < 0.9:
            accepted = self.minutes_later(handed_over, 15, 120)
        else:
            accepted = self.some_time(accepted_day if accepted_day > day else self.workday_after(day), 8, 10)
        updates: list[tuple[datetime, str]] = []
        progress_day = self.workday_after(accepted.date())
        if progress_day < resolved_day:
            updates.append((self.some_time(progress_day, 9, 18), blocker.progress.format(**values)))
            meeting_day = self.workday_after(progress_day, max(1, duration // 3))
            if blocker.category in ("land-approval", "environmental-review") and meeting_day < resolved_day:
                meeting = at(meeting_day, 21, self.rnd.choice([0, 15, 30]))
                updates.append((meeting, MEETING.format(department=department.name)))
        resolved = self.some_time(resolved_day, 10, 18)
        self.handle(
            story,
            registrar=commissioner,
            department=blocker.department,
            handed_over=handed_over,
            accepted=accepted,
            updates=updates,
            resolved=resolved,
            resolution=blocker.resolution.format(**values),
            hand_over_note="问题不过夜：当天交办。",
        )
        rated_day = resolved_day + timedelta(days=self.rnd.choice([1, 1, 2]))
        score = 5 if self.rnd.random() < 0.8 else 4
        self.rate(story, self.some_time(rated_day, 9, 17), score, self.rnd.choice(RATING_COMMENTS))

    # 新港园区: the enterprises ---------------------------------------------------------------------

    def instructors(self) -> list[tuple[Post, User]]:
        rows = (
            Deployment.objects.filter(
                campaign__name=XINGANG_CAMPAIGN,
                role__code="party_building_instructor",
                status=DeploymentStatus.ACTIVE,
            )
            .select_related("post", "cadre__user")
            .order_by("pk")
        )
        found = []
        for row in rows:
            if row.cadre.user is None:
                raise ApplicationError(f"党建指导员{row.cadre.name}没有账号。", code="demo_account_missing")
            found.append((row.post, row.cadre.user))
        return found

    def xingang_enterprises(self) -> str:
        """The 25 party-building instructors' visits ("六个清楚") and five enterprise problems."""
        pairs = self.instructors()
        visits = 0
        for post, instructor in pairs:
            for month, findings in (
                (4, "“六个清楚”摸底：在岗职工 {staff} 人、党员 {members} 名，经营运行正常；指导筹建党组织和工会。"),
                (7, "参加联合支部党员大会，讲解最新惠企政策，了解企业用工和融资需求。"),
            ):
                day = date(2025, month, self.rnd.randint(3, 26))
                if not is_working_day(day, self.calendar):
                    day = self.workday_after(day)
                text = findings.format(staff=self.rnd.randint(60, 900), members=self.rnd.randint(3, 40))
                self.visit(instructor, post, self.some_time(day, 9, 17), whom="企业负责人", findings=text)
                visits += 1
        solved = 0
        for n, blocker in enumerate(ENTERPRISE_PROBLEMS):
            post, instructor = pairs[(n * 5) % len(pairs)]
            day = self.workday_after(date(2025, 8, 4) + timedelta(days=17 * n))
            values = {"project": post.name, **self.numbers()}
            visited = self.some_time(day, 9, 11)
            visit = self.visit(instructor, post, visited, whom="企业负责人", findings=f"企业反映：{blocker.title}。")
            registered = self.minutes_later(visited, 20, 40)
            story = self.register(
                instructor,
                registered,
                post=post,
                category=blocker.category,
                title=blocker.title,
                description=blocker.description.format(**values),
                plan=blocker.plan,
                requester_kind=RequesterKind.ENTERPRISE,
                requester_name=post.name,
                visit=visit,
            )
            handed_over = self.minutes_later(registered, 10, 30)
            accepted = self.minutes_later(handed_over, 10, 40)
            # The first one is the article's: the bureau came to explain the policy the same day.
            progress = at(day, 15, 30) if n == 0 else self.some_time(self.workday_after(day), 9, 17)
            resolved_day = self.workday_after(day, self.rnd.randint(3, 5))
            self.handle(
                story,
                registrar=instructor,
                department=blocker.department,
                handed_over=handed_over,
                accepted=accepted,
                updates=[(progress, blocker.progress.format(**values))],
                resolved=self.some_time(resolved_day, 10, 17),
                resolution=blocker.resolution.format(**values),
            )
            self.rate(story, self.some_time(resolved_day + timedelta(days=1), 9, 17), 5, "党建指导员帮了大忙。")
            solved += 1
        return f"党建指导员走访 {visits} 次、解决企业难题 {solved} 个"

    # 韦源口镇: the grid head's residents' ledger ----------------------------------------------------

    def medicine(self) -> str:
        """The grid head's visits and the elderly residents' medicine purchases (代购药品)."""
        grid_head = User.objects.get(username="demo-grid")
        deployment = (
            Deployment.objects.filter(cadre__user=grid_head, status=DeploymentStatus.ACTIVE)
            .select_related("post")
            .first()
        )
        if deployment is None:
            raise ApplicationError("演示网格长没有在岗的选派记录。", code="demo_grid_missing")
        grid = deployment.post
        places = list(Post.objects.filter(parent=grid, kind=PostKind.BUILDING).order_by("pk")) or [grid]
        social = "xingang-social"
        # Routine door-to-door visits ("八个一"): every household's needs go into the ledger.
        for day in (date(2025, 7, 5), date(2025, 8, 16), date(2025, 9, 20), date(2025, 10, 25)):
            place = self.rnd.choice(places)
            self.visit(
                grid_head,
                place,
                self.some_time(day, 9, 17),
                whom="楼栋居民",
                findings="挨家挨户走访，讲解医保和养老政策，登记居民需求，记入民情台账；无新增急难愁盼问题。",
            )
        closed = 0
        for n, need in enumerate(MEDICINE):
            day = date(2025, 7, 14) + timedelta(days=16 * n + self.rnd.randint(0, 5))
            place = places[n % len(places)]
            story = self.medicine_need(grid_head, place, day, need)
            registered = story.times[0][1]
            handed_over = self.minutes_later(registered, 10, 30)
            accepted_day = day if is_working_day(day, self.calendar) else self.workday_after(day)
            accepted = (
                self.minutes_later(handed_over, 20, 60) if accepted_day == day else self.some_time(accepted_day, 8, 10)
            )
            resolved_day = self.workday_after(accepted_day, self.rnd.randint(1, 2))
            self.handle(
                story,
                registrar=grid_head,
                department=social,
                handed_over=handed_over,
                accepted=accepted,
                resolved=self.some_time(resolved_day, 10, 17),
                resolution=need.resolution,
                hand_over_note="小事不出楼栋：网格长当天交办。",
            )
            rated = self.some_time(resolved_day + timedelta(days=1), 9, 17)
            if n == 1:
                # The insulin did not come: the grid head's follow-up call finds out and reopens
                # it (督办); the bureau fetches it from the county hospital, the resident rates.
                # (A rating below 4 would reopen it too, but `rating_submit` takes no `today`:
                # its new clock would start on the real date.)
                clerk = self.staff[social]
                self.act(story, grid_head, Action.REOPEN, rated, note="回访：药还没拿到，老人自己去不了卫生院。")
                again = self.workday_after(rated.date())
                self.act(
                    story,
                    clerk,
                    Action.UPDATE,
                    self.some_time(again, 9, 12),
                    note="督办：协调县人民医院调配胰岛素，网格员代取送药上门。",
                )
                fixed = self.workday_after(again)
                self.act(
                    story,
                    clerk,
                    Action.RESOLVE,
                    self.some_time(fixed, 10, 17),
                    resolution="县人民医院调配的胰岛素已由网格员送到家中，并教会老人使用注射笔。",
                )
                self.rate(story, self.some_time(fixed + timedelta(days=1), 9, 17), 5, "药送到家了，还教会了用法。")
            else:
                self.rate(story, rated, self.rnd.choice([5, 5, 4]), self.rnd.choice(["网格长跑腿送药，暖心。", ""]))
            closed += 1
        # Two recent ones: one handed over yesterday and not yet signed for, one in progress.
        first = self.workday_before(self.today, 1)
        story = self.medicine_need(grid_head, places[0], first, MEDICINE_OPEN[0])
        self.handle(
            story,
            registrar=grid_head,
            department=social,
            handed_over=self.minutes_later(story.times[0][1], 10, 30),
        )
        second = self.workday_before(self.today, 2)
        story = self.medicine_need(grid_head, places[-1], second, MEDICINE_OPEN[1])
        handed_over = self.minutes_later(story.times[0][1], 10, 30)
        self.handle(
            story,
            registrar=grid_head,
            department=social,
            handed_over=handed_over,
            accepted=self.minutes_later(handed_over, 20, 60),
            updates=[(self.some_time(first, 9, 12), "已联系卫生院家庭医生上门，医疗救助申请材料已收齐。")],
        )
        return f"网格长代购药品 {len(MEDICINE) + len(MEDICINE_OPEN)} 件（{closed} 件已办结评价）"

    def medicine_need(self, grid_head: User, place: Post, day: date, need: Need) -> _Story:
        age = self.rnd.randint(68, 91)
        visited = self.some_time(day, 9, 16)
        visit = self.visit(
            grid_head,
            place,
            visited,
            whom=f"独居老人（{age} 岁）",
            findings=f"入户走访：{need.title}，已记入民情台账。",
        )
        return self.register(
            grid_head,
            self.minutes_later(visited, 5, 25),
            post=place,
            category="livelihood",
            title=need.title,
            description=need.description.format(age=age),
            plan=need.plan,
            requester_kind=RequesterKind.RESIDENT,
            requester_name=self.people.name(self.people.gender(male_share=0.45)),
            visit=visit,
        )

    # 新港园区: recent problems still open (for the inbox and the board) ----------------------------

    def xingang_open(self) -> str:
        """Five recent project problems: awaiting acceptance, in progress, overdue, sent back, awaiting rating."""
        owners = self.commissioners()
        projects = list(owners)

        def start(post: Post, blocker: Blocker, day: date, values: dict[str, object]) -> _Story:
            values = {"project": post.name, **values}
            visited = self.some_time(day, 8, 10)
            visit = self.visit(owners[post], post, visited, whom="项目负责人", findings=f"企业反映：{blocker.title}。")
            return self.register(
                owners[post],
                self.minutes_later(visited, 15, 40),
                post=post,
                category=blocker.category,
                title=blocker.title,
                description=blocker.description.format(**values),
                plan=blocker.plan,
                requester_kind=RequesterKind.PROJECT,
                requester_name=f"{post.name}业主单位",
                visit=visit,
            )

        def day(n: int) -> date:
            return self.workday_before(self.today, n)

        # Handed over to the land bureau yesterday, not signed for yet: demo-land's inbox.
        post = projects[1]
        story = start(post, LAND[1], day(1), self.numbers())
        self.handle(story, registrar=owners[post], department="huangshi-land", handed_over=at(day(1), 15, 40))
        # In progress at the environment bureau, with a first feedback.
        post = projects[4]
        story = start(post, ENVIRONMENT[0], day(3), self.numbers())
        self.handle(
            story,
            registrar=owners[post],
            department="huangshi-environment",
            handed_over=at(day(3), 13, 20),
            accepted=at(day(3), 14, 5),
            updates=[(at(day(2), 16, 0), ENVIRONMENT[0].progress)],
        )
        # Hiring problem past its 7 working days: the overdue job escalates it.
        post = projects[7]
        values = self.numbers()
        story = start(post, LABOUR[0], day(14), values)
        self.handle(
            story,
            registrar=owners[post],
            department="xingang-social",
            handed_over=at(day(14), 13, 10),
            accepted=at(day(14), 15, 30),
            updates=[(at(day(12), 11, 0), "用工信息已发布，报名人数不足 {workers} 人的一半。".format(**values))],
        )
        # Sent back once (wrong department), re-routed to the land bureau, in progress there.
        post = projects[10]
        story = start(post, LAND[2], day(5), self.numbers())
        self.act(story, owners[post], Action.HAND_OVER, at(day(5), 14, 0), department=self.units["xingang-economy"])
        self.act(
            story,
            self.staff["xingang-economy"],
            Action.SEND_BACK,
            at(day(4), 9, 20),
            note="用地红线调整属自然资源和规划部门职责，请改交黄石市自然资源和规划局。",
        )
        self.handle(
            story,
            registrar=owners[post],
            department="huangshi-land",
            handed_over=at(day(4), 10, 0),
            accepted=at(day(4), 11, 15),
            updates=[(at(day(3), 17, 0), LAND[2].progress)],
            hand_over_note="按退单意见改交自然资源和规划局。",
        )
        # Resolved, waiting for the project's rating (回访).
        post = projects[13]
        values = self.numbers()
        story = start(post, INFRASTRUCTURE[2], day(8), values)
        self.handle(
            story,
            registrar=owners[post],
            department="xingang-projects",
            handed_over=at(day(8), 11, 30),
            accepted=at(day(8), 14, 0),
            updates=[(at(day(7), 10, 0), INFRASTRUCTURE[2].progress)],
            resolved=at(day(1), 16, 30),
            resolution=INFRASTRUCTURE[2].resolution.format(**values),
        )
        return "新港园区在办问题 5 个（1 个超期、1 个退单后改派、1 个待回访）"

    # 漯河: the wheat --------------------------------------------------------------------------------

    def luohe(self) -> str:
        """The deputy director's first day at the mill; 2,000 t of wheat arrive on the third day."""
        deployment = Deployment.objects.select_related("post", "cadre__user").get(
            campaign__name=LUOHE_CAMPAIGN, post__name=MILL
        )
        deputy, mill = deployment.cadre.user, deployment.post
        if deputy is None:
            raise ApplicationError("驻企特派员没有账号。", code="demo_account_missing")
        day = deployment.start_date
        visit = self.visit(
            deputy,
            mill,
            at(day, 9, 30),
            whom="公司总经理",
            findings="企业 1 月底已复工复产，库存小麦不多，农户手中的小麦又收不上来，原料只够维持几天生产。",
        )
        story = self.register(
            deputy,
            at(day, 10, 10),
            post=mill,
            category="raw-materials",
            title="小麦原料不足，需协调储备小麦出库",
            description="眼看库存小麦不多了，农户手中的小麦又收不上来，企业原料不足，希望协调储备小麦出库，保障复工后的生产。",
            plan=_PLAN + "粮食和物资储备局协调储备小麦定向出库，落实运输车辆和通行证，特派员每天跟踪到货。",
            requester_kind=RequesterKind.ENTERPRISE,
            requester_name=MILL,
            visit=visit,
        )
        self.handle(
            story,
            registrar=deputy,
            department="luohe-grain",
            handed_over=at(day, 10, 40),
            accepted=at(day, 11, 5),
            updates=[(at(day + timedelta(days=1), 16, 20), "已协调储备库安排 2000 吨小麦出库，车辆和通行证已落实。")],
            resolved=at(day + timedelta(days=3), 15, 30),
            resolution="2000 吨小麦已送达企业，及时保障了生产需求。",
        )
        self.rate(story, at(day + timedelta(days=4), 10, 0), 5, "特派员来了第三天小麦就到了，解了燃眉之急。")
        return "漯河小麦难题登记后第三天解决"

    # 威海: 迪尚 and the 8 firms -------------------------------------------------------------------------

    def weihai(self) -> str:
        """迪尚's need, 8 firms' spare capacity, the matchmaking conference and ¥200M of orders."""
        group = WorkingGroup.objects.select_related("leader__user").get(
            campaign__name=WEIHAI_CAMPAIGN, name=WEIHAI_GROUP
        )
        leader = group.leader.user
        if leader is None:
            raise ApplicationError("省派工作组组长没有账号。", code="demo_account_missing")
        dishang = Post.objects.get(name=DISHANG)
        arrived = date(2020, 3, 5)  # the working group arrived in Weihai and visited 迪尚 that day
        self.visit(
            leader,
            dishang,
            at(arrived, 14, 0),
            whom="企业负责人",
            findings="国外疫情发展，防护服出口订单激增，生产跟不上下单速度；省内 25 家防护服、隔离衣生产企业中，"
            "不少有富余产能但在手订单走不出去。当场提出“借船出海”。",
        )
        need = list_item_create(
            actor=leader,
            kind=ListKind.NEED,
            post=dishang,
            title="防护服出口订单超出产能，寻求合作生产企业",
            description="国外疫情发展，防护服出口订单激增，生产跟不上下单速度。拟“借船出海”：与省内有富余产能的"
            "防护服、口罩生产企业合作生产，扩大出口。",
            quantity="外贸订单已排到 8 月中旬",
            holder=DISHANG,
        )
        self.items.append((need, at(arrived, 16, 30)))
        firms = self.firm_posts()
        conference = at(date(2020, 3, 20), 10, 0)  # 全省防护服出口对接会, held in Weihai
        orders_to_date = at(date(2020, 4, 20), 17, 0)  # "截至目前下单 2 亿元"
        for n, ((post, product, capacity), amount) in enumerate(zip(firms, WEIHAI_ORDERS, strict=True)):
            resource = list_item_create(
                actor=leader,
                kind=ListKind.RESOURCE,
                post=post,
                title=product,
                description="省内防护服、隔离衣生产企业，有富余产能，在手订单走不出去，希望对接出口渠道。",
                quantity=capacity,
                holder=post.name,
            )
            self.items.append((resource, at(date(2020, 3, 9 + n), 15, 0)))
            match = matchmaking_record(
                actor=leader,
                need=need,
                resource=resource,
                reason=f"迪尚订单超出产能，{post.name}有富余产能：借船出海（全省防护服出口对接会）",
            )
            match = matchmaking_outcome(
                actor=leader,
                match=match,
                status=MatchmakingStatus.SIGNED,
                outcome=f"对接会上签订合作协议，迪尚已下单 {amount} 万元",
                amount=Decimal(amount),
            )
            self.matches.append((match, conference + timedelta(minutes=20 * n), orders_to_date))
        total = sum(WEIHAI_ORDERS)
        return f"威海迪尚与 {len(firms)} 家企业签约，订单 {total} 万元"

    def firm_posts(self) -> list[tuple[Post, str, str]]:
        """Create the 8 protective-wear makers (enterprise posts of the provincial industry department)."""
        words = self.rnd.sample(FIRM_WORDS, k=len(FIRM_CITIES))
        firms = []
        for (city, city_name, (lat, lng)), word in zip(FIRM_CITIES, words, strict=True):
            kind, product, capacity = self.rnd.choice(FIRM_PRODUCTS)
            post = post_create(
                actor=None,
                data=PostData(
                    kind=PostKind.ENTERPRISE,
                    name=f"{city_name}{word}{kind}有限公司",
                    region_code=city if self._region_loaded(city) else "37",
                    unit_id=self.units["sd-industry"].pk,
                    latitude=round(lat + self.rnd.uniform(-0.05, 0.05), 6),
                    longitude=round(lng + self.rnd.uniform(-0.05, 0.05), 6),
                    description="省内防护服、隔离衣生产企业：有富余产能，在手订单走不出去",
                    uscc=self.people.credit_code(region6=f"{city}00"),
                    industry="医用防护用品制造",
                    size=self.rnd.choice([EnterpriseSize.SMALL, EnterpriseSize.MEDIUM]),
                ),
                today=date(2020, 3, 9),
            )
            firms.append((post, product, capacity.format(n=self.rnd.choice([8, 10, 12, 15, 20]) * 1000)))
        return firms

    @staticmethod
    def _region_loaded(code: str) -> bool:
        return Region.objects.filter(code=code.ljust(12, "0")).exists()

    # Dates ------------------------------------------------------------------------------------------

    def settle(self) -> None:
        """Move the rows written above from the time they were written to the story's times."""
        if any(moment > self.now for story in self.stories for _action, moment in story.times):
            raise ApplicationError("演示台账的时间不能晚于现在。", code="demo_future")
        ids = [story.problem.pk for story in self.stories]
        events: dict[int, list[ProblemEvent]] = {}
        for event in ProblemEvent.objects.filter(problem_id__in=ids).order_by("problem_id", "id"):
            events.setdefault(event.problem_id, []).append(event)
        moved_events: list[ProblemEvent] = []
        problems: list[Problem] = []
        ratings: list[Rating] = []
        for story in self.stories:
            moments = [moment for _action, moment in story.times]
            if moments != sorted(moments):
                raise ApplicationError(f"问题 {story.problem.pk} 的演示时间顺序有误。", code="demo_timeline")
            rows = events.get(story.problem.pk, [])
            planned = [action for action, _moment in story.times]
            if [row.action for row in rows[: len(planned)]] != planned:
                raise ApplicationError(
                    f"问题 {story.problem.pk} 的办理记录与演示剧情不一致：{[r.action for r in rows]} ≠ {planned}",
                    code="demo_timeline",
                )
            for row, (_action, moment) in zip(rows, story.times, strict=False):
                row.created_at = moment
                moved_events.append(row)
            problem = story.problem
            problem.created_at = story.times[0][1]
            for name in STAMPS:
                setattr(problem, name, story.stamps[name])
            problem.updated_at = story.times[-1][1]
            problems.append(problem)
            if story.rating is not None:
                rating, moment = story.rating
                rating.created_at = moment
                ratings.append(rating)
        ProblemEvent.objects.bulk_update(moved_events, ["created_at"], batch_size=500)
        Problem.objects.bulk_update(problems, ["created_at", *STAMPS, "updated_at"], batch_size=500)
        Rating.objects.bulk_update(ratings, ["created_at"], batch_size=500)
        for visit, moment in self.visits:
            visit.created_at = moment
        Visit.objects.bulk_update([visit for visit, _m in self.visits], ["created_at"], batch_size=500)
        for item, moment in self.items:
            item.created_at = moment
        ListItem.objects.bulk_update([item for item, _m in self.items], ["created_at"], batch_size=500)
        for match, created, updated in self.matches:
            match.created_at, match.updated_at = created, updated
        Matchmaking.objects.bulk_update(
            [match for match, _c, _u in self.matches], ["created_at", "updated_at"], batch_size=500
        )


# Which timeline action sent each kind of notification (workflow._apply).
NOTIFYING_ACTIONS = {"hand_over": Action.HAND_OVER, "send_back": Action.SEND_BACK, "reopen": Action.REOPEN}


def settle_notifications(problem_ids: Iterable[int]) -> int:
    """Date the demo problems' notifications by the timeline row that sent them; return how many.

    The workflow creates notifications after the commit, at the time of the commit. A
    notification counts as read once the next step was taken on its problem (the department
    signed for it, the registrar re-routed it, …); the overdue job's notifications stay as they are.
    """
    ids = list(problem_ids)
    events: dict[int, list[ProblemEvent]] = {}
    for event in ProblemEvent.objects.filter(problem_id__in=ids).order_by("problem_id", "created_at", "id"):
        events.setdefault(event.problem_id, []).append(event)
    notifications = list(
        Notification.objects.filter(problem_id__in=ids, kind__in=list(NOTIFYING_ACTIONS)).select_related("user")
    )
    for notification in notifications:
        timeline = events.get(notification.problem_id or 0, [])
        action = NOTIFYING_ACTIONS[notification.kind]
        senders = [n for n, e in enumerate(timeline) if e.action == action]
        if action == Action.HAND_OVER:
            # A hand-over notifies the members of the department it went to.
            to_unit = [n for n in senders if timeline[n].department_id == notification.user.unit_id]
            senders = to_unit or senders
        if not senders:
            continue
        position = senders[-1]
        notification.created_at = timeline[position].created_at
        following = timeline[position + 1] if position + 1 < len(timeline) else None
        notification.read_at = following.created_at if following is not None else None
    Notification.objects.bulk_update(notifications, ["created_at", "read_at"], batch_size=500)
    return len(notifications)
