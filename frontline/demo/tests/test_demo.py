"""The demo data holds the seed articles' real figures, in the right scopes, with valid generated people.

The demo is built once for the module (about ten seconds) inside a transaction that is rolled
back at the end; each test runs in its own savepoint on top of it. The callbacks the build leaves
for the commit (the workflow's notifications, the demo's dating of them) run as if it committed.
"""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import Client, TestCase, override_settings

from frontline.cadres.models import Cadre, Rank
from frontline.cadres.selectors import cadre_list
from frontline.core import crypto
from frontline.core.access import access_for
from frontline.core.idcodes import parse_resident_id, validate_mobile, validate_uscc
from frontline.core.models import AuditAction, AuditLog, DataScope, User
from frontline.demo.builder import DEMO_LOGINS, DemoAlreadyLoaded, build_demo, demo_is_loaded
from frontline.demo.catalog import township_head_titles, village_post_name
from frontline.demo.people import ARTICLE_NAMES, PersonGenerator
from frontline.dispatch.models import Campaign
from frontline.org.models import Region, RegionLevel, Unit
from frontline.posts.models import Post, PostKind
from frontline.posts.selectors import post_list

TODAY = date(2026, 1, 1)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        with TestCase.captureOnCommitCallbacks(execute=True):
            summary = build_demo(log=lambda _message: None, all_regions=False)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def users(demo, db) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}


def names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


# Who sees which cadres -----------------------------------------------------------------------


def test_the_park_office_sees_exactly_the_59_park_cadres(users):
    cadres = cadre_list(user=users["demo-xingang"])
    assert cadres.count() == 59
    park = Unit.objects.get(name="新港园区")
    assert Cadre.objects.filter(home_unit__path__startswith=park.path).count() == 59


def test_the_park_cadres_are_10_for_projects_25_for_enterprises_and_24_for_grassroots(users):
    cadres = cadre_list(user=users["demo-xingang"])
    grassroots = cadres.filter(home_unit__name="韦源口镇")
    enterprise = cadres.exclude(home_unit__name="韦源口镇").filter(expertise__name="党建").distinct()
    project = cadres.exclude(pk__in=grassroots).exclude(pk__in=enterprise)
    assert (project.count(), enterprise.count(), grassroots.count()) == (10, 25, 24)
    for cadre in project:
        assert {"规划", "建设", "经济"} & set(cadre.expertise.values_list("name", flat=True))
    assert enterprise.filter(expertise__name="政策").count() == 25
    assert grassroots.filter(expertise__name="社区治理").count() == 24


def test_zengdu_sees_its_50_young_cadres_released_full_time(users):
    cadres = cadre_list(user=users["demo-zengdu"])
    assert cadres.count() == 50
    assert all(1990 <= c.birth_date.year <= 2000 for c in cadres)
    assert cadres.filter(full_time_eligible=True).count() == 50


def test_zengdu_cannot_see_any_park_cadre(users):
    park_cadre = cadre_list(user=users["demo-xingang"]).first()
    assert park_cadre is not None
    assert not cadre_list(user=users["demo-zengdu"]).filter(pk=park_cadre.pk).exists()
    park_ids = cadre_list(user=users["demo-xingang"]).values("pk")
    assert not cadre_list(user=users["demo-zengdu"]).filter(pk__in=park_ids).exists()


def test_the_province_sees_the_park_and_zengdu_and_nothing_outside_hubei(users):
    cadres = cadre_list(user=users["demo-hubei"])
    assert cadres.count() == 59 + 50
    assert not cadres.exclude(home_unit__region__code__startswith="42").exists()


def test_lianyungang_sees_its_66_township_heads_of_section_rank(users):
    heads = cadre_list(user=users["demo-lianyungang"])
    assert heads.count() == 66
    assert heads.filter(rank=Rank.SECTION).count() == 66
    assert all(1970 <= c.birth_date.year <= 1985 for c in heads)
    assert heads.values("home_unit").distinct().count() == 33
    positions = set(heads.values_list("position", flat=True))
    assert {"高公岛街道办事处主任", "燕尾港镇党委书记"} <= positions


