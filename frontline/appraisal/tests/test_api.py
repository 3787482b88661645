"""The appraisal API: schemes with If-Match, periods (compute 202, lock), scores and breakdowns,
a cadre's performance record, evidence entry; a locked period refuses every write."""

from datetime import date

import pytest

from frontline.appraisal.models import (
    AppraisalScheme,
    FlagKind,
    Inspection,
    IntegrityFlag,
    PeriodStatus,
    StakeholderRating,
    Suggestion,
)
from frontline.appraisal.services import period_lock
from frontline.appraisal.tests.factories import AppraisalWorld, make_period_with_scores
from frontline.core.models import AuditLog

JSON = "application/json"


@pytest.fixture
def aw(world) -> AppraisalWorld:
    return make_period_with_scores(world)


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def two_dimensions(first: int = 60, second: int = 40) -> list[dict[str, object]]:
    return [
        {
            "code": "tackling",
            "name": "攻坚能力",
            "weight": first,
            "inputs": [{"source": "indicator", "indicator": "problems_resolved", "share": 100}],
        },
        {
            "code": "public",
            "name": "群众评价",
            "weight": second,
            "inputs": [
                {"source": "stakeholder", "share": 70, "normalization": "absolute"},
                {"source": "inspection", "share": 30, "normalization": "absolute"},
            ],
        },
    ]


# --- Schemes -------------------------------------------------------------------------------------


def test_schemes_are_listed_and_detailed_with_dimensions_and_an_etag(aw, client_for):
    client = client_for("xingang")
    aw.scheme.refresh_from_db()
    body = client.get("/api/v1/appraisal-schemes").json()
    assert body["count"] == 1
    assert body["items"][0]["frozen"] is True
    response = client.get(f"/api/v1/appraisal-schemes/{aw.scheme.pk}")
    detail = response.json()
    assert response["ETag"] == f'"{aw.scheme.version}"'
    assert [d["name"] for d in detail["dimensions"]] == [
        "攻坚能力",
        "服务意识",
        "创新思维",
        "协调能力",
        "群众评价",
        "廉洁自律",
    ]
    assert sum(float(d["weight"]) for d in detail["dimensions"]) == 100
    assert client_for("jiangsu").get(f"/api/v1/appraisal-schemes/{aw.scheme.pk}").status_code == 404


