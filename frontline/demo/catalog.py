"""What the demo is made of: real places, units, companies and projects from the seed articles,
and the word lists the generated ones are drawn from. Data and small pure helpers only."""

from frontline.cadres.models import Rank
from frontline.demo.people import words
from frontline.org.models import UnitKind
from frontline.posts.models import PostKind

# Communities and villages are loaded only where the demo has posts (all 620,000 take minutes).
VILLAGE_PREFIXES = (
    "420222103",  # 韦源口镇, 新港园区
    "421303",  # 曾都区
    "320703010",  # 高公岛街道
    "320723103",  # 燕尾港镇
    "320707101",  # 柘汪镇
    "371002012",  # 嵩山街道
    "371003002",  # 天福路街道 (新城社区)
    "371003103",  # 文登区 慈口观村
    "371003108",  # 小观镇 (学府社区, 南海新区)
    "371073107",  # 草庙子镇
    "371082101",  # 俚岛镇
    "371083114",  # 徐家镇
)
# Provinces..townships under these prefixes are all a demo needs when the whole country is not loaded.
NEEDED_PREFIXES = ("420222", "420281", "421303", "3207", "4111", "3710", "3701")

# Approximate centres (latitude, longitude) for placing posts and homes; the longest prefix wins.
CENTERS: dict[str, tuple[float, float]] = {
    "4202": (30.20, 115.04),
    "420222": (29.83, 115.21),
    "420222103": (30.05, 115.20),
    "4213": (31.69, 113.38),
    "421303": (31.72, 113.37),
    "3207": (34.60, 119.22),
    "320703": (34.75, 119.40),
    "320706": (34.57, 119.18),
    "320707": (34.84, 119.13),
    "320722": (34.54, 118.75),
    "320723": (34.30, 119.25),
    "320724": (34.09, 119.35),
    "4111": (33.58, 114.02),
    "411121": (33.44, 113.61),
    "411122": (33.81, 113.93),
    "3710": (37.51, 122.12),
    "371003": (37.19, 122.06),
    "371073": (37.10, 121.95),
    "371082": (37.16, 122.49),
    "371083": (36.92, 121.54),
    "3701": (36.67, 117.02),
}

# Counties whose codes the generated resident ID numbers use (the cadre's place of registration).
ID_COUNTIES = {
    "xingang": ("420222", "420222", "420222", "420281", "420202", "420203", "420204"),
    "zengdu": ("421303", "421303", "421321", "421381"),
    "luohe": ("411102", "411103", "411104", "411121", "411122"),
    "weihai": ("371002", "371002", "371003", "371082", "371083"),
    "jinan": ("370102", "370103", "370104", "370105", "370112", "370113"),
}

COMPANY_WORDS = words(
    "华鑫 瑞达 恒通 楚港 鄂东 金港 长江 鑫源 宏泰 联创 正和 安泰 博远 昌盛 东楚 海纳 精工 凯盛 盛达 天成 "
    "同创 远航 智达 卓越 荣泰 汇丰 信诚 中联 德润 嘉禾 润丰 金石 铭泰 永固 佳和 新锐 华晟 国瑞 鼎盛 融创 "
    "泰和 晨光 瀚海 启航 拓新 恒昌 聚力 源泰 和信"
)
XINGANG_PROJECT_KINDS = words(
    "新材料产业园项目 铜箔项目 精细化工项目 港口物流园项目 智能装备制造项目 冷链物流中心项目 装配式建筑产业园项目 "
    "新能源电池材料项目 再生资源循环利用项目 电子化学品项目 高端铜材加工项目 保税仓储项目 码头改扩建项目 绿色建材项目 "
    "医药中间体项目 标准化厂房项目"
)
SUB_PROJECT_PARTS = ("主体厂房", "配套道路", "供电配套", "环保设施", "仓储物流")
ZENGDU_PROJECT_KINDS = words(
    "专用汽车生产基地项目 新能源专用车项目 汽车零部件产业园项目 应急装备制造项目 香菇深加工项目 "
    "食品产业园项目 电子信息产业园项目 新型建材项目 生物医药项目 冷链物流园项目 智能制造产业园项目 "
    "农产品加工项目 储能电站项目 纺织服装项目 文旅综合体项目"
)
WEIHAI_PROJECT_KINDS = words(
    "医用防护用品项目 智能装备产业园项目 海洋生物产业园项目 碳纤维复合材料项目 船舶配套项目 "
    "渔具产业园项目 海洋食品加工项目 医疗器械项目 电子元器件项目 港口物流项目 康养文旅项目 "
    "新能源汽车零部件项目 打印设备项目 现代海洋牧场项目"
)
ENTERPRISE_KINDS: tuple[tuple[str, str], ...] = (
    ("新材料", "新材料制造"),
    ("科技", "科技推广和应用服务"),
    ("化工", "化学原料和化学制品制造"),
    ("机械", "通用设备制造"),
    ("物流", "装卸搬运和仓储"),
    ("电子", "计算机、通信和其他电子设备制造"),
    ("环保科技", "生态保护和环境治理"),
    ("建材", "非金属矿物制品"),
    ("食品", "农副食品加工"),
    ("医药", "医药制造"),
    ("铜材", "有色金属冶炼和压延加工"),
)


