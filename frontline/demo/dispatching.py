"""The demo's dispatch data: the campaigns of the five programs, who went where, and one matching run.

- 新港园区 "干部素质提升年": 10 项目专员 at key projects who together 包保 all 49 key projects,
  25 党建指导员 one per key enterprise, 24 网格长 at grids (demo-grid's cadre among them).
- 曾都区: the 50 young cadres released full time to projects, the enterprise and communities.
- 威海 "四进": 7 provincial working groups (35 cadres) and 490 city groups (2,400 cadres).
- 漯河: the flour mill states its own need for a cadre from the grain bureau; a matching run
  picks the bureau's deputy director and is approved, which creates the deployment.
- 连云港 "一线考察": the 66 township Party and government heads stay in their townships (part
  time, role 乡镇党政正职); each pair answers for its township's key project, where the city's
  inspection group looks at the progress ("看重大项目建设进展").

Everything goes through the dispatch services (validated and audited); the large batches use the
bulk paths so that the whole demo stays fast.
"""

from collections.abc import Sequence
from datetime import date
from itertools import cycle

from frontline.cadres.models import Cadre, ExpertiseTag, Rank
from frontline.core.models import AuditAction
from frontline.dispatch.models import (
    Campaign,
    CampaignStatus,
    Deployment,
    DeploymentRole,
    ResponsibilityLevel,
    WorkingGroup,
    frontline_kind_of,
)
from frontline.dispatch.runs import (
    RunParams,
    matching_run_approve,
    matching_run_approve_execute,
    matching_run_execute,
    matching_run_start,
)
from frontline.dispatch.services import (
    CampaignData,
    NewDeployment,
    PostNeedData,
    audit_many,
    campaign_create,
    deployment_bulk_create,
    post_need_create,
    responsibility_create,
)
from frontline.org.models import Unit
from frontline.posts.models import Post, PostKind, ProjectStage
from frontline.posts.services import PostData, post_create

XINGANG_CAMPAIGN = "干部素质提升年"
ZENGDU_CAMPAIGN = "年轻干部全脱产下沉一线"
WEIHAI_CAMPAIGN = "“四进”攻坚行动"
LUOHE_CAMPAIGN = "驻企特派员助企复工复产"
LIANYUNGANG_CAMPAIGN = "一线考察"
TOWNSHIP_HEAD_ROLE = ("township_head", "乡镇党政正职")
# The key project each township without one named in the article answers for (项目攻坚).
TOWNSHIP_PROJECT_KINDS = (
    "现代农业产业园",
    "乡村振兴示范片区",
    "工业集中区标准厂房",
    "农村人居环境整治",
    "特色小镇基础设施",
    "高标准农田建设",
)

# Which role a cadre takes at each kind of post, when the program does not say otherwise.
ROLE_FOR_KIND = {
    PostKind.PROJECT: "project_commissioner",
    PostKind.ENTERPRISE: "enterprise_commissioner",
    PostKind.VILLAGE: "first_secretary",
    PostKind.COMMUNITY: "first_secretary",
    PostKind.GRID: "grid_head",
}


def _cadres_under(unit: Unit) -> list[Cadre]:
    """The cadres of a unit's subtree in the order the demo created them."""
    return list(Cadre.objects.filter(home_unit__path__startswith=unit.path).select_related("home_unit").order_by("pk"))


def _kind(post: Post) -> str:
    parent = post.parent
    return frontline_kind_of(post.kind, parent.kind if parent else None)


def _targets(posts: Sequence[Post]) -> dict[str, int]:
    targets: dict[str, int] = {}
    for post in posts:
        kind = _kind(post)
        targets[kind] = targets.get(kind, 0) + 1
    return targets


def _campaign(
    name: str, unit: Unit, start: date, end: date | None, description: str, posts: Sequence[Post]
) -> Campaign:
    return campaign_create(
        actor=None,
        data=CampaignData(
            name=name,
            organizing_unit=unit,
            start_date=start,
            end_date=end,
            description=description,
            status=CampaignStatus.ACTIVE,
            targets=_targets(posts),
        ),
    )


