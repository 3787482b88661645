from datetime import date

from frontline.cadres.models import Rank
from frontline.talent.models import ReservePoolEntry, ReserveStatus
from frontline.talent.services import reserve_nominate
from frontline.talent.tests.factories import make_month, score_of

JSON = "application/json"
JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def test_a_nomination_through_the_api_is_listed_and_approved_by_someone_else(world, client_for, second_editor):
    cadre = world.xingang_cadres[0]
    response = client_for("xingang").post(
        "/api/v1/reserve-pool", {"cadre_id": cadre.pk, "reason": "企业评价好"}, content_type=JSON
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "nominated"
    assert body["nominated_by"] == "xingang"

    listing = client_for("xingang").get("/api/v1/reserve-pool?status=nominated").json()
    assert listing["count"] == 1
    assert listing["items"][0]["cadre_name"] == cadre.name

    own = client_for("xingang").post(
        f"/api/v1/reserve-pool/{body['id']}/approve", {"version": body["version"]}, content_type=JSON
    )
    assert own.status_code == 403
    approved = client_for("xingang2").post(
        f"/api/v1/reserve-pool/{body['id']}/approve", {"version": body["version"], "note": "同意"}, content_type=JSON
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "xingang2"


def test_a_second_nomination_through_the_api_is_refused(world, client_for):
    payload = {"cadre_id": world.xingang_cadres[0].pk, "reason": "理由"}
    client = client_for("xingang")
    assert client.post("/api/v1/reserve-pool", payload, content_type=JSON).status_code == 201
    second = client.post("/api/v1/reserve-pool", payload, content_type=JSON)
    assert second.status_code == 400
    assert second.json()["code"] == "duplicate"


def test_a_decision_on_a_stale_version_is_409_and_a_rejection_needs_a_note(world, client_for, second_editor):
    entry = reserve_nominate(actor=world.xingang_official, cadre=world.xingang_cadres[0], reason="理由")
    client = client_for("xingang2")
    stale = client.post(f"/api/v1/reserve-pool/{entry.pk}/approve", {"version": 99}, content_type=JSON)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == entry.version
    no_note = client.post(f"/api/v1/reserve-pool/{entry.pk}/reject", {"version": entry.version}, content_type=JSON)
    assert no_note.status_code == 400
    assert "note" in no_note.json()["errors"]
    rejected = client.post(
        f"/api/v1/reserve-pool/{entry.pk}/reject", {"version": entry.version, "note": "依据不足"}, content_type=JSON
    )
    assert rejected.json()["status"] == "rejected"


def test_the_candidates_endpoint_gives_the_rule_its_months_and_the_evidence(world, client_for, campaign, peers):
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, peers)
    body = client_for("xingang").get(f"/api/v1/reserve-pool/candidates?campaign={campaign.pk}&months=3").json()
    assert body["periods"] == ["2025年01月", "2025年02月", "2025年03月"]
    assert body["threshold"] == "90.00"
    assert body["problem"] == ""
    [candidate] = body["candidates"]
    assert candidate["cadre_id"] == peers[0].pk
    assert candidate["in_pool"] is False
    assert [s["rank_in_group"] for s in candidate["scores"]] == [1, 1, 1]
    assert (
        client_for("xingang").get(f"/api/v1/reserve-pool/candidates?campaign={campaign.pk}&months=0").status_code == 400
    )


def test_rule_nominations_through_the_api(world, client_for, campaign, peers):
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, peers)
    response = client_for("xingang").post(
        "/api/v1/reserve-pool/rule-nominations",
        {"campaign_id": campaign.pk, "cadre_ids": [peers[0].pk, peers[1].pk]},
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert [e["cadre_id"] for e in body["created"]] == [peers[0].pk]
    assert body["created"][0]["basis"] == "rule"
    assert body["skipped"] == [{"cadre_id": peers[1].pk, "cadre_name": peers[1].name, "reason": "不符合规则"}]


def test_promotions_and_merits_are_created_and_listed(world, client_for, campaign, peers):
    cadre = peers[0]
    period = make_month(campaign, JAN, peers)
    client = client_for("xingang")
    created = client.post(
        "/api/v1/promotions",
        {
            "cadre_id": cadre.pk,
            "kind": "rank",
            "to_rank": Rank.DEPUTY_SECTION,
            "effective_on": "2025-06-01",
            "decision_body": "中共新港园区工委",
            "evidence": "连续三个月同类第一",
            "score_ids": [score_of(period, cadre).pk],
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    assert created.json()["from_rank"] == Rank.STAFF
    assert created.json()["score_ids"] == [score_of(period, cadre).pk]
    assert client.get(f"/api/v1/cadres/{cadre.pk}").json()["rank"] == Rank.DEPUTY_SECTION
    assert client.get("/api/v1/promotions?kind=rank").json()["count"] == 1

    someone_elses = client.post(
        "/api/v1/merits",
        {
            "cadre_id": cadre.pk,
            "kind": "third_class",
            "awarded_on": "2025-04-01",
            "awarding_body": "园区工委",
            "reason": "百日攻坚",
            "score_ids": [score_of(period, peers[1]).pk],
        },
        content_type=JSON,
    )
    assert someone_elses.status_code == 400
    merit = client.post(
        "/api/v1/merits",
        {
            "cadre_id": cadre.pk,
            "kind": "third_class",
            "awarded_on": "2025-04-01",
            "awarding_body": "园区工委",
            "reason": "百日攻坚",
        },
        content_type=JSON,
    )
    assert merit.status_code == 201
    assert client.get(f"/api/v1/merits?cadre={cadre.pk}").json()["items"][0]["kind"] == "third_class"


def test_a_viewer_cannot_write_through_the_api(world, client_for):
    response = client_for("province").post(
        "/api/v1/reserve-pool", {"cadre_id": world.xingang_cadres[0].pk, "reason": "理由"}, content_type=JSON
    )
    assert response.status_code == 403
    assert not ReservePoolEntry.objects.exists()


def test_the_dossier_is_served_as_a_pdf(world, client_for):
    response = client_for("xingang").get(f"/api/v1/cadres/{world.xingang_cadres[0].pk}/dossier.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_the_api_lists_entries_with_a_count(world, client_for, second_editor):
    for cadre in world.xingang_cadres:
        reserve_nominate(actor=world.xingang_official, cadre=cadre, reason="理由")
    body = client_for("xingang").get("/api/v1/reserve-pool?limit=1").json()
    assert body["count"] == 2
    assert len(body["items"]) == 1
    assert body["items"][0]["status_label"] == str(ReserveStatus.NOMINATED.label)