def test_luohe_has_the_grain_bureaus_deputy_director(users):
    cadres = cadre_list(user=users["demo-luohe"])
    deputy = cadres.get(home_unit__name="漯河市粮食和物资储备局", rank=Rank.DEPUTY_DIVISION)
    assert "副局长" in deputy.position
    assert cadres.count() == 5


def test_weihai_sees_2400_city_cadres_and_shandong_the_35_provincial_ones_too(users):
    assert cadre_list(user=users["demo-weihai"]).count() == 2400
    shandong = cadre_list(user=users["demo-shandong"])
    assert shandong.count() == 2435
    provincial = shandong.exclude(home_unit__path__startswith=Unit.objects.get(name="中共威海市委").path)
    assert provincial.count() == 35
    assert provincial.values("home_unit").distinct().count() == 7
    assert provincial.filter(home_unit__name="山东警察学院").count() == 5


def test_the_grid_head_sees_only_their_own_record(users):
    grid_head = users["demo-grid"]
    own = list(cadre_list(user=grid_head))
    assert len(own) == 1
    assert own[0].user == grid_head
    assert own[0].home_unit.name == "韦源口镇"
    assert own[0].expertise.filter(name="社区治理").exists()


def test_the_auditor_may_read_the_audit_log_and_the_admin_everything(users):
    auditor, admin = access_for(users["demo-auditor"]), access_for(users["demo-admin"])
    assert auditor.can_audit
    assert not auditor.can_edit
    assert admin.scope == DataScope.ALL
    assert admin.can_admin_org
    assert cadre_list(user=users["demo-admin"]).count() == Cadre.objects.count() == 59 + 50 + 66 + 5 + 35 + 2400


def test_every_demo_login_exists_and_signs_in_with_the_demo_password(users, settings):
    assert sorted(users) == sorted(username for username, _ in DEMO_LOGINS)
    for username in ("demo-xingang", "demo-grid"):
        assert Client().login(username=username, password=settings.FRONTLINE_DEMO_PASSWORD)


# Posts --------------------------------------------------------------------------------------


def test_the_park_has_49_key_projects_and_25_key_enterprises(users):
    posts = post_list(user=users["demo-xingang"])
    key_projects = posts.filter(kind=PostKind.PROJECT, is_key=True)
    assert key_projects.count() == 49
    assert {"弘盛铜业项目", "湖北优科项目"} <= names(key_projects)
    sub_projects = posts.filter(kind=PostKind.PROJECT, parent__isnull=False)
    assert sub_projects.exists()
    assert not sub_projects.filter(is_key=True).exists()
    assert set(sub_projects.values_list("parent_id", flat=True)) <= set(key_projects.values_list("pk", flat=True))
    enterprises = posts.filter(kind=PostKind.ENTERPRISE, is_key=True)
    assert enterprises.count() == 25
    for enterprise in enterprises:
        assert validate_uscc(enterprise.uscc) == enterprise.uscc
        assert enterprise.uscc[2:8] == "420222"
        assert enterprise.industry
        assert enterprise.size


def test_the_park_has_every_village_and_community_of_weiyuankou_with_grids_and_buildings(users):
    posts = post_list(user=users["demo-xingang"])
    places = posts.filter(kind__in=[PostKind.VILLAGE, PostKind.COMMUNITY])
    villages = Region.objects.filter(code__startswith="420222103", level=RegionLevel.VILLAGE)
    assert villages.count() == 19
    assert set(places.values_list("region_id", flat=True)) == set(villages.values_list("code", flat=True))
    assert places.filter(kind=PostKind.COMMUNITY, name="韦源口社区").exists()
    grids = posts.filter(kind=PostKind.GRID)
    assert grids.count() >= 24
    assert not grids.exclude(parent__kind__in=[PostKind.VILLAGE, PostKind.COMMUNITY]).exists()
    buildings = posts.filter(kind=PostKind.BUILDING)
    assert buildings.exists()
    assert not buildings.exclude(parent__kind=PostKind.GRID).exists()
    assert not posts.filter(latitude__isnull=True).exists()
    assert not posts.exclude(latitude__range=(29.9, 30.2), longitude__range=(115.0, 115.4)).exists()