def build_dispatch(units: dict[str, Unit], *, grid_cadre: Cadre | None) -> str:
    """Create the campaigns, working groups, deployments, 包保 and the Luohe matching run."""
    roles = {r.code: r for r in DeploymentRole.objects.all()}
    parts = [
        _xingang(units, roles, grid_cadre),
        _zengdu(units, roles),
        _weihai(units, roles),
        _luohe(units, roles),
        _lianyungang(units),
    ]
    return "；".join(parts)


def _xingang(units: dict[str, Unit], roles: dict[str, DeploymentRole], grid_cadre: Cadre | None) -> str:
    cadres = _cadres_under(units["xingang"])
    assert len(cadres) == 59, len(cadres)
    project_cadres, enterprise_cadres, grid_cadres = cadres[:10], cadres[10:35], cadres[35:]
    key_projects = list(
        Post.objects.filter(unit=units["xingang-projects"], kind=PostKind.PROJECT, is_key=True, parent=None).order_by(
            "pk"
        )
    )
    enterprises = list(
        Post.objects.filter(unit=units["xingang-economy"], kind=PostKind.ENTERPRISE, is_key=True).order_by("pk")
    )
    grids = list(
        Post.objects.filter(unit=units["weiyuankou"], kind=PostKind.GRID).select_related("parent").order_by("pk")
    )
    # Community grids first: the grid heads serve where most residents are.
    grids.sort(key=lambda g: (g.parent is None or g.parent.kind != PostKind.COMMUNITY, g.pk))
    grids = grids[:24]
    if grid_cadre is not None and grid_cadre in grid_cadres:  # demo-grid heads the first grid
        grid_cadres.remove(grid_cadre)
        grid_cadres.insert(0, grid_cadre)
    items = (
        [
            NewDeployment(cadre=c, post=p, role=roles["project_commissioner"])
            for c, p in zip(project_cadres, key_projects, strict=False)
        ]
        + [
            NewDeployment(cadre=c, post=p, role=roles["party_building_instructor"])
            for c, p in zip(enterprise_cadres, enterprises, strict=True)
        ]
        + [NewDeployment(cadre=c, post=p, role=roles["grid_head"]) for c, p in zip(grid_cadres, grids, strict=True)]
    )
    start, end = date(2025, 3, 1), date(2025, 12, 31)
    campaign = _campaign(
        XINGANG_CAMPAIGN,
        units["xingang"],
        start,
        end,
        "园区 59 名干部下沉一线：10 名项目专员、25 名党建指导员、24 名网格长（楼栋长）",
        [item.post for item in items],
    )
    deployment_bulk_create(actor=None, items=items, start_date=start, planned_end=end, campaign=campaign)
    # Every key project has a leadership-level 包保 cadre: the ten commissioners share the 49.
    for project, cadre in zip(key_projects, cycle(project_cadres), strict=False):
        responsibility_create(
            actor=None,
            cadre=cadre,
            post=project,
            level=ResponsibilityLevel.LEADERSHIP,
            start_date=start,
            end_date=end,
            campaign=campaign,
        )
    return f"新港园区 {len(items)} 人下沉、{len(key_projects)} 个重点项目包保"


def _zengdu(units: dict[str, Unit], roles: dict[str, DeploymentRole]) -> str:
    cadres = _cadres_under(units["zengdu"])
    assert len(cadres) == 50, len(cadres)
    township_ids = {units[k].pk for k in ("yunshui", "dongcheng", "luoyang")}
    grassroots = [c for c in cadres if c.home_unit_id in township_ids]
    others = [c for c in cadres if c.home_unit_id not in township_ids]
    communities = list(
        Post.objects.filter(
            unit=units["yunshui"], parent=None, kind__in=[PostKind.COMMUNITY, PostKind.VILLAGE]
        ).order_by("kind", "pk")
    )
    enterprise = Post.objects.get(name="星辰新能源汽车有限公司")
    projects = list(
        Post.objects.filter(unit__path__startswith=units["zengdu"].path, kind=PostKind.PROJECT).order_by(
            "-is_key", "pk"
        )
    )
    places: list[Post] = [enterprise]
    places += [communities[i % len(communities)] for i in range(len(grassroots))]
    places += projects[: len(others) - 1]
    people = others[:1] + grassroots + others[1:]
    items = [
        NewDeployment(cadre=c, post=p, role=roles[ROLE_FOR_KIND[PostKind(p.kind)]])
        for c, p in zip(people, places, strict=True)
    ]
    start, end = date(2025, 6, 1), date(2025, 12, 31)
    campaign = _campaign(
        ZENGDU_CAMPAIGN, units["zengdu"], start, end, "50 名年轻干部全脱产下沉项目、企业和社区", places
    )
    deployment_bulk_create(actor=None, items=items, start_date=start, planned_end=end, campaign=campaign)
    return f"曾都区 {len(items)} 人下沉"