def test_a_scheme_is_created_and_weights_not_totalling_100_are_refused(aw, client_for):
    client = client_for("xingang")
    bad = {"campaign_id": aw.campaign.pk, "name": "专项考核", "dimensions": two_dimensions(60, 30)}
    response = client.post("/api/v1/appraisal-schemes", bad, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "当前为 90" in response.json()["detail"]
    assert not AppraisalScheme.objects.filter(name="专项考核").exists()

    good = {**bad, "dimensions": two_dimensions(60, 40)}
    response = client.post("/api/v1/appraisal-schemes", good, content_type=JSON)
    assert response.status_code == 201
    assert [d["code"] for d in response.json()["dimensions"]] == ["tackling", "public"]


def test_a_scheme_update_needs_the_current_version_in_if_match(aw, client_for):
    client = client_for("xingang")
    created = client.post(
        "/api/v1/appraisal-schemes",
        {"campaign_id": aw.campaign.pk, "name": "专项考核", "dimensions": two_dimensions()},
        content_type=JSON,
    ).json()
    url = f"/api/v1/appraisal-schemes/{created['id']}"
    payload = {"name": "专项考核", "dimensions": two_dimensions(50, 50), "bands": created["bands"]}
    ok = client.put(url, payload, content_type=JSON, headers={"If-Match": f'"{created["version"]}"'})
    assert ok.status_code == 200
    assert ok["ETag"] == f'"{created["version"] + 1}"'
    stale = client.put(url, payload, content_type=JSON, headers={"If-Match": f'"{created["version"]}"'})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == created["version"] + 1
    assert client.put(url, payload, content_type=JSON).json()["code"] == "version_required"


def test_a_frozen_scheme_is_not_updated_but_copied_into_a_new_version(aw, client_for):
    client = client_for("xingang")
    aw.scheme.refresh_from_db()
    url = f"/api/v1/appraisal-schemes/{aw.scheme.pk}"
    payload = {"name": aw.scheme.name, "dimensions": two_dimensions(), "bands": aw.scheme.bands}
    response = client.put(url, payload, content_type=JSON, headers={"If-Match": f'"{aw.scheme.version}"'})
    assert response.status_code == 409
    assert response.json()["code"] == "frozen"
    copy = client.post(f"{url}/new-version").json()
    assert copy["version_number"] == 2
    assert copy["previous_id"] == aw.scheme.pk
    assert not copy["frozen"]


# --- Periods and scores --------------------------------------------------------------------------


def test_a_period_is_created_computed_in_the_background_and_polled(
    aw, client_for, immediate_tasks, django_capture_on_commit_callbacks
):
    client = client_for("xingang")
    created = client.post(
        "/api/v1/appraisal-periods", {"scheme_id": aw.scheme.pk, "start_date": "2025-05-17"}, content_type=JSON
    )
    assert created.status_code == 201
    period = created.json()
    assert (period["start_date"], period["end_date"], period["status"]) == ("2025-05-01", "2025-05-31", "draft")
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        response = client.post(f"/api/v1/appraisal-periods/{period['id']}/compute")
    assert response.status_code == 202
    assert response.json()["status"] == "computing"
    assert len(enqueued) == 1
    polled = client.get(f"/api/v1/appraisal-periods/{period['id']}").json()
    assert polled["status"] == "computed"
    assert polled["progress_done"] == polled["progress_total"] == 6
    assert sum(b["count"] for b in polled["bands"]) == 5  # the classes of the cadres in scope
    listed = client.get("/api/v1/appraisal-periods", {"campaign": aw.campaign.pk}).json()
    assert listed["count"] == 2


def test_scores_are_paginated_and_filtered_by_role_kind_unit_and_band(aw, client_for):
    client = client_for("province")
    url = f"/api/v1/appraisal-periods/{aw.period.pk}/scores"
    body = client.get(url, {"limit": 2}).json()
    assert body["count"] == 6
    assert len(body["items"]) == 2
    assert body["items"][0]["rank"] == 1
    assert client.get(url, {"role": "grid_head"}).json()["count"] == 3
    assert client.get(url, {"kind": "project"}).json()["count"] == 3
    assert client.get(url, {"kind": "nonsense"}).json()["count"] == 0
    assert client.get(url, {"unit": aw.zengdu.pk}).json()["items"][0]["cadre_name"] == "崔艳"
    band = aw.score_of(aw.grid_cadre).band
    assert all(item["band"] == band for item in client.get(url, {"band": band}).json()["items"])
    # A district sees only its own cadres of the campaign.
    assert client_for("xingang").get(url).json()["count"] == 5


def test_a_score_gives_its_breakdown_with_numerators_and_denominators(aw, client_for):
    score = aw.score_of(aw.grid_heads[2])
    body = client_for("xingang").get(f"/api/v1/appraisal-scores/{score.pk}").json()
    tackling = body["breakdown"]["dimensions"][0]
    assert tackling["code"] == "tackling"
    resolved = tackling["inputs"][0]
    assert resolved["indicator"] == "problems_resolved"
    assert (resolved["numerator"], resolved["denominator"]) == (4.8, 4.0)
    assert body["period_label"] == "2025年06月"
    assert body["adjustments"] == []
    assert body["flags"] == []


def test_a_locked_period_refuses_every_write(aw, client_for):
    client = client_for("xingang")
    url = f"/api/v1/appraisal-periods/{aw.period.pk}"
    score = aw.score_of(aw.grid_cadre)
    flag = IntegrityFlag.objects.create(period=aw.period, cadre=aw.grid_cadre, kind=FlagKind.OFF_HISTORY, detail="x")
    locked = client.post(f"{url}/lock", {}, content_type=JSON, headers={"If-Match": f'"{aw.period.version}"'})
    assert locked.status_code == 200
    assert locked.json()["status"] == PeriodStatus.LOCKED
    writes = [
        (f"{url}/compute", {}),
        (f"{url}/lock", {"version": locked.json()["version"]}),
        (f"/api/v1/appraisal-scores/{score.pk}/adjust", {"new_total": 99, "reason": "改分"}),
        (f"/api/v1/integrity-flags/{flag.pk}/review", {"status": "cleared", "note": "无问题"}),
        (f"{url}/projects", {"post_id": aw.project_post.pk, "progress_score": 90, "quality_score": 90}),
    ]
    for path, payload in writes:
        response = client.post(path, payload, content_type=JSON)
        assert response.status_code == 409, path
        assert response.json()["code"] == "locked", path
    score.refresh_from_db()
    assert score.total != 99
    assert aw.score_of(aw.grid_cadre).adjustments.count() == 0


def test_evidence_dated_inside_a_locked_period_is_a_conflict(aw, client_for):
    client = client_for("xingang")
    period_lock(actor=aw.xingang_official, period=aw.period, expected_version=aw.period.version)
    cadre = aw.commissioners[1]
    common = {"campaign_id": aw.campaign.pk, "cadre_id": cadre.pk}
    writes = [
        (
            "/api/v1/inspections",
            "inspected_on",
            {
                **common,
                "inspected_on": "2025-06-25",
                "task_completion": 90,
                "enterprise_evaluation": 80,
                "ledger_check": 70,
            },
        ),
        (
            "/api/v1/stakeholder-ratings",
            "rated_on",
            {**common, "rater_kind": "enterprise", "score": 4, "rated_on": "2025-06-25"},
        ),
    ]
    for path, field, payload in writes:
        response = client.post(path, payload, content_type=JSON)
        assert response.status_code == 409, path
        body = response.json()
        assert body["code"] == "locked"
        assert "2025年06月" in body["detail"]
        assert body["errors"] == {field: body["detail"]}
        assert client.post(path, {**payload, field: "2025-07-01"}, content_type=JSON).status_code == 201
    assert not Inspection.objects.filter(cadre=cadre, inspected_on=date(2025, 6, 25)).exists()
    assert not StakeholderRating.objects.filter(cadre=cadre, rated_on=date(2025, 6, 25)).exists()


def test_the_openapi_documents_the_conflicts_of_evidence_writes(client_for):
    schema = client_for("xingang").get("/api/v1/openapi.json").json()
    for path in ("/api/v1/inspections", "/api/v1/stakeholder-ratings"):
        operation = schema["paths"][path]["post"]
        assert "409" in operation["responses"], path
        assert '"locked"' in operation["description"], path
    assert "too_many_attempts" in schema["info"]["description"]


def test_a_stale_lock_is_a_conflict(aw, client_for):
    response = client_for("xingang").post(
        f"/api/v1/appraisal-periods/{aw.period.pk}/lock", {"version": aw.period.version - 1}, content_type=JSON
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_adjusting_through_the_api_records_the_reason(aw, client_for):
    score = aw.score_of(aw.grid_cadre)
    response = client_for("xingang").post(
        f"/api/v1/appraisal-scores/{score.pk}/adjust", {"new_total": 91.5, "reason": "复核加分"}, content_type=JSON
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == "91.50"
    assert body["adjustments"][0]["reason"] == "复核加分"


def test_a_viewer_without_the_right_cannot_write(aw, client_for):
    response = client_for("province").post(
        f"/api/v1/appraisal-periods/{aw.period.pk}/lock", {"version": aw.period.version}, content_type=JSON
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_flags_are_listed_and_reviewed(aw, client_for):
    flag = IntegrityFlag.objects.create(period=aw.period, cadre=aw.grid_cadre, kind=FlagKind.OFF_HISTORY, detail="x")
    client = client_for("xingang")
    assert client.get(f"/api/v1/appraisal-periods/{aw.period.pk}/flags").json()["count"] == 1
    response = client.post(
        f"/api/v1/integrity-flags/{flag.pk}/review", {"status": "confirmed", "note": "确有刷分"}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"


def test_the_project_ranking_is_recorded_and_read(aw, client_for):
    client = client_for("xingang")
    url = f"/api/v1/appraisal-periods/{aw.period.pk}/projects"
    response = client.post(
        url, {"post_id": aw.project_post.pk, "progress_score": 90, "quality_score": 80}, content_type=JSON
    )
    assert response.status_code == 200
    (item,) = client.get(url).json()
    assert (item["post_name"], item["rank"], item["trend"]) == ("新港园区铜产业园", 1, "new")
    assert item["service_score"] is not None


# --- The performance record and evidence ---------------------------------------------------------


def test_a_cadres_performance_record_and_score_history(aw, client_for):
    cadre = aw.commissioners[0]
    body = client_for("xingang").get(f"/api/v1/cadres/{cadre.pk}/performance").json()
    kinds = {e["kind"] for e in body["entries"]}
    assert {"problem", "suggestion"} <= kinds
    assert body["scores"][0]["period_id"] == aw.period.pk
    assert client_for("jiangsu").get(f"/api/v1/cadres/{cadre.pk}/performance").status_code == 404


def test_inspections_ratings_and_suggestions_are_created(aw, client_for):
    client = client_for("xingang")
    cadre = aw.commissioners[1]
    inspection = client.post(
        "/api/v1/inspections",
        {
            "campaign_id": aw.campaign.pk,
            "cadre_id": cadre.pk,
            "inspected_on": "2025-06-25",
            "task_completion": 90,
            "enterprise_evaluation": 80,
            "ledger_check": 70,
            "unannounced": True,
        },
        content_type=JSON,
    )
    assert inspection.status_code == 201
    assert inspection.json()["score"] == 80.0
    assert Inspection.objects.get(pk=inspection.json()["id"]).unannounced
    rating = client.post(
        "/api/v1/stakeholder-ratings",
        {
            "campaign_id": aw.campaign.pk,
            "cadre_id": cadre.pk,
            "rater_kind": "enterprise",
            "score": 4,
            "rated_on": "2025-06-25",
        },
        content_type=JSON,
    )
    assert rating.status_code == 201
    assert StakeholderRating.objects.filter(pk=rating.json()["id"], score=4).exists()
    bad = client.post(
        "/api/v1/stakeholder-ratings",
        {
            "campaign_id": aw.campaign.pk,
            "cadre_id": cadre.pk,
            "rater_kind": "enterprise",
            "score": 9,
            "rated_on": "2025-06-25",
        },
        content_type=JSON,
    )
    assert bad.status_code == 400

    own = client_for("grid").post(
        "/api/v1/suggestions",
        {"cadre_id": aw.grid_cadre.pk, "title": "简化台账", "content": "合并重复报表"},
        content_type=JSON,
    )
    assert own.status_code == 201
    adopted = client.post(f"/api/v1/suggestions/{own.json()['id']}/adopt", {"note": "采纳"}, content_type=JSON)
    assert adopted.status_code == 200
    assert adopted.json()["adopted"] is True
    assert Suggestion.objects.get(pk=own.json()["id"]).adopted
    # A cadre may not put words in another cadre's mouth.
    other = client_for("grid").post(
        "/api/v1/suggestions", {"cadre_id": aw.grid_heads[1].pk, "title": "x", "content": "y"}, content_type=JSON
    )
    assert other.status_code == 404
    assert AuditLog.objects.filter(object_type="appraisal.suggestion").count() >= 2


def test_evidence_for_a_cadre_outside_the_scope_is_404(aw, client_for):
    response = client_for("xingang").post(
        "/api/v1/inspections",
        {
            "campaign_id": aw.campaign.pk,
            "cadre_id": aw.zengdu_cadre.pk,
            "inspected_on": str(date(2025, 6, 25)),
            "task_completion": 90,
            "enterprise_evaluation": 80,
            "ledger_check": 70,
        },
        content_type=JSON,
    )
    assert response.status_code == 404


def test_a_period_locked_by_the_service_is_reported_locked(aw, client_for):
    period_lock(actor=aw.xingang_official, period=aw.period, expected_version=aw.period.version)
    body = client_for("xingang").get(f"/api/v1/appraisal-periods/{aw.period.pk}").json()
    assert body["status"] == "locked"
    assert body["locked_at"]