def test_zengdu_has_93_signed_projects_over_100_million_of_which_55_started(users):
    projects = post_list(user=users["demo-zengdu"], kind=PostKind.PROJECT).filter(investment__gte=10_000)
    assert projects.count() == 93
    assert projects.filter(actual_start__isnull=False).count() == 55
    renewal = post_list(user=users["demo-zengdu"]).get(name="新农湾改造项目")
    assert renewal.region.parent_id == "421303005000"  # 涢水街道
    assert post_list(user=users["demo-zengdu"], kind=PostKind.ENTERPRISE).filter(name="星辰新能源汽车有限公司").exists()


def test_the_other_programs_have_the_places_the_articles_name(users):
    assert post_list(user=users["demo-luohe"]).filter(name="中粮面业（漯河）有限公司").exists()
    lianyungang = names(post_list(user=users["demo-lianyungang"]))
    assert {"盛邦新材芳纶产业园项目", "高公岛休闲渔业项目"} <= lianyungang
    weihai = post_list(user=users["demo-weihai"])
    named = {"迪尚医疗科技有限公司", "明池玻璃", "凯丽特种纸股份有限公司", "新北洋智能终端设备产业园项目"}
    assert named <= names(weihai)
    key_projects = weihai.filter(kind=PostKind.PROJECT, is_key=True)
    assert key_projects.count() == 202
    assert key_projects.filter(actual_start__isnull=False).count() == 188
    assert weihai.get(name="学府社区").households == 3000


def test_no_post_is_visible_across_provinces(users):
    assert not post_list(user=users["demo-hubei"]).exclude(region__code__startswith="42").exists()
    assert not post_list(user=users["demo-lianyungang"]).exclude(region__code__startswith="3207").exists()


# The generated people -------------------------------------------------------------------------


def test_every_resident_id_and_mobile_is_valid_and_matches_the_record(demo, db):
    for cadre in Cadre.objects.all():
        rid = parse_resident_id(crypto.decrypt(cadre.id_number_encrypted), today=TODAY)
        assert (rid.birth_date, rid.gender, rid.masked) == (cadre.birth_date, cadre.gender, cadre.id_number_masked)
        assert cadre.residence_region is not None
        assert rid.region_code[:2] == cadre.residence_region.code[:2]
        assert validate_mobile(crypto.decrypt(cadre.phone_encrypted))


def test_no_cadre_or_user_bears_a_name_from_the_articles(demo, db):
    everyone = names(Cadre.objects.all()) | set(User.objects.values_list("full_name", flat=True))
    assert not everyone & ARTICLE_NAMES
    for name in ("陈灿", "崔艳梅", "林宇飞", "王明铁", "吕娜", "史沛钊", "钟翊玮", "伏广琛"):
        assert name not in everyone


def test_every_cadre_was_created_through_the_audited_service(demo, db):
    created = AuditLog.objects.filter(object_type="cadres.cadre", action=AuditAction.CREATE).count()
    assert created == Cadre.objects.count()


# Loading twice ----------------------------------------------------------------------------------


def test_building_twice_refuses_and_duplicates_nothing(demo, db):
    before = (Cadre.objects.count(), Post.objects.count(), Unit.objects.count(), User.objects.count())
    assert demo_is_loaded()
    with pytest.raises(DemoAlreadyLoaded):
        build_demo(log=lambda _message: None, all_regions=False)
    with pytest.raises(CommandError, match="演示数据已经加载"):
        call_command("demo")
    call_command("demo", "--if-empty")
    assert (Cadre.objects.count(), Post.objects.count(), Unit.objects.count(), User.objects.count()) == before