def _weihai(units: dict[str, Unit], roles: dict[str, DeploymentRole]) -> str:
    weihai_cadres = _cadres_under(units["weihai"])
    provincial = [c for c in _cadres_under(units["shandong"]) if not c.home_unit.path.startswith(units["weihai"].path)]
    assert len(provincial) == 35, len(provincial)
    assert len(weihai_cadres) == 2400, len(weihai_cadres)
    posts = list(
        Post.objects.filter(unit__path__startswith=units["weihai"].path, parent=None)
        .select_related("parent")
        .order_by("-is_key", "pk")
    )
    projects = [p for p in posts if p.kind == PostKind.PROJECT]
    start, end = date(2020, 2, 10), date(2020, 12, 31)
    # Teams of five (the city's last 50 teams have four), each led by its first member.
    teams: list[tuple[str, list[Cadre], Post]] = []
    by_unit: dict[int, list[Cadre]] = {}
    for cadre in provincial:
        by_unit.setdefault(cadre.home_unit_id, []).append(cadre)
    unit_names = dict(Unit.objects.filter(pk__in=list(by_unit)).values_list("pk", "name"))
    for n, (unit_id, members) in enumerate(by_unit.items()):
        teams.append((f"省派{unit_names[unit_id]}工作组", members, projects[n]))
    sizes = [5] * 440 + [4] * 50
    offset = 0
    for n, size in enumerate(sizes):
        members = weihai_cadres[offset : offset + size]
        offset += size
        teams.append((f"市派第{n + 1}工作组", members, posts[n % len(posts)]))
    campaign = _campaign(
        WEIHAI_CAMPAIGN,
        units["weihai"],
        start,
        end,
        "省派 7 个工作组 35 名干部、市派 490 个工作组 2400 名干部进企业、进项目、进乡村、进社区",
        [post for _n, members, post in teams for _c in members],
    )
    groups = WorkingGroup.objects.bulk_create(
        [
            WorkingGroup(campaign=campaign, name=name, leader=members[0], post=post, region_id=post.region_id)
            for name, members, post in teams
        ],
        batch_size=500,
    )
    Through = WorkingGroup.members.through
    Through.objects.bulk_create(
        [
            Through(workinggroup_id=g.pk, cadre_id=c.pk)
            for g, (_n, members, _p) in zip(groups, teams, strict=True)
            for c in members
        ],
        batch_size=1000,
    )
    audit_many(
        actor=None,
        action=AuditAction.CREATE,
        rows=[
            (
                g,
                {
                    "campaign": (None, campaign.name),
                    "leader": (None, members[0].name),
                    "members": (None, sorted(c.name for c in members)),
                    "post": (None, post.name),
                },
            )
            for g, (_n, members, post) in zip(groups, teams, strict=True)
        ],
        note="demo data",
    )
    items = [
        NewDeployment(cadre=c, post=post, role=roles[ROLE_FOR_KIND[PostKind(post.kind)]])
        for _n, members, post in teams
        for c in members
    ]
    deployments = deployment_bulk_create(actor=None, items=items, start_date=start, planned_end=end, campaign=campaign)
    group_of = {c.pk: g.pk for g, (_n, members, _p) in zip(groups, teams, strict=True) for c in members}
    for d in deployments:
        d.working_group_id = group_of[d.cadre_id]
    Deployment.objects.bulk_update(deployments, ["working_group"], batch_size=500)
    return f"威海 {len(groups)} 个工作组、{len(deployments)} 人下沉"


