import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from frontline.cadres.models import Rank
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditAction, AuditLog
from frontline.core.testing import make_cadre, make_post
from frontline.dispatch.models import ResponsibilityAssignment, ResponsibilityLevel
from frontline.dispatch.services import DispatchValidationError, responsibility_create, responsibility_end
from frontline.dispatch.tests.factories import make_campaign
from frontline.dispatch.tests.test_views import assert_clean
from frontline.posts.models import PostKind

JSON = "application/json"


@pytest.fixture
def key_project(world):
    return make_post(
        "新港园区铜产业园",
        kind=PostKind.PROJECT,
        region=world.xingang_enterprise.region,
        unit=world.xingang,
        is_key=True,
    )


@pytest.fixture
def sub_project(world, key_project):
    return make_post(
        "铜产业园一期厂房", kind=PostKind.PROJECT, region=key_project.region, unit=world.xingang, parent=key_project
    )


def test_a_leadership_member_answers_for_a_key_project(world, key_project):
    leader = make_cadre("周书记", home_unit=world.xingang, rank=Rank.DIVISION)
    assignment = responsibility_create(
        actor=world.xingang_official,
        cadre=leader,
        post=key_project,
        level=ResponsibilityLevel.LEADERSHIP,
        start_date=date(2025, 3, 1),
    )
    assert assignment.post == key_project


def test_a_deputy_section_cadre_answers_for_a_sub_project(world, sub_project):
    deputy = make_cadre("吴副科", home_unit=world.xingang, rank=Rank.DEPUTY_SECTION)
    assignment = responsibility_create(
        actor=world.xingang_official,
        cadre=deputy,
        post=sub_project,
        level=ResponsibilityLevel.DEPUTY_SECTION,
        start_date=date(2025, 3, 1),
    )
    assert assignment.level == ResponsibilityLevel.DEPUTY_SECTION


def test_a_sub_project_needs_a_cadre_of_at_least_deputy_section_rank(world, sub_project):
    with pytest.raises(DispatchValidationError) as exc:
        responsibility_create(
            actor=world.xingang_official,
            cadre=world.xingang_cadres[1],
            post=sub_project,
            level=ResponsibilityLevel.DEPUTY_SECTION,
            start_date=date(2025, 3, 1),
        )
    assert "低于副科级" in exc.value.errors["cadre"]


def test_responsibility_applies_only_to_projects(world):
    with pytest.raises(DispatchValidationError) as exc:
        responsibility_create(
            actor=world.xingang_official,
            cadre=world.xingang_cadres[0],
            post=world.xingang_enterprise,
            level=ResponsibilityLevel.LEADERSHIP,
            start_date=date(2025, 3, 1),
        )
    assert "只适用于项目" in exc.value.errors["post"]


# --- ending, history, the page, the export and the API ----------------------------------------


@pytest.fixture
def campaign(world):
    return make_campaign("新港园区干部素质提升年", unit=world.xingang, targets={"project": 10})


def answer_for(world, campaign, n: int, prefix: str = "重点项目") -> list[ResponsibilityAssignment]:
    rows = []
    for i in range(n):
        project = make_post(
            f"{prefix}{i}", kind=PostKind.PROJECT, region=world.xingang_enterprise.region, unit=world.xingang
        )
        leader = make_cadre(f"{prefix}领导{i}", home_unit=world.xingang, rank=Rank.DIVISION)
        rows.append(
            responsibility_create(
                actor=None,
                cadre=leader,
                post=project,
                level=ResponsibilityLevel.LEADERSHIP,
                start_date=date(2025, 3, 1),
                campaign=campaign,
            )
        )
    return rows


def test_the_same_cadre_cannot_answer_twice_for_the_same_project_at_once(world, key_project):
    leader = make_cadre("周书记", home_unit=world.xingang, rank=Rank.DIVISION)
    first = responsibility_create(
        actor=None, cadre=leader, post=key_project, level=ResponsibilityLevel.LEADERSHIP, start_date=date(2025, 3, 1)
    )
    with pytest.raises(DispatchValidationError) as exc:
        responsibility_create(
            actor=None,
            cadre=leader,
            post=key_project,
            level=ResponsibilityLevel.LEADERSHIP,
            start_date=date(2025, 4, 1),
        )
    assert "已在包保" in exc.value.errors["cadre"]
    responsibility_end(actor=None, assignment=first, ended_on=date(2025, 5, 1), expected_version=1)
    again = responsibility_create(
        actor=None, cadre=leader, post=key_project, level=ResponsibilityLevel.LEADERSHIP, start_date=date(2025, 6, 1)
    )
    assert again.pk != first.pk  # the ended term stays as history