def test_the_summary_reports_the_real_figures(demo):
    assert "新港园区 59 名干部、49 个重点项目、25 家重点企业" in demo
    assert "93 个亿元以上项目（55 个已开工）" in demo
    assert "连云港 66 名" in demo


# Pure helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("committee", "expected"),
    [
        ("棋盘村委会", ("棋盘村", PostKind.VILLAGE)),
        ("茅村村委会", ("茅村", PostKind.VILLAGE)),
        ("韦源口社区居委会", ("韦源口社区", PostKind.COMMUNITY)),
        ("前进居委会", ("前进社区", PostKind.COMMUNITY)),
        ("风光社区居民委员会", ("风光社区", PostKind.COMMUNITY)),
        ("涢水社区", ("涢水社区", PostKind.COMMUNITY)),
    ],
)
def test_village_post_names_drop_the_committee_suffix(committee, expected):
    assert village_post_name(committee) == expected


def test_township_heads_are_titled_by_the_kind_of_township():
    assert township_head_titles("高公岛街道") == ("党工委书记", "办事处主任")
    assert township_head_titles("燕尾港镇") == ("党委书记", "镇长")
    assert township_head_titles("前三岛乡") == ("党委书记", "乡长")


def test_the_person_generator_is_deterministic_and_its_codes_are_valid():
    import random

    first, second = PersonGenerator(random.Random(7)), PersonGenerator(random.Random(7))
    assert [first.name("M") for _ in range(20)] == [second.name("M") for _ in range(20)]
    for _ in range(300):
        birth = first.birth_date(1970, 2000)
        number = first.resident_id(region6="420222", birth=birth, gender="F")
        assert parse_resident_id(number, today=TODAY).gender == "F"
        assert validate_uscc(first.credit_code(region6="420222"))[2:8] == "420222"


# Done-when of the foundation: the park's office sees exactly its 59 through the page and the API --


def demo_client(username: str) -> Client:
    from django.conf import settings

    client = Client()
    assert client.login(username=username, password=settings.FRONTLINE_DEMO_PASSWORD)
    return client


def test_the_park_office_sees_its_59_cadres_on_the_page_and_through_the_api(users):
    client = demo_client("demo-xingang")
    assert "共 59 条" in client.get("/cadres/").content.decode()
    listing = client.get("/api/v1/cadres", {"limit": 100}).json()
    assert listing["count"] == 59
    park = Unit.objects.get(name="新港园区")
    assert {item["id"] for item in listing["items"]} == set(
        Cadre.objects.filter(home_unit__path__startswith=park.path).values_list("pk", flat=True)
    )


def test_zengdu_gets_404_on_every_park_cadre_in_pages_and_api(users):
    client = demo_client("demo-zengdu")
    park = Unit.objects.get(name="新港园区")
    for pk in Cadre.objects.filter(home_unit__path__startswith=park.path).values_list("pk", flat=True):
        assert client.get(f"/cadres/{pk}/").status_code == 404
        assert client.get(f"/api/v1/cadres/{pk}").status_code == 404


# Dispatch: campaigns, deployments, 包保, working groups, the Luohe matching run -------------------


def test_the_park_campaign_deploys_its_59_cadres_10_25_24_by_role(demo, db):
    from frontline.dispatch.models import Deployment, DeploymentStatus

    campaign = Campaign.objects.get(name="干部素质提升年", organizing_unit__name="新港园区")
    active = Deployment.objects.filter(campaign=campaign, status=DeploymentStatus.ACTIVE)
    assert active.count() == 59
    assert active.values("cadre").distinct().count() == 59
    by_role = dict(active.values_list("role__code").annotate(n=Count("id")))
    assert by_role == {"project_commissioner": 10, "party_building_instructor": 25, "grid_head": 24}
    assert set(active.filter(role__code="project_commissioner").values_list("post__kind", flat=True)) == {"project"}
    assert active.filter(role__code="party_building_instructor").values("post").distinct().count() == 25
    assert set(active.filter(role__code="grid_head").values_list("post__kind", flat=True)) == {"grid"}
    assert sum(campaign.targets.values_list("target", flat=True)) == 59
    grid_user = User.objects.get(username="demo-grid")
    assert active.get(cadre__user=grid_user).post.kind == PostKind.GRID