def _luohe(units: dict[str, Unit], roles: dict[str, DeploymentRole]) -> str:
    campaign = luohe_campaign(units, roles)
    created = luohe_match(campaign, units)
    return f"漯河 匹配方案批准 {created} 人"


def luohe_campaign(units: dict[str, Unit], roles: dict[str, DeploymentRole]) -> Campaign:
    """Create Luohe's campaign and the flour mill's own need for a grain-bureau cadre (no run yet)."""
    mill = Post.objects.get(name="中粮面业（漯河）有限公司")
    grain = units["luohe-grain"]
    campaign = _campaign(
        LUOHE_CAMPAIGN, units["luohe"], date(2020, 2, 10), date(2020, 6, 30), "向重点企业选派驻企特派员", [mill]
    )
    post_need_create(
        actor=None,
        post=mill,
        data=PostNeedData(
            role=roles["enterprise_commissioner"],
            preferred_units=[grain],
            expertise=list(ExpertiseTag.objects.filter(name="粮食流通")),
            rank_min=Rank.DEPUTY_DIVISION,
            note="复工后小麦原料不足，希望派粮食局的干部协调小麦出库",
            submitted_by_requester=True,
            requester_contact="企业办公室",
        ),
    )
    return campaign


def luohe_match(campaign: Campaign, units: dict[str, Unit]) -> int:
    """Run the matching over the grain bureau's cadres and approve it; return the deployments created."""
    grain = units["luohe-grain"]
    start = date(2020, 2, 12)
    run = matching_run_start(actor=None, campaign=campaign, params=RunParams(unit_ids=(grain.pk,), start_date=start))
    run = matching_run_execute(run_id=run.pk)
    run = matching_run_approve(actor=None, run=run, expected_version=run.version, today=start)
    # The approval task would run after the commit; the demo carries it out at once.
    created = matching_run_approve_execute(run_id=run.pk, today=start)
    if not created:
        run.refresh_from_db()
        raise RuntimeError(f"漯河的匹配方案未能批准：{run.error}")
    return len(created)


def _lianyungang(units: dict[str, Unit]) -> str:
    """The city's "一线考察" of its township heads: both heads of a township at its key project."""
    role, _created = DeploymentRole.objects.get_or_create(
        code=TOWNSHIP_HEAD_ROLE[0], defaults={"name": TOWNSHIP_HEAD_ROLE[1], "post_kinds": [], "sort_order": 200}
    )
    heads = _cadres_under(units["lianyungang"])
    assert len(heads) == 66, len(heads)
    by_township: dict[int, list[Cadre]] = {}
    for cadre in heads:
        by_township.setdefault(cadre.home_unit_id, []).append(cadre)
    named = {
        post.unit_id: post
        for post in Post.objects.filter(unit_id__in=list(by_township), kind=PostKind.PROJECT, is_key=True).order_by(
            "-pk"
        )
    }
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    items: list[NewDeployment] = []
    for n, (unit_id, pair) in enumerate(by_township.items()):
        post = named.get(unit_id)
        if post is None:
            township = pair[0].home_unit
            post = post_create(
                actor=None,
                data=PostData(
                    kind=PostKind.PROJECT,
                    name=f"{township.name}{TOWNSHIP_PROJECT_KINDS[n % len(TOWNSHIP_PROJECT_KINDS)]}项目",
                    region_code=township.region.code,
                    unit_id=unit_id,
                    is_key=True,
                    stage=ProjectStage.CONSTRUCTION,
                    description="乡镇党政正职包保的重点项目，市委组织部一线考察时查看建设进展",
                ),
                today=start,
            )
        items += [NewDeployment(cadre=c, post=post, role=role) for c in pair]
    campaign = _campaign(
        LIANYUNGANG_CAMPAIGN,
        units["lianyungang"],
        start,
        end,
        "在招商引资、项目攻坚、乡村振兴、社会治理、舆情化解“五个一线”考察乡镇（街道）党政正职",
        [item.post for item in items],
    )
    deployment_bulk_create(
        actor=None, items=items, start_date=start, planned_end=end, is_full_time=False, campaign=campaign
    )
    return f"连云港 {len(items)} 名乡镇党政正职一线考察"
