"""The ledger API: problems with idempotency, transitions with If-Match, visits, scope."""

import pytest
from django.test import Client

from frontline.core.testing import PASSWORD
from frontline.ledger.models import Problem, ProblemCategory, Visit
from frontline.ledger.tests.factories import act, make_problem

pytestmark = pytest.mark.django_db


def client(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


def land_id() -> int:
    return ProblemCategory.objects.get(code="land-approval").pk


def test_a_problem_is_created_once_per_idempotency_key(lw):
    c = client("grid")
    body = {"post_id": lw.xingang_enterprise.pk, "category_id": land_id(), "description": "土地预审卡住"}
    first = c.post("/api/v1/problems", body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    again = c.post("/api/v1/problems", body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Problem.objects.count() == 1
    assert first.json()["status"] == "registered"
    assert first.json()["version"] == 1


def test_a_problem_at_a_post_the_cadre_cannot_reach_is_not_found(lw):
    body = {"post_id": lw.jiangsu_post.pk, "category_id": land_id(), "description": "x"}
    response = client("grid").post("/api/v1/problems", body, content_type="application/json")
    assert response.status_code == 404


def test_bad_input_gets_a_field_message(lw):
    body = {"post_id": lw.xingang_enterprise.pk, "category_id": land_id(), "description": "x", "requester_phone": "123"}
    response = client("grid").post("/api/v1/problems", body, content_type="application/json")
    assert response.status_code == 400
    assert "手机号" in response.json()["errors"]["requester_phone"]


def test_errors_come_in_the_language_the_user_picked(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    english = client("grid")
    english.cookies["django_language"] = "en"
    body = {"post_id": lw.xingang_enterprise.pk, "category_id": land_id(), "description": "x", "requester_phone": "123"}
    bad = english.post("/api/v1/problems", body, content_type="application/json")
    assert bad.status_code == 400
    assert "mobile" in bad.json()["errors"]["requester_phone"].lower()
    url = f"/api/v1/problems/{problem.pk}/transitions"
    missing = english.post(
        url, {"action": "hand_over", "department_id": lw.land_bureau.pk}, content_type="application/json"
    )
    assert missing.json()["code"] == "version_required"
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in missing.json()["detail"]), missing.json()["detail"]
    chinese = client("grid").post("/api/v1/problems", body, content_type="application/json")
    assert "手机号" in chinese.json()["errors"]["requester_phone"]


def test_transitions_need_the_current_version_in_if_match(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    grid = client("grid")
    url = f"/api/v1/problems/{problem.pk}/transitions"
    body = {"action": "hand_over", "department_id": lw.land_bureau.pk}
    missing = grid.post(url, body, content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "version_required"
    ok = grid.post(url, body, content_type="application/json", headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json()["status"] == "handed_over"
    assert ok["ETag"] == '"2"'
    stale = client("land").post(url, {"action": "accept"}, content_type="application/json", headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert "已被他人处理" in stale.json()["detail"]


def test_an_illegal_action_is_a_400_and_a_forbidden_one_a_403(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    url = f"/api/v1/problems/{problem.pk}/transitions"
    illegal = client("grid").post(
        url, {"action": "resolve", "resolution": "x"}, content_type="application/json", headers={"If-Match": "1"}
    )
    assert illegal.status_code == 400
    assert illegal.json()["code"] == "illegal_transition"
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    forbidden = client("xingang").post(
        url, {"action": "accept"}, content_type="application/json", headers={"If-Match": "2"}
    )
    assert forbidden.status_code == 403


def test_the_list_is_paginated_and_scoped(lw):
    for i in range(3):
        make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description=f"问题{i}")
    make_problem(actor=lw.zengdu_official, post=lw.zengdu_project, description="曾都的问题")
    page = client("xingang").get("/api/v1/problems?limit=2").json()
    assert page["count"] == 3
    assert len(page["items"]) == 2
    assert client("zengdu").get("/api/v1/problems").json()["count"] == 1
    assert client("jiangsu").get("/api/v1/problems").json()["count"] == 0
    assert client("province").get("/api/v1/problems").json()["count"] == 4
    assert client("grid").get("/api/v1/problems").json()["count"] == 3


def test_a_department_sees_what_it_handles_and_outsiders_get_404(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    assert client("land").get(f"/api/v1/problems/{problem.pk}").status_code == 404
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    assert client("land").get(f"/api/v1/problems/{problem.pk}").status_code == 200
    assert client("env").get(f"/api/v1/problems/{problem.pk}").status_code == 404
    assert client("jiangsu").get(f"/api/v1/problems/{problem.pk}").status_code == 404
    assert client("jiangsu").get(f"/api/v1/problems/{problem.pk}/events").status_code == 404


def test_a_visit_with_the_problems_raised_is_recorded_in_one_call(lw):
    body = {
        "post_id": lw.xingang_enterprise.pk,
        "whom": "企业负责人",
        "findings": "订单多，缺工人",
        "problems": [
            {"category_id": ProblemCategory.objects.get(code="labour-hiring").pk, "description": "缺50名工人"}
        ],
    }
    response = client("grid").post("/api/v1/visits", body, content_type="application/json")
    assert response.status_code == 201, response.content
    visit = Visit.objects.get()
    assert response.json()["problem_ids"] == [visit.problems.get().pk]
    assert visit.problems.get().source == "visit"
    assert client("grid").get("/api/v1/visits").json()["count"] == 1
    assert client("jiangsu").get("/api/v1/visits").json()["count"] == 0


def test_a_visit_needs_only_a_post(lw):
    response = client("grid").post(
        "/api/v1/visits", {"post_id": lw.xingang_enterprise.pk}, content_type="application/json"
    )
    assert response.status_code == 201


def test_the_solution_plan_is_written_with_if_match_by_the_people_handling_it(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    url = f"/api/v1/problems/{problem.pk}/plan"
    body = {"solution_plan": "一、补齐材料；二、市局并联审批；三、三日内批复。"}
    ok = client("grid").put(url, body, content_type="application/json", headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json()["solution_plan"].startswith("一、补齐材料")
    stale = client("grid").put(url, body, content_type="application/json", headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    viewer = client("province").put(url, body, content_type="application/json", headers={"If-Match": '"2"'})
    assert viewer.status_code == 403