def test_ending_keeps_the_row_and_is_audited_once(world, key_project):
    leader = make_cadre("周书记", home_unit=world.xingang, rank=Rank.DIVISION)
    row = responsibility_create(
        actor=world.xingang_official,
        cadre=leader,
        post=key_project,
        level=ResponsibilityLevel.LEADERSHIP,
        start_date=date(2025, 3, 1),
    )
    ended = responsibility_end(
        actor=world.xingang_official, assignment=row, ended_on=date(2025, 9, 30), expected_version=1, note="调任"
    )
    assert ended.ended_on == date(2025, 9, 30)
    assert ended.note == "调任"
    entry = AuditLog.objects.get(object_type="dispatch.responsibilityassignment", action=AuditAction.UPDATE)
    assert entry.changes["ended_on"] == [None, "2025-09-30"]
    assert entry.actor == world.xingang_official
    with pytest.raises(ApplicationError) as exc:
        responsibility_end(actor=world.xingang_official, assignment=row, expected_version=2)
    assert exc.value.code == "not_active"
    with pytest.raises(ConflictError):
        responsibility_end(actor=world.xingang_official, assignment=row, expected_version=1)


def test_ending_before_the_start_says_so(world, key_project):
    leader = make_cadre("周书记", home_unit=world.xingang, rank=Rank.DIVISION)
    row = responsibility_create(
        actor=None, cadre=leader, post=key_project, level=ResponsibilityLevel.LEADERSHIP, start_date=date(2025, 3, 1)
    )
    with pytest.raises(DispatchValidationError) as exc:
        responsibility_end(actor=None, assignment=row, ended_on=date(2025, 2, 1), expected_version=1)
    assert "2025-03-01" in exc.value.errors["ended_on"]


def test_another_district_cannot_record_or_end_a_responsibility(world, key_project):
    leader = make_cadre("周书记", home_unit=world.xingang, rank=Rank.DIVISION)
    with pytest.raises(ApplicationError) as exc:
        responsibility_create(
            actor=world.zengdu_official,
            cadre=leader,
            post=key_project,
            level=ResponsibilityLevel.LEADERSHIP,
            start_date=date(2025, 3, 1),
        )
    assert exc.value.code == "out_of_scope"
    row = responsibility_create(
        actor=None, cadre=leader, post=key_project, level=ResponsibilityLevel.LEADERSHIP, start_date=date(2025, 3, 1)
    )
    with pytest.raises(ApplicationError):
        responsibility_end(actor=world.zengdu_official, assignment=row, expected_version=1)


def test_the_list_shows_who_answers_for_which_project_in_a_fixed_number_of_queries(
    world, client_for, campaign, key_project, sub_project
):
    leader = make_cadre("周书记", home_unit=world.xingang, rank=Rank.DIVISION)
    deputy = make_cadre("吴副科", home_unit=world.xingang, rank=Rank.DEPUTY_SECTION)
    for cadre, post, level in (
        (leader, key_project, ResponsibilityLevel.LEADERSHIP),
        (deputy, sub_project, ResponsibilityLevel.DEPUTY_SECTION),
    ):
        responsibility_create(
            actor=None, cadre=cadre, post=post, level=level, start_date=date(2025, 3, 1), campaign=campaign
        )
    client = client_for("xingang")
    url = reverse("dispatch:responsibility_list") + f"?campaign={campaign.pk}"
    with CaptureQueriesContext(connection) as few:
        html = client.get(url).content.decode()
    answer_for(world, campaign, 6)
    with CaptureQueriesContext(connection) as many:
        more = client.get(url).content.decode()
    assert len(many) == len(few)
    assert_clean(html)
    # The key project first, then its sub-project, each with the cadre who answers for it.
    assert html.index("周书记") < html.index("吴副科")
    assert "新港园区铜产业园 ›" in html
    assert "班子成员包保重点项目" in html
    assert "副科级干部包保子项目" in html
    assert "共 8 条" in more
    assert "周书记" not in client.get(url + "&level=deputy_section").content.decode()
    assert "吴副科" in client.get(url + "&q=一期").content.decode()
    assert "周书记" not in client_for("jiangsu").get(reverse("dispatch:responsibility_list")).content.decode()


def test_the_list_pages_and_filters_ended_rows(world, client_for, campaign, settings):
    settings.PAGE_SIZE = 5
    rows = answer_for(world, campaign, 7)
    responsibility_end(actor=None, assignment=rows[0], ended_on=date(2025, 6, 1), expected_version=1)
    client = client_for("xingang")
    url = reverse("dispatch:responsibility_list")
    first = client.get(url).content.decode()
    assert "共 6 条" in first
    assert "第 1 / 2 页" in first
    ended = client.get(url + "?status=ended").content.decode()
    assert "共 1 条" in ended
    assert "重点项目领导0" in ended
    assert "共 7 条" in client.get(url + "?status=all").content.decode()