def test_each_of_the_49_key_projects_has_a_leadership_baobao(demo, db):
    from frontline.dispatch.models import ResponsibilityAssignment, ResponsibilityLevel

    park = Unit.objects.get(name="新港园区")
    key = Post.objects.filter(unit__path__startswith=park.path, kind=PostKind.PROJECT, is_key=True, parent=None)
    assert key.count() == 49
    covered = ResponsibilityAssignment.objects.filter(
        post__in=key, level=ResponsibilityLevel.LEADERSHIP, campaign__name="干部素质提升年"
    )
    assert covered.values("post").distinct().count() == 49
    assert set(covered.values_list("cadre__deployments__role__code", flat=True)) == {"project_commissioner"}


def test_zengdu_deploys_its_50_young_cadres_full_time(demo, db):
    from frontline.dispatch.models import Deployment

    zengdu = Unit.objects.get(name="中共曾都区委")
    deployments = Deployment.objects.filter(campaign__organizing_unit=zengdu, is_full_time=True)
    assert deployments.count() == 50
    assert set(deployments.values_list("post__kind", flat=True)) >= {"project", "enterprise"}


def test_weihai_has_497_working_groups_with_2435_cadres(demo, db):
    from frontline.dispatch.models import Deployment, WorkingGroup

    groups = WorkingGroup.objects.filter(campaign__name="“四进”攻坚行动")
    assert groups.count() == 497
    assert groups.filter(name__startswith="省派").count() == 7
    assert groups.filter(name__startswith="市派").count() == 490
    assert WorkingGroup.members.through.objects.filter(workinggroup__in=groups).count() == 2435
    deployments = Deployment.objects.filter(campaign__name="“四进”攻坚行动")
    assert deployments.count() == 2435
    assert not deployments.filter(working_group__isnull=True).exists()
    assert AuditLog.objects.filter(object_type="dispatch.workinggroup").count() == 497


def test_luohe_deployment_comes_from_an_approved_matching_run(demo, db):
    from frontline.dispatch.models import Deployment, DeploymentSource, MatchingRunStatus, PostNeed

    mill = Post.objects.get(name="中粮面业（漯河）有限公司")
    need = PostNeed.objects.get(post=mill)
    assert need.submitted_by_requester
    assert list(need.preferred_units.values_list("name", flat=True)) == ["漯河市粮食和物资储备局"]
    deployment = Deployment.objects.get(post=mill)
    assert deployment.source == DeploymentSource.MATCHING
    assert deployment.matching_run is not None
    assert deployment.matching_run.status == MatchingRunStatus.APPROVED
    assert deployment.cadre.home_unit.name == "漯河市粮食和物资储备局"
    assert deployment.cadre.rank == Rank.DEPUTY_DIVISION
    assert deployment.role.code == "enterprise_commissioner"


# The ledger: the seeds' problems, visits, ratings and matchmakings, as the scoped users see them --


def push_problems(user: User):
    from frontline.demo.ledgering import HUNDRED_DAYS
    from frontline.ledger.selectors import ProblemFilters, problem_list

    first, last = HUNDRED_DAYS
    return problem_list(user=user, filters=ProblemFilters(created_from=first, created_to=last))


