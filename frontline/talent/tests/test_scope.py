"""Out of scope is a 404 everywhere: pages, API and downloads, across districts and provinces."""

from datetime import date

import pytest
from django.urls import reverse

from frontline.cadres.models import Rank
from frontline.talent.models import ReservePoolEntry
from frontline.talent.services import MeritData, PromotionData, merit_create, promotion_create, reserve_nominate

JSON = "application/json"


@pytest.fixture
def records(world):
    cadre = world.xingang_cadres[0]
    entry = reserve_nominate(actor=world.xingang_official, cadre=cadre, reason="园区干部")
    promotion = promotion_create(
        actor=world.xingang_official,
        cadre=cadre,
        data=PromotionData(
            kind="rank", effective_on=date(2025, 6, 1), decision_body="工委", evidence="实绩", to_rank=Rank.SECTION
        ),
    )
    merit = merit_create(
        actor=world.xingang_official,
        cadre=cadre,
        data=MeritData(kind="commendation", awarded_on=date(2025, 4, 1), awarding_body="工委", reason="事由"),
    )
    return cadre, entry, promotion, merit


@pytest.mark.parametrize("persona", ["zengdu", "jiangsu"])
def test_another_districts_or_provinces_rows_are_404_in_pages(world, client_for, records, persona):
    cadre, entry, _promotion, _merit = records
    client = client_for(persona)
    assert client.get(entry.get_absolute_url()).status_code == 404
    assert client.post(reverse("talent:reserve_decide", args=[entry.pk, "approve"]), {"version": 1}).status_code == 404
    assert client.get(reverse("talent:dossier", args=[cadre.pk])).status_code == 404
    assert client.get(reverse("talent:promotion_create") + f"?cadre={cadre.pk}").status_code == 404
    assert client.get(reverse("talent:merit_create") + f"?cadre={cadre.pk}").status_code == 404
    assert cadre.name not in client.get(reverse("talent:reserve_list")).content.decode()
    assert cadre.name not in client.get(reverse("talent:promotion_list")).content.decode()
    assert cadre.name not in client.get(reverse("talent:merit_list")).content.decode()


@pytest.mark.parametrize("persona", ["zengdu", "jiangsu"])
def test_another_districts_or_provinces_rows_are_404_in_the_api(world, client_for, records, persona):
    cadre, entry, promotion, merit = records
    client = client_for(persona)
    assert client.get(f"/api/v1/reserve-pool/{entry.pk}").status_code == 404
    assert client.post(f"/api/v1/reserve-pool/{entry.pk}/approve", {"version": 1}, content_type=JSON).status_code == 404
    assert client.get(f"/api/v1/promotions/{promotion.pk}").status_code == 404
    assert client.get(f"/api/v1/merits/{merit.pk}").status_code == 404
    assert client.get(f"/api/v1/cadres/{cadre.pk}/dossier.pdf").status_code == 404
    assert client.get("/api/v1/reserve-pool").json()["count"] == 0
    assert client.get("/api/v1/promotions").json()["count"] == 0
    assert client.get("/api/v1/merits").json()["count"] == 0
    nominate = client.post("/api/v1/reserve-pool", {"cadre_id": cadre.pk, "reason": "越权"}, content_type=JSON)
    assert nominate.status_code == 404
    assert ReservePoolEntry.objects.count() == 1


def test_the_province_sees_its_districts_rows_but_cannot_change_them(world, client_for, records):
    _cadre, entry, _promotion, _merit = records
    client = client_for("province")
    assert client.get(entry.get_absolute_url()).status_code == 200
    assert client.get("/api/v1/reserve-pool").json()["count"] == 1
    assert client.post(reverse("talent:reserve_decide", args=[entry.pk, "approve"]), {"version": 1}).status_code == 403
    assert client.get(reverse("talent:promotion_create")).status_code == 403


def test_a_grid_head_sees_only_their_own_cadre(world, client_for, records):
    cadre, entry, _promotion, _merit = records
    client = client_for("grid")
    assert client.get(entry.get_absolute_url()).status_code == 404
    assert client.get(reverse("talent:dossier", args=[cadre.pk])).status_code == 404
    assert client.get(f"/api/v1/cadres/{world.grid_cadre.pk}/dossier.pdf").status_code == 200