def test_an_official_records_and_ends_a_responsibility_through_the_forms(world, client_for, campaign, key_project):
    leader = make_cadre("周书记", home_unit=world.xingang, rank=Rank.DIVISION)
    client = client_for("xingang")
    form = client.get(reverse("dispatch:responsibility_create") + f"?campaign={campaign.pk}").content.decode()
    assert "登记包保" in form
    assert_clean(form)
    response = client.post(
        reverse("dispatch:responsibility_create"),
        {
            "post": key_project.pk,
            "level": ResponsibilityLevel.DEPUTY_SECTION,
            "cadre": leader.pk,
            "campaign": campaign.pk,
            "start_date": "2025-03-01",
        },
    )
    assert "是一级项目，应由班子成员包保" in response.content.decode()
    response = client.post(
        reverse("dispatch:responsibility_create"),
        {
            "post": key_project.pk,
            "level": ResponsibilityLevel.LEADERSHIP,
            "cadre": leader.pk,
            "campaign": campaign.pk,
            "start_date": "2025-03-01",
        },
    )
    assert response.headers["Location"] == reverse("dispatch:responsibility_list") + f"?campaign={campaign.pk}"
    row = ResponsibilityAssignment.objects.get()
    campaign_page = client.get(campaign.get_absolute_url()).content.decode()
    assert "周书记" in campaign_page
    assert "当前 1 项包保" in campaign_page

    end_url = reverse("dispatch:responsibility_end", args=[row.pk])
    page = client.get(end_url).content.decode()
    assert "新港园区铜产业园" in page
    assert_clean(page)
    too_early = client.post(end_url, {"ended_on": "2025-01-01", "version": 1})
    assert "不能早于包保开始日期" in too_early.content.decode()
    done = client.post(end_url, {"ended_on": "2025-10-01", "version": 1, "note": "项目竣工"})
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.ended_on == date(2025, 10, 1)
    assert client_for("province").get(end_url).status_code == 404  # read-only
    assert client_for("jiangsu").get(end_url).status_code == 404  # out of scope


def test_the_list_exports_to_excel_with_its_filters_and_the_export_is_audited(world, client_for, campaign):
    answer_for(world, campaign, 3)
    response = client_for("xingang").get(reverse("dispatch:responsibility_export") + f"?campaign={campaign.pk}")
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    with CalamineWorkbook.from_filelike(io.BytesIO(response.content)) as book:
        rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["重点项目", "子项目", "包保层级", "包保人"]
    assert {r[3] for r in rows[1:]} == {"重点项目领导0", "重点项目领导1", "重点项目领导2"}
    assert AuditLog.objects.filter(
        action=AuditAction.EXPORT, object_type="dispatch.responsibilityassignment", actor=world.xingang_official
    ).exists()
    assert client_for("grid").get(reverse("dispatch:responsibility_export")).status_code == 404


def test_responsibilities_through_the_api(world, client_for, campaign, key_project, sub_project):
    client = client_for("xingang")
    deputy = make_cadre("吴副科", home_unit=world.xingang, rank=Rank.DEPUTY_SECTION)
    payload = {
        "cadre_id": deputy.pk,
        "post_id": sub_project.pk,
        "level": "deputy_section",
        "start_date": "2025-03-01",
        "campaign_id": campaign.pk,
    }
    created = client.post("/api/v1/responsibilities", payload, content_type=JSON)
    assert created.status_code == 201
    body = created.json()
    assert body["parent_post_id"] == key_project.pk
    assert body["ended_on"] is None
    assert client.get(f"/api/v1/responsibilities?campaign={campaign.pk}").json()["count"] == 1
    assert client.get(f"/api/v1/responsibilities?post={key_project.pk}").json()["count"] == 1  # its sub-projects
    assert client.get(f"/api/v1/responsibilities?cadre={deputy.pk}").json()["count"] == 1
    assert client.get("/api/v1/responsibilities?level=leadership").json()["count"] == 0
    bad = client.post("/api/v1/responsibilities", {**payload, "level": "leadership"}, content_type=JSON)
    assert bad.status_code == 400
    assert "post" in bad.json()["errors"]

    outsider = client_for("jiangsu")
    assert outsider.get("/api/v1/responsibilities").json()["count"] == 0
    assert outsider.get(f"/api/v1/responsibilities/{body['id']}").status_code == 404
    end_url = f"/api/v1/responsibilities/{body['id']}/end"
    assert outsider.post(end_url, {"version": 1}, content_type=JSON).status_code == 404
    assert outsider.post("/api/v1/responsibilities", payload, content_type=JSON).status_code == 404

    ended = client.post(end_url, {"version": 1, "ended_on": "2025-06-30", "note": "调任"}, content_type=JSON)
    assert ended.status_code == 200
    assert ended.json()["ended_on"] == "2025-06-30"
    assert client.post(end_url, {"version": 1}, content_type=JSON).status_code == 409
    assert client.get("/api/v1/responsibilities?status=current").json()["count"] == 0
    assert client.get("/api/v1/responsibilities?status=ended").json()["count"] == 1
