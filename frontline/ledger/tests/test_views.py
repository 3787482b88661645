"""Ledger pages: my post, the short forms, the problem page, inbox, board, list, export, calendar."""

import io
from datetime import date

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from frontline.core.testing import PASSWORD
from frontline.ledger.models import Holiday, Problem, ProblemCategory, Visit, YearSchedule
from frontline.ledger.services import escalate_overdue
from frontline.ledger.tests.factories import act, make_problem

pytestmark = pytest.mark.django_db


def client(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


def test_a_grid_head_logs_a_problem_with_the_short_form_and_a_double_tap_makes_one(lw):
    c = client("grid")
    form = c.get("/ledger/problems/new/")
    assert form.status_code == 200
    assert "弘盛铜业" in form.content.decode()
    data = {
        "post": lw.xingang_enterprise.pk,
        "category": ProblemCategory.objects.get(code="land-approval").pk,
        "description": "用地预审材料被退回",
        "requester_kind": "enterprise",
        "source": "visit",
        "idempotency_key": "tap-abc",
    }
    first = c.post("/ledger/problems/new/", data)
    second = c.post("/ledger/problems/new/", data)
    problem = Problem.objects.get()
    assert first["Location"] == second["Location"] == problem.get_absolute_url()
    page = c.get(problem.get_absolute_url()).content.decode()
    assert problem.tracking_code in page
    assert "交办" in page


def test_a_visit_needs_only_the_post_and_can_raise_a_problem(lw):
    c = client("grid")
    assert c.post("/ledger/visits/new/", {"post": lw.xingang_enterprise.pk}).status_code == 302
    c.post(
        "/ledger/visits/new/",
        {
            "post": lw.xingang_enterprise.pk,
            "whom": "王阿姨",
            "problem_category": ProblemCategory.objects.get(code="livelihood").pk,
            "problem_description": "需要代购药品",
        },
    )
    assert Visit.objects.count() == 2
    assert Problem.objects.get().visit is not None
    assert "需要代购药品" in c.get("/ledger/").content.decode()


def test_a_photo_that_is_not_an_image_is_refused(lw):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client("grid").post("/ledger/visits/new/", {"post": lw.xingang_enterprise.pk, "photo": fake})
    assert response.status_code == 200
    assert "JPG、PNG 或 WebP" in response.content.decode()
    assert Visit.objects.count() == 0


def test_the_department_accepts_and_resolves_from_its_inbox(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    land = client("land")
    inbox = land.get("/ledger/inbox/").content.decode()
    assert problem.title in inbox
    assert client("env").get("/ledger/inbox/").content.decode().count(problem.title) == 0
    land.post(f"/ledger/problems/{problem.pk}/transition/", {"action": "accept", "version": 2, "next": "inbox"})
    response = land.post(
        f"/ledger/problems/{problem.pk}/transition/", {"action": "resolve", "version": 3, "resolution": "已批复"}
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "resolved"


def test_a_stale_form_shows_that_someone_else_acted(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    land = client("land")
    land.post(f"/ledger/problems/{problem.pk}/transition/", {"action": "accept", "version": 2})
    response = land.post(f"/ledger/problems/{problem.pk}/transition/", {"action": "accept", "version": 2}, follow=True)
    assert "已被他人处理" in response.content.decode()


def test_the_problem_page_offers_only_the_allowed_buttons(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    land_page = client("land").get(problem.get_absolute_url()).content.decode()
    assert 'value="accept"' in land_page
    assert 'value="send_back"' in land_page
    grid_page = client("grid").get(problem.get_absolute_url()).content.decode()
    assert 'value="accept"' not in grid_page


def test_problems_out_of_scope_are_404_in_pages(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    assert client("jiangsu").get(problem.get_absolute_url()).status_code == 404
    assert client("zengdu").get(problem.get_absolute_url()).status_code == 404
    assert client("jiangsu").post(f"/ledger/problems/{problem.pk}/transition/", {}).status_code == 404


# Session, user, roles, unit, units of the scope, count, categories (filter form), rows; the
# session is written at most once a minute, so a first request is made before counting.
LIST_QUERIES = 8


def test_the_list_page_makes_the_same_number_of_queries_for_5_and_25_problems(lw, django_assert_num_queries):
    c = client("xingang")
    c.get("/ledger/problems/")
    for i in range(5):
        make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description=f"问题{i}")
    with django_assert_num_queries(LIST_QUERIES):
        assert c.get("/ledger/problems/?status=registered").status_code == 200
    for i in range(20):
        make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description=f"更多{i}")
    with django_assert_num_queries(LIST_QUERIES):
        assert c.get("/ledger/problems/?status=registered").status_code == 200


def test_the_board_shows_overdue_and_sent_back_items_with_a_pinned_query_count(lw, django_assert_num_queries):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=date(2026, 3, 2))
    act(problem, lw.grid_head, "hand_over", department=lw.env_bureau, today=date(2026, 3, 2))
    act(problem, lw.env_clerk, "send_back", note="非本部门", today=date(2026, 3, 2))
    for i in range(10):
        make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=date(2026, 3, 2), description=f"旧{i}")
    escalate_overdue(today=date(2026, 4, 1))
    c = client("xingang")
    c.get("/ledger/board/")
    # Session, user, roles, unit, units of the scope, figures, three lists.
    with django_assert_num_queries(9):
        page = c.get("/ledger/board/").content.decode()
    assert problem.title in page
    assert "被退单" in page
    assert "旧9" in page


def test_the_export_holds_only_rows_in_scope_and_needs_the_export_permission(lw):
    make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description="新港的问题")
    make_problem(actor=lw.zengdu_official, post=lw.zengdu_project, description="曾都的问题")
    response = client("xingang").get("/ledger/problems/export.xlsx")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 2
    assert rows[1][1] == "新港的问题"
    assert client("grid").get("/ledger/problems/export.xlsx").status_code == 403


def test_only_administrators_see_the_calendar_and_are_warned_about_2027(lw):
    assert client("xingang").get("/ledger/calendar/").status_code == 404
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=date(2026, 12, 30))
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau, today=date(2026, 12, 30))
    admin = client("admin")
    page = admin.get("/ledger/calendar/?year=2027").content.decode()
    assert "尚未录入官方放假安排" in page
    assert "2027 年尚未录入国务院放假安排" in page
    admin.post("/ledger/calendar/set/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert Holiday.objects.get(date=date(2027, 1, 1)).source == "manual"
    admin.post("/ledger/calendar/confirm/", {"year": 2027, "note": "国办发明电〔2026〕X号"})
    assert YearSchedule.objects.get(year=2027).confirmed
    problem.refresh_from_db()
    assert problem.deadline_unconfirmed is False
    admin.post("/ledger/calendar/2027-01-01/delete/")
    assert not Holiday.objects.filter(date=date(2027, 1, 1)).exists()


def test_every_ledger_page_renders_for_every_persona(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    for username in ("province", "xingang", "grid", "land", "auditor", "jiangsu", "admin"):
        c = client(username)
        for url in ("/ledger/", "/ledger/problems/", "/ledger/inbox/", "/ledger/board/", "/ledger/notifications/"):
            assert c.get(url).status_code == 200, (username, url)
    assert client("grid").get(problem.get_absolute_url()).status_code == 200
