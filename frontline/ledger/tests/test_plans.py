"""Enterprise plans (一企一策): one per enterprise, its problems shown by themselves, measures in order,
optimistic locking and an audit row on every change, scope on pages, API and export."""

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditLog
from frontline.core.testing import PASSWORD, make_post
from frontline.ledger.models import EnterprisePlan, MeasureStatus, PlanMeasure
from frontline.ledger.plans import (
    MeasureData,
    enterprise_plan_create,
    enterprise_plan_update,
    plan_measure_add,
    plan_measure_update,
)
from frontline.ledger.tests.factories import act, make_problem
from frontline.posts.models import PostKind

pytestmark = pytest.mark.django_db


def client(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


def plan_with_measures(lw, *texts: str) -> EnterprisePlan:
    plan = enterprise_plan_create(actor=lw.xingang_official, post=lw.xingang_enterprise)
    for text in texts:
        plan_measure_add(actor=lw.xingang_official, plan=plan, data=MeasureData(text=text, department=lw.land_bureau))
    plan.refresh_from_db()
    return plan


# --- Services --------------------------------------------------------------------------------


def test_an_enterprise_has_one_plan_and_only_enterprises_have_one(lw):
    plan = enterprise_plan_create(actor=lw.xingang_official, post=lw.xingang_enterprise)
    assert plan.title == "弘盛铜业一企一策"
    assert plan.version == 1
    with pytest.raises(ApplicationError, match="已有一企一策") as duplicate:
        enterprise_plan_create(actor=lw.xingang_official, post=lw.xingang_enterprise)
    assert duplicate.value.code == "duplicate"
    with pytest.raises(ApplicationError, match="不是企业"):
        enterprise_plan_create(actor=lw.zengdu_official, post=lw.zengdu_project)
    assert AuditLog.objects.filter(object_type="ledger.enterpriseplan", action="create").count() == 1


def test_measures_keep_their_order_and_every_change_bumps_the_version_and_is_audited(lw):
    plan = plan_with_measures(lw, "协调土地预审", "环评验收指导", "对接银行贷款")
    assert plan.version == 4
    measures = list(plan.measures.all())
    assert [m.position for m in measures] == [1, 2, 3]
    plan_measure_update(
        actor=lw.xingang_official, plan=plan, measure=measures[2], expected_version=4, position=1, status="doing"
    )
    assert list(plan.measures.values_list("text", "position")) == [
        ("对接银行贷款", 1),
        ("协调土地预审", 2),
        ("环评验收指导", 3),
    ]
    inserted = plan_measure_add(
        actor=lw.xingang_official,
        plan=plan,
        data=MeasureData(text="稳岗补贴", department=lw.env_bureau, position=2),
        expected_version=5,
    )
    assert inserted.position == 2
    assert list(plan.measures.values_list("position", flat=True)) == [1, 2, 3, 4]
    plan.refresh_from_db()
    assert plan.version == 6
    assert AuditLog.objects.filter(object_type="ledger.planmeasure").count() == 5


def test_a_stale_version_is_refused_and_tells_the_current_one(lw):
    plan = plan_with_measures(lw, "协调土地预审")
    enterprise_plan_update(actor=lw.xingang_official, plan=plan, title="新标题", summary="摘要", expected_version=2)
    with pytest.raises(ConflictError) as stale:
        enterprise_plan_update(actor=lw.xingang_official, plan=plan, title="旧标题", summary="", expected_version=2)
    assert stale.value.extra["current_version"] == 3
    with pytest.raises(ConflictError):
        plan_measure_update(
            actor=lw.xingang_official, plan=plan, measure=plan.measures.get(), expected_version=2, status="done"
        )
    plan.refresh_from_db()
    assert plan.title == "新标题"


def test_a_done_measure_records_when_and_reopening_clears_it(lw):
    plan = plan_with_measures(lw, "协调土地预审")
    measure = plan_measure_update(
        actor=lw.xingang_official, plan=plan, measure=plan.measures.get(), expected_version=2, status="done"
    )
    assert measure.done_at is not None
    measure = plan_measure_update(
        actor=lw.xingang_official, plan=plan, measure=measure, expected_version=3, status="doing"
    )
    assert measure.done_at is None


def test_the_responsible_department_reports_the_status_but_does_not_rewrite_the_measure(lw):
    plan = plan_with_measures(lw, "协调土地预审")
    measure = plan.measures.get()
    plan_measure_update(actor=lw.land_clerk, plan=plan, measure=measure, expected_version=2, status="doing")
    with pytest.raises(ApplicationError, match="只能更新措施的办理状态"):
        plan_measure_update(actor=lw.land_clerk, plan=plan, measure=measure, expected_version=3, text="改写")
    with pytest.raises(ApplicationError) as other:
        plan_measure_update(actor=lw.env_clerk, plan=plan, measure=measure, expected_version=3, status="done")
    assert other.value.code == "forbidden"
    with pytest.raises(ApplicationError) as viewer:
        plan_measure_add(
            actor=lw.land_clerk, plan=plan, data=MeasureData(text="x", department=lw.land_bureau), expected_version=3
        )
    assert viewer.value.code == "forbidden"


def test_a_measure_refers_only_to_the_enterprises_problems_and_to_units_of_its_province(lw):
    plan = plan_with_measures(lw)
    other = make_problem(actor=lw.zengdu_official, post=lw.zengdu_project)
    with pytest.raises(ApplicationError, match="本企业的问题"):
        plan_measure_add(
            actor=lw.xingang_official, plan=plan, data=MeasureData(text="x", department=lw.land_bureau, problem=other)
        )
    with pytest.raises(ApplicationError, match="本省"):
        plan_measure_add(actor=lw.xingang_official, plan=plan, data=MeasureData(text="x", department=lw.lianyungang))
    with pytest.raises(ApplicationError, match="请填写措施内容"):
        plan_measure_add(actor=lw.xingang_official, plan=plan, data=MeasureData(text="  ", department=lw.land_bureau))


# --- Pages -----------------------------------------------------------------------------------


def test_the_plan_is_reached_from_the_enterprise_and_from_its_problems(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description="用地预审卡住")
    xingang = client("xingang")
    post_page = xingang.get(lw.xingang_enterprise.get_absolute_url()).content.decode()
    link = f"/ledger/plans/enterprise/{lw.xingang_enterprise.pk}/"
    assert link in post_page
    assert link in xingang.get(problem.get_absolute_url()).content.decode()
    start = xingang.get(link)
    assert start["Location"] == f"/ledger/plans/new/?post={lw.xingang_enterprise.pk}"
    created = xingang.post("/ledger/plans/new/", {"post": lw.xingang_enterprise.pk, "summary": "重点扶持"})
    plan = EnterprisePlan.objects.get()
    assert created["Location"] == plan.get_absolute_url()
    assert xingang.get(link)["Location"] == plan.get_absolute_url()
    page = xingang.get(plan.get_absolute_url()).content.decode()
    assert "用地预审卡住" in page  # the enterprise's problems come by themselves, with their status
    assert "已登记" in page
    assert "重点扶持" in page
    # A viewer in scope who may not start one is told there is none yet.
    assert client("province").get(link)["Location"] == plan.get_absolute_url()


def test_a_viewer_without_a_plan_to_open_is_sent_back_to_the_enterprise(lw):
    response = client("province").get(f"/ledger/plans/enterprise/{lw.xingang_enterprise.pk}/", follow=True)
    assert "还没有一企一策" in response.content.decode()
    assert client("jiangsu").get(f"/ledger/plans/enterprise/{lw.xingang_enterprise.pk}/").status_code == 404


def test_measures_are_added_and_updated_from_the_page_with_the_version(lw):
    plan = plan_with_measures(lw)
    xingang = client("xingang")
    xingang.post(
        f"/ledger/plans/{plan.pk}/measures/",
        {"text": "协调土地预审", "department": lw.land_bureau.pk, "status": "planned", "version": 1},
    )
    measure = PlanMeasure.objects.get()
    xingang.post(f"/ledger/plans/{plan.pk}/measures/{measure.pk}/status/", {"status": "doing", "version": 2})
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DOING
    stale = xingang.post(
        f"/ledger/plans/{plan.pk}/measures/{measure.pk}/status/", {"status": "done", "version": 2}, follow=True
    )
    assert "已被他人修改" in stale.content.decode()
    edit = xingang.get(f"/ledger/plans/{plan.pk}/measures/{measure.pk}/")
    assert "协调土地预审" in edit.content.decode()
    xingang.post(
        f"/ledger/plans/{plan.pk}/measures/{measure.pk}/",
        {
            "text": "协调土地预审并督办",
            "department": lw.env_bureau.pk,
            "status": "doing",
            "due_date": "2026-12-31",
            "version": 3,
        },
    )
    measure.refresh_from_db()
    assert (measure.text, measure.department, measure.due_date) == (
        "协调土地预审并督办",
        lw.env_bureau,
        date(2026, 12, 31),
    )
    xingang.post(f"/ledger/plans/{plan.pk}/", {"title": "弘盛铜业帮扶方案", "summary": "", "version": 4})
    plan.refresh_from_db()
    assert (plan.title, plan.version) == ("弘盛铜业帮扶方案", 5)


def test_the_department_sees_the_plan_of_its_measure_and_may_only_report_status(lw):
    plan = plan_with_measures(lw, "协调土地预审")
    measure = plan.measures.get()
    land = client("land")
    page = land.get(plan.get_absolute_url()).content.decode()
    assert "协调土地预审" in page
    assert f"/measures/{measure.pk}/status/" in page
    assert f'href="/ledger/plans/{plan.pk}/measures/{measure.pk}/"' not in page
    land.post(f"/ledger/plans/{plan.pk}/measures/{measure.pk}/status/", {"status": "done", "version": 2})
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE
    assert client("env").get(plan.get_absolute_url()).status_code == 404


def test_plans_out_of_scope_are_404_in_pages(lw):
    plan = plan_with_measures(lw, "协调土地预审")
    for username in ("jiangsu", "zengdu"):
        c = client(username)
        assert c.get(plan.get_absolute_url()).status_code == 404
        assert c.post(f"/ledger/plans/{plan.pk}/measures/", {}).status_code == 404
        assert "弘盛铜业" not in c.get("/ledger/plans/").content.decode()


def test_the_list_filters_by_overdue_measures_and_open_problems(lw):
    plan = plan_with_measures(lw)
    other = enterprise_plan_create(
        actor=lw.xingang_official,
        post=make_post("鑫达电子", region=lw.xingang_enterprise.region, unit=lw.xingang, kind=PostKind.ENTERPRISE),
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    plan_measure_add(
        actor=lw.xingang_official,
        plan=plan,
        data=MeasureData(text="过期措施", department=lw.land_bureau, due_date=yesterday),
    )
    make_problem(actor=lw.grid_head, post=other.post)
    xingang = client("xingang")
    overdue = xingang.get("/ledger/plans/?overdue_measures=on").content.decode()
    assert "弘盛铜业一企一策" in overdue
    assert "鑫达电子一企一策" not in overdue
    with_problems = xingang.get("/ledger/plans/?open_problems=on").content.decode()
    assert "鑫达电子一企一策" in with_problems
    assert "弘盛铜业一企一策" not in with_problems


# Session, user, roles, unit, units of the scope (problem counts), count, rows, departments (filter form).
PLAN_LIST_QUERIES = 8


def test_the_list_page_makes_the_same_number_of_queries_for_3_and_12_plans(lw, django_assert_num_queries):
    c = client("xingang")
    c.get("/ledger/plans/")

    def add_plans(n: int, start: int) -> None:
        for i in range(start, start + n):
            post = make_post(f"企业{i}", region=lw.xingang_enterprise.region, unit=lw.xingang)
            plan = enterprise_plan_create(actor=lw.xingang_official, post=post)
            plan_measure_add(
                actor=lw.xingang_official, plan=plan, data=MeasureData(text="措施", department=lw.land_bureau)
            )
            make_problem(actor=lw.grid_head, post=post, description=f"问题{i}")

    add_plans(3, 0)
    with django_assert_num_queries(PLAN_LIST_QUERIES):
        assert c.get("/ledger/plans/").status_code == 200
    add_plans(9, 3)
    with django_assert_num_queries(PLAN_LIST_QUERIES):
        page = c.get("/ledger/plans/").content.decode()
    assert "共 12 条" in page
    assert all(f"企业{i}一企一策" in page for i in range(12))


def test_the_export_holds_one_row_per_measure_only_in_scope_and_needs_the_permission(lw):
    plan_with_measures(lw, "协调土地预审", "环评验收指导")
    zengdu_enterprise = make_post("曾都企业", region=lw.zengdu_project.region, unit=lw.zengdu)
    enterprise_plan_create(actor=lw.zengdu_official, post=zengdu_enterprise)
    response = client("xingang").get("/ledger/plans/export.xlsx")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert [r[6] for r in rows[1:]] == ["协调土地预审", "环评验收指导"]
    assert rows[1][0] == "弘盛铜业"
    assert client("grid").get("/ledger/plans/export.xlsx").status_code == 403
    assert AuditLog.objects.filter(action="export", object_type="ledger.enterpriseplan").count() == 1


# --- API -------------------------------------------------------------------------------------


def test_the_api_creates_reads_and_updates_a_plan_with_if_match(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    c = client("xingang")
    created = c.post("/api/v1/enterprise-plans", {"post_id": lw.xingang_enterprise.pk}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert (body["title"], body["version"], created["ETag"]) == ("弘盛铜业一企一策", 1, '"1"')
    assert [(p["id"], p["status"]) for p in body["problems"]] == [(problem.pk, "handed_over")]
    again = c.post("/api/v1/enterprise-plans", {"post_id": lw.xingang_enterprise.pk}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (400, "duplicate")
    url = f"/api/v1/enterprise-plans/{body['id']}"
    missing = c.put(url, {"title": "新"}, content_type="application/json")
    assert (missing.status_code, missing.json()["code"]) == (400, "version_required")
    ok = c.put(
        url, {"title": "弘盛铜业帮扶", "summary": "s"}, content_type="application/json", headers={"If-Match": '"1"'}
    )
    assert (ok.status_code, ok["ETag"], ok.json()["title"]) == (200, '"2"', "弘盛铜业帮扶")
    stale = c.put(url, {"title": "旧"}, content_type="application/json", headers={"If-Match": '"1"'})
    assert (stale.status_code, stale.json()["current_version"]) == (409, 2)
    assert c.get(url).json()["title"] == "弘盛铜业帮扶"


def test_the_api_adds_and_patches_measures(lw):
    plan = plan_with_measures(lw)
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    c = client("xingang")
    url = f"/api/v1/enterprise-plans/{plan.pk}/measures"
    added = c.post(
        url,
        {
            "text": "协调土地预审",
            "department_id": lw.land_bureau.pk,
            "due_date": "2026-12-31",
            "problem_id": problem.pk,
        },
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    measure = added.json()
    assert (measure["position"], measure["department_name"], measure["problem_id"]) == (
        1,
        lw.land_bureau.name,
        problem.pk,
    )
    assert added["ETag"] == '"2"'
    stale_add = c.post(
        url,
        {"text": "x", "department_id": lw.land_bureau.pk},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert stale_add.status_code == 409
    patch_url = f"{url}/{measure['id']}"
    patched = c.patch(
        patch_url, {"status": "done", "problem_id": None}, content_type="application/json", headers={"If-Match": '"2"'}
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["status"], patched.json()["problem_id"], patched.json()["due_date"]) == (
        "done",
        None,
        "2026-12-31",
    )
    assert c.patch(patch_url, {"status": "doing"}, content_type="application/json").status_code == 400
    land = client("land")
    rewrite = land.patch(patch_url, {"text": "改写"}, content_type="application/json", headers={"If-Match": '"3"'})
    assert rewrite.status_code == 403
    status = land.patch(patch_url, {"status": "doing"}, content_type="application/json", headers={"If-Match": '"3"'})
    assert status.status_code == 200
    bad = c.post(url, {"text": "x", "department_id": 999999}, content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (400, "department_not_found")


def test_the_api_lists_plans_in_scope_and_hides_the_others(lw):
    plan = plan_with_measures(lw, "协调土地预审")
    listed = client("xingang").get("/api/v1/enterprise-plans").json()
    assert (listed["count"], listed["items"][0]["measure_count"]) == (1, 1)
    assert client("land").get("/api/v1/enterprise-plans").json()["count"] == 1
    assert client("env").get("/api/v1/enterprise-plans").json()["count"] == 0
    jiangsu = client("jiangsu")
    assert jiangsu.get("/api/v1/enterprise-plans").json()["count"] == 0
    assert jiangsu.get(f"/api/v1/enterprise-plans/{plan.pk}").status_code == 404
    body = {"text": "x", "department_id": lw.land_bureau.pk}
    assert (
        jiangsu.post(f"/api/v1/enterprise-plans/{plan.pk}/measures", body, content_type="application/json").status_code
        == 404
    )
    create = jiangsu.post(
        "/api/v1/enterprise-plans", {"post_id": lw.xingang_enterprise.pk}, content_type="application/json"
    )
    assert create.status_code == 404


def test_every_plan_page_renders_for_every_persona_who_may_see_it(lw):
    plan = plan_with_measures(lw, "协调土地预审")
    measure = plan.measures.get()
    make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    for username in ("province", "xingang", "grid", "land", "env", "auditor", "jiangsu", "admin"):
        c = client(username)
        assert c.get("/ledger/plans/").status_code == 200, username
        assert c.get("/ledger/plans/new/").status_code == 200, username
    for username in ("province", "xingang", "land", "admin"):
        assert client(username).get(plan.get_absolute_url()).status_code == 200, username
    assert client("xingang").get(f"/ledger/plans/{plan.pk}/measures/{measure.pk}/").status_code == 200
    only_post = client("xingang").get(f"/ledger/problems/?post={lw.xingang_enterprise.pk}").content.decode()
    assert f'name="post" value="{lw.xingang_enterprise.pk}"' in only_post