def test_the_park_sees_62_project_problems_solved_in_the_hundred_day_push(users):
    from django.utils.timezone import localdate

    from frontline.demo.ledgering import HUNDRED_DAYS
    from frontline.ledger.models import ProblemStatus
    from frontline.org.models import UnitKind

    first, last = HUNDRED_DAYS
    assert (last - first).days + 1 == 100
    problems = push_problems(users["demo-xingang"]).select_related("rating", "department")
    assert problems.count() == 62
    assert problems.filter(status=ProblemStatus.CLOSED).count() == 62
    assert not problems.exclude(post__kind=PostKind.PROJECT, post__is_key=True).exists()
    for problem in problems:
        assert first <= localdate(problem.resolved_at) <= last
        assert localdate(problem.resolved_at) <= problem.resolve_due  # within its deadline
        assert problem.rating.satisfied
        assert problem.rating.created_at == problem.closed_at
        assert not problem.closed_without_confirmation
        assert problem.department.kind == UnitKind.FUNCTIONAL_DEPARTMENT
        assert problem.solution_plan.startswith("一个难题、一套方案")
        assert problem.resolution


def test_land_use_approval_and_environmental_acceptance_are_the_typical_blockers(users):
    from collections import Counter

    problems = push_problems(users["demo-xingang"])
    categories = Counter(problems.values_list("category__code", flat=True))
    assert categories.most_common(2) == [("land-approval", 16), ("environmental-review", 14)]
    assert {"infrastructure", "financing", "labour-hiring"} <= set(categories)
    by_department = dict(problems.values_list("category__code", "department__name").distinct())
    assert by_department["land-approval"] == "黄石市自然资源和规划局"
    assert by_department["environmental-review"] == "黄石市生态环境局"


def test_each_push_problem_was_logged_on_a_site_visit_by_the_commissioner_who_answers_for_the_project(users):
    from django.utils.timezone import localdate

    from frontline.dispatch.models import ResponsibilityAssignment, ResponsibilityLevel
    from frontline.ledger.models import ProblemSource

    problems = push_problems(users["demo-xingang"]).select_related("visit", "cadre", "created_by")
    weekend_visits = 0
    for problem in problems:
        assert problem.source == ProblemSource.VISIT
        assert problem.visit.post_id == problem.post_id
        assert problem.visit.cadre_user_id == problem.created_by_id
        assert problem.cadre.user_id == problem.created_by_id
        assert ResponsibilityAssignment.objects.filter(
            post=problem.post, cadre=problem.cadre, level=ResponsibilityLevel.LEADERSHIP
        ).exists()
        assert problem.visit.visited_at < problem.created_at
        weekend_visits += localdate(problem.visit.visited_at).weekday() >= 5
    assert weekend_visits >= 5  # "周末跑工地，问题不过夜"
    commissioner = problems.first().created_by
    assert not commissioner.has_usable_password()
    assert access_for(commissioner).scope == DataScope.OWN


def test_every_push_problem_has_a_timeline_in_order_matching_its_timestamps_and_audit(users):
    from django.utils.timezone import localdate

    from frontline.ledger.holidays import load_calendar
    from frontline.ledger.services import deadline_limits
    from frontline.ledger.workdays import add_working_days

    calendar = load_calendar()
    same_day = 0
    problems = push_problems(users["demo-xingang"]).select_related("category", "rating")
    for problem in problems:
        events = list(problem.events.order_by("id"))
        actions = [e.action for e in events]
        assert actions[:3] == ["register", "hand_over", "accept"]
        assert actions[-2:] == ["resolve", "confirm"]
        assert set(actions[3:-2]) <= {"update"}
        times = [e.created_at for e in events]
        assert times == sorted(times)
        assert times[0] == problem.created_at
        assert times[1] == problem.handed_over_at
        assert times[2] == problem.acknowledged_at
        assert times[-2] == problem.resolved_at
        assert times[-1] == problem.closed_at
        assert problem.clock_started_on == localdate(problem.handed_over_at)
        limit = deadline_limits(problem.category, problem.level).resolve_days
        assert problem.resolve_due == add_working_days(problem.clock_started_on, limit, calendar).due
        assert AuditLog.objects.filter(object_type="ledger.problem", object_id=str(problem.pk)).count() == len(events)
        # 问题不过夜: signed for the day it is handed over, or the next working day after a weekend visit.
        signed = localdate(problem.acknowledged_at)
        assert signed <= add_working_days(localdate(problem.handed_over_at), 1, calendar).due
        same_day += bool(problem.acknowledged_same_day)
    assert same_day > len(problems) / 2