def village_post_name(committee: str) -> tuple[str, PostKind]:
    """Return the place name and kind for a village or residents' committee name.

    "棋盘村委会" → ("棋盘村", village); "茅村村委会" → ("茅村", village); "前进居委会" → ("前进社区", community).
    """
    for suffix in ("居民委员会", "居委会"):
        if committee.endswith(suffix):
            base = committee.removesuffix(suffix)
            return (base if base.endswith("社区") else base + "社区"), PostKind.COMMUNITY
    for suffix in ("村民委员会", "村委会"):
        if committee.endswith(suffix):
            base = committee.removesuffix(suffix)
            return (base if base.endswith("村") else base + "村"), PostKind.VILLAGE
    return committee, (PostKind.COMMUNITY if "社区" in committee else PostKind.VILLAGE)


def township_head_titles(township: str) -> tuple[str, str]:
    """Return the titles of a township's Party secretary and government head."""
    if township.endswith("街道"):
        return "党工委书记", "办事处主任"
    if township.endswith("乡"):
        return "党委书记", "乡长"
    return "党委书记", "镇长"


def title_for(rank: int, unit_name: str) -> str:
    """Return a plausible post title for a rank in a unit (局长, 处长, 科员 …)."""
    if rank >= Rank.DEPUTY_DIVISION and unit_name.startswith("威海市"):
        head = "主任" if unit_name.endswith(("委员会", "委")) else "部长" if unit_name.endswith("部") else "局长"
        return ("副" if rank == Rank.DEPUTY_DIVISION else "") + head
    return {
        Rank.CLERK: "办事员",
        Rank.STAFF: "一级科员",
        Rank.DEPUTY_SECTION: "一级主任科员" if unit_name.startswith("山东") else "副科长",
        Rank.SECTION: "四级调研员" if unit_name.startswith("山东") else "科长",
        Rank.DEPUTY_DIVISION: "副处长",
        Rank.DIVISION: "处长",
    }.get(Rank(rank), "科员")


