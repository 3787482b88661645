"""Public intake: submit without an account, track by code, rate once; abuse gets clear errors."""

from typing import Any

import pytest
from django.test import Client

from frontline.ledger.models import IntakeAttempt, Problem, ProblemCategory, Rating
from frontline.ledger.tests.factories import act

pytestmark = pytest.mark.django_db


def submit(lw: Any, client: Client | None = None, **extra: Any) -> Any:
    body = {"category_id": ProblemCategory.objects.get(code="livelihood").pk, "description": "老人买药难", **extra}
    return (client or Client()).post(
        f"/api/v1/public/posts/{lw.xingang_enterprise.pk}/requests", body, content_type="application/json"
    )


def test_a_resident_submits_tracks_and_rates_without_an_account(lw):
    created = submit(lw, requester_name="王阿姨", requester_phone="13712345678")
    assert created.status_code == 201
    code = created.json()["tracking_code"]
    problem = Problem.objects.get(tracking_code=code)
    assert problem.source == "public"
    assert problem.created_by is None
    act(problem, lw.xingang_official, "hand_over", department=lw.land_bureau)
    act(problem, lw.land_clerk, "accept")
    act(problem, lw.land_clerk, "update", note="内部：联系王阿姨 13712345678")
    act(problem, lw.land_clerk, "resolve", resolution="已协调社区医院每周送药上门。")
    status = Client().get(f"/api/v1/public/requests/{code}").json()
    assert status["status"] == "resolved"
    assert status["can_rate"] is True
    text = str(status)
    assert "王阿姨" not in text
    assert "137" not in text
    assert "land" not in text
    assert "送药上门" in text
    rated = Client().post(f"/api/v1/public/requests/{code}/rating", {"score": 5}, content_type="application/json")
    assert rated.status_code == 201
    assert rated.json()["status"] == "closed"
    again = Client().post(f"/api/v1/public/requests/{code}/rating", {"score": 1}, content_type="application/json")
    assert again.status_code == 409
    assert Rating.objects.count() == 1


def test_a_request_cannot_be_rated_before_it_is_resolved(lw):
    code = submit(lw).json()["tracking_code"]
    response = Client().post(f"/api/v1/public/requests/{code}/rating", {"score": 5}, content_type="application/json")
    assert response.status_code == 400
    assert "办结后" in response.json()["detail"]


def test_an_unknown_code_is_404(lw):
    assert Client().get("/api/v1/public/requests/NOPE").status_code == 404
    assert Client().get("/api/v1/public/requests/" + "X" * 300).status_code == 404


def test_a_flood_from_one_address_is_refused_with_429_and_nothing_is_lost(lw, settings):
    settings.FRONTLINE_PUBLIC_INTAKE_MAX = 3
    codes = [submit(lw).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    assert Problem.objects.count() == 3
    assert IntakeAttempt.objects.count() == 3


def test_oversized_and_malformed_bodies_get_clear_errors_not_5xx(lw):
    # Schema errors are 400 or 422 depending on the API's handler; never a 5xx.
    assert submit(lw, description="药" * 100_000).status_code in (400, 422)
    assert submit(lw, description="").status_code in (400, 422)
    bad_json = Client().post(
        f"/api/v1/public/posts/{lw.xingang_enterprise.pk}/requests", "{not json", content_type="application/json"
    )
    assert bad_json.status_code in (400, 422)
    assert submit(lw, category_id=999999).status_code == 404
    empty = Client().post("/api/v1/public/posts/999999/requests", {}, content_type="application/json")
    assert empty.status_code in (400, 404, 422)
    assert Problem.objects.count() == 0


def test_the_same_idempotency_key_from_the_public_creates_one_request(lw):
    c = Client()
    url = f"/api/v1/public/posts/{lw.xingang_enterprise.pk}/requests"
    body = {"category_id": ProblemCategory.objects.get(code="livelihood").pk, "description": "重复"}
    a = c.post(url, body, content_type="application/json", headers={"Idempotency-Key": "pub-1"})
    b = c.post(url, body, content_type="application/json", headers={"Idempotency-Key": "pub-1"})
    assert (a.status_code, b.status_code) == (201, 200)
    assert a.json()["tracking_code"] == b.json()["tracking_code"]


def test_the_public_page_and_poster_work_without_login(lw):
    c = Client()
    page = c.get(f"/ledger/p/{lw.xingang_enterprise.pk}/")
    assert page.status_code == 200
    assert "弘盛铜业" in page.content.decode()
    poster = c.get(f"/ledger/p/{lw.xingang_enterprise.pk}/poster/")
    assert poster.status_code == 200
    assert "data:image/svg+xml" in poster.content.decode()
    form = {
        "requester_kind": "resident",
        "category": ProblemCategory.objects.get(code="livelihood").pk,
        "description": "想请社区帮忙代购降压药",
        "idempotency_key": "form-1",
    }
    response = c.post(f"/ledger/p/{lw.xingang_enterprise.pk}/", form)
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/ledger/t/{problem.tracking_code}/")
    track = c.get(response["Location"])
    assert "已登记" in track.content.decode()


def test_the_public_form_shows_the_rate_limit_message(lw, settings):
    settings.FRONTLINE_PUBLIC_INTAKE_MAX = 0
    form = {
        "requester_kind": "resident",
        "category": ProblemCategory.objects.get(code="livelihood").pk,
        "description": "x",
    }
    response = Client().post(f"/ledger/p/{lw.xingang_enterprise.pk}/", form)
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