def test_zengdu_sees_none_of_the_park_problems_and_gets_404_on_each(users):
    from frontline.ledger.models import Problem
    from frontline.ledger.selectors import problem_list

    park = Problem.objects.filter(post_unit__path__startswith=Unit.objects.get(name="新港园区").path)
    assert park.count() > 62
    assert not problem_list(user=users["demo-zengdu"]).filter(pk__in=park.values("pk")).exists()
    client = demo_client("demo-zengdu")
    for pk in park.values_list("pk", flat=True)[:8]:
        assert client.get(f"/ledger/problems/{pk}/").status_code == 404
        assert client.get(f"/api/v1/problems/{pk}").status_code == 404


def test_the_park_office_finds_the_62_on_the_problem_list_page(users):
    client = demo_client("demo-xingang")
    page = client.get("/ledger/problems/", {"created_from": "2025-04-01", "created_to": "2025-07-09"})
    assert "共 62 条" in page.content.decode()
    pk = push_problems(users["demo-xingang"]).first().pk
    detail = client.get(f"/ledger/problems/{pk}/").content.decode()
    assert "一个难题、一套方案" in detail


def test_the_grid_head_keeps_the_residents_medicine_purchases(users):
    from frontline.dispatch.models import Deployment
    from frontline.ledger.models import ProblemStatus, RequesterKind
    from frontline.ledger.selectors import my_open_problems, problem_list

    grid_head = users["demo-grid"]
    mine = problem_list(user=grid_head).select_related("post", "department", "cadre")
    assert mine.count() == 8
    grid = Deployment.objects.get(cadre__user=grid_head).post
    for problem in mine:
        assert problem.category.code == "livelihood"
        assert problem.requester_kind == RequesterKind.RESIDENT
        assert problem.created_by == grid_head
        assert problem.cadre is not None
        assert problem.cadre.user == grid_head
        assert problem.department is not None
        assert problem.department.name == "新港园区社会事务局"
        assert grid.pk in (problem.post.pk, problem.post.parent_id)
        assert problem.solution_plan.startswith("记入民情台账")
    closed = mine.filter(status=ProblemStatus.CLOSED)
    assert closed.count() == 6
    assert all(p.rating.satisfied for p in closed)
    reopened = closed.get(reopen_count=1)
    assert [e.action for e in reopened.events.order_by("id")][-4:] == ["reopen", "update", "resolve", "confirm"]
    assert my_open_problems(user=grid_head).count() == 2
    assert set(push_problems(grid_head).values_list("pk", flat=True)) == set()  # only the park's office sees the push


def test_the_luohe_wheat_problem_was_resolved_on_day_three_and_rated_satisfied(users):
    from django.utils.timezone import localdate

    from frontline.dispatch.models import Deployment
    from frontline.ledger.models import ProblemStatus
    from frontline.ledger.selectors import problem_list

    problem = problem_list(user=users["demo-luohe"]).get()
    deployment = Deployment.objects.get(post__name="中粮面业（漯河）有限公司")
    assert problem.post == deployment.post
    assert problem.category.code == "raw-materials"
    assert problem.created_by == deployment.cadre.user
    assert problem.cadre == deployment.cadre
    assert "副局长" in problem.cadre.position
    assert problem.department is not None
    assert problem.department.name == "漯河市粮食和物资储备局"
    assert localdate(problem.created_at) == deployment.start_date  # his first day at the mill
    assert (localdate(problem.resolved_at) - localdate(problem.created_at)).days == 3
    assert "2000 吨小麦" in problem.resolution
    assert problem.status == ProblemStatus.CLOSED
    assert problem.rating.satisfied
    assert not problem_list(user=users["demo-xingang"]).filter(pk=problem.pk).exists()