MIDDLE_POSITIONS: dict[str, list[tuple[str, Rank]]] = {
    "xingang-projects": [("综合科科长", Rank.SECTION), ("工程科副科长", Rank.DEPUTY_SECTION), ("科员", Rank.STAFF)],
    "xingang-economy": [("规划建设科科长", Rank.SECTION), ("副科长", Rank.DEPUTY_SECTION)],
    "xingang-investment": [("招商一科科长", Rank.SECTION), ("副科长", Rank.DEPUTY_SECTION)],
}
JUNIOR_POSITIONS: list[tuple[str, Rank]] = [
    ("科员", Rank.STAFF),
    ("科员", Rank.STAFF),
    ("办事员", Rank.CLERK),
    ("副科长", Rank.DEPUTY_SECTION),
]
YOUNG_POSITIONS: list[tuple[str, Rank]] = [
    ("一级科员", Rank.STAFF),
    ("一级科员", Rank.STAFF),
    ("二级科员", Rank.STAFF),
    ("四级主任科员", Rank.DEPUTY_SECTION),
]
PROVINCIAL_RANKS = [Rank.DEPUTY_DIVISION, Rank.SECTION, Rank.SECTION, Rank.DEPUTY_SECTION, Rank.STAFF]
CITY_RANKS = [Rank.CLERK, Rank.STAFF, Rank.DEPUTY_SECTION, Rank.SECTION, Rank.DEPUTY_DIVISION]
CITY_RANK_WEIGHTS = [5, 40, 25, 20, 10]

# The seven provincial units whose working groups went to Weihai (seed 004), five cadres each.
SHANDONG_UNITS: list[tuple[str, str, str]] = [
    ("sd-industry", "山东省工业和信息化厅", UnitKind.FUNCTIONAL_DEPARTMENT),
    ("sd-housing", "山东省住房和城乡建设厅", UnitKind.FUNCTIONAL_DEPARTMENT),
    ("sd-agriculture", "山东省农业农村厅", UnitKind.FUNCTIONAL_DEPARTMENT),
    ("sd-discipline", "山东省纪委监委机关", UnitKind.OTHER),
    ("sd-publicity", "中共山东省委宣传部", UnitKind.OTHER),
    ("sd-police-college", "山东警察学院", UnitKind.INSTITUTION),
    ("sd-transport-college", "山东交通学院", UnitKind.INSTITUTION),
]
SHANDONG_TAGS: dict[str, tuple[str, ...]] = {
    "sd-industry": ("经济", "产业链"),
    "sd-housing": ("建设", "规划"),
    "sd-agriculture": ("农业",),
    "sd-discipline": ("法律", "督查"),
    "sd-publicity": ("宣传", "文旅"),
    "sd-police-college": ("法律", "信息化"),
    "sd-transport-college": ("交通", "人才服务"),
}
# Weihai's city departments: key, name, expertise pool, share of the 2,400 city cadres.
WEIHAI_DEPARTMENTS: list[tuple[str, str, list[str], int]] = [
    ("weihai-development", "威海市发展和改革委员会", ["经济", "项目管理", "政策"], 8),
    ("weihai-industry", "威海市工业和信息化局", ["经济", "产业链", "政策"], 10),
    ("weihai-science", "威海市科学技术局", ["科技", "人才服务"], 5),
    ("weihai-commerce", "威海市商务局", ["招商", "外贸"], 8),
    ("weihai-finance", "威海市财政局", ["财务", "政策"], 6),
    ("weihai-hr", "威海市人力资源和社会保障局", ["人才服务", "政策"], 6),
    ("weihai-land", "威海市自然资源和规划局", ["规划", "用地审批"], 6),
    ("weihai-housing", "威海市住房和城乡建设局", ["建设", "规划"], 7),
    ("weihai-transport", "威海市交通运输局", ["交通", "建设"], 5),
    ("weihai-agriculture", "威海市农业农村局", ["农业", "乡村振兴"], 8),
    ("weihai-ocean", "威海市海洋发展局", ["海洋渔业", "农业"], 6),
    ("weihai-culture", "威海市文化和旅游局", ["文旅", "宣传"], 4),
    ("weihai-health", "威海市卫生健康委员会", ["卫生健康", "社区治理"], 6),
    ("weihai-market", "威海市市场监督管理局", ["市场监管", "法律"], 6),
    ("weihai-environment", "威海市生态环境局", ["环评", "法律"], 4),
    ("weihai-civil", "威海市民政局", ["社区治理", "政策"], 4),
    ("weihai-approval", "威海市行政审批服务局", ["用地审批", "环评", "政策"], 4),
    ("weihai-publicity", "中共威海市委宣传部", ["宣传", "文旅"], 3),
]