def test_weihai_matched_dishang_with_8_firms_for_200_million_yuan_of_orders(users):
    from decimal import Decimal

    from frontline.ledger.models import ListItemStatus, ListKind, MatchmakingStatus
    from frontline.ledger.selectors import list_items

    need = list_items(user=users["demo-weihai"], kind=ListKind.NEED).get(post__name="迪尚医疗科技有限公司")
    assert need.status == ListItemStatus.DONE
    matches = list(need.matches_as_need.select_related("resource__post"))
    assert len(matches) == 8
    assert {m.status for m in matches} == {MatchmakingStatus.SIGNED}
    assert sum(m.amount or 0 for m in matches) == Decimal(20000)  # 万元: ¥200M
    assert len({m.resource.post_id for m in matches}) == 8
    assert all(m.resource.post.region_id.startswith("37") for m in matches)
    # The firms are the province's: Shandong sees their spare capacity, Weihai the signed orders.
    resources = list_items(user=users["demo-shandong"], kind=ListKind.RESOURCE).filter(matches_as_resource__need=need)
    assert resources.count() == 8
    assert not list_items(user=users["demo-hubei"]).filter(pk=need.pk).exists()
    page = demo_client("demo-weihai").get(f"/ledger/lists/{need.pk}/").content.decode()
    assert page.count("已签约") >= 8


def test_the_inbox_and_the_board_have_work_to_show(users):
    from frontline.ledger.models import EscalationLevel, Notification, ProblemStatus
    from frontline.ledger.selectors import department_inbox, problem_list, supervisor_board

    inbox = department_inbox(user=users["demo-land"])
    assert set(inbox.values_list("status", flat=True)) == {ProblemStatus.HANDED_OVER, ProblemStatus.IN_PROGRESS}
    waiting = inbox.get(status=ProblemStatus.HANDED_OVER)
    board = supervisor_board(user=users["demo-xingang"])
    overdue = list(board["overdue"])
    assert len(overdue) == 1
    assert overdue[0].level == EscalationLevel.COUNTY  # the overdue job escalated it
    assert [e.action for e in overdue[0].events.order_by("id")][-1] == "escalate"
    sent_back = board["sent_back"].get()
    assert sent_back.send_back_count == 1
    assert sent_back.department is not None
    assert sent_back.department.name == "黄石市自然资源和规划局"
    assert sent_back.status == ProblemStatus.IN_PROGRESS
    assert problem_list(user=users["demo-xingang"]).filter(status=ProblemStatus.RESOLVED).count() == 1
    assert waiting.title in demo_client("demo-land").get("/ledger/inbox/").content.decode()
    assert overdue[0].title in demo_client("demo-xingang").get("/ledger/board/").content.decode()
    # Notifications are dated by the step that sent them, read once someone acted on the problem.
    unread = Notification.objects.filter(user=users["demo-land"], read_at__isnull=True)
    assert list(unread.values_list("problem_id", flat=True)) == [waiting.pk]
    assert unread.get().created_at == waiting.handed_over_at
    assert not Notification.objects.filter(problem__status=ProblemStatus.CLOSED, read_at__isnull=True).exists()


def test_the_park_office_sees_the_visits_of_its_cadres(users):
    from frontline.ledger.selectors import visit_list

    visits = visit_list(user=users["demo-xingang"])
    assert visits.filter(post__kind=PostKind.PROJECT).count() >= 62
    assert visits.filter(post__kind=PostKind.ENTERPRISE).count() >= 50
    assert visits.filter(cadre_user=users["demo-grid"]).exists()
    assert not visit_list(user=users["demo-zengdu"]).filter(pk__in=visits.values("pk")).exists()
    assert not visits.filter(visited_at__date__lt=date(2025, 3, 1)).exists()  # the park's campaign began then
    assert not visits.exclude(created_at=F("visited_at")).exists()


def test_the_summary_reports_the_ledger(demo):
    assert "新港园区百日攻坚 62 个项目难题已解决" in demo
    assert "订单 20000 万元" in demo
    assert "漯河小麦难题登记后第三天解决" in demo
