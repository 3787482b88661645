"""Who sees which appraisal rows: a cadre only their own breakdown, a district only its cadres,
another province nothing — a 404 in pages, API and exports alike.

The Xingang campaign's June: grid heads 李网格 (logs in as "grid", "own" scope), 王格, 赵网 and
commissioners 陈明, 张文强 (Xingang's) and 崔艳 (Zengdu's, deployed at a Xingang project).
"""

import pytest
from django.urls import reverse

from frontline.appraisal.models import CadreScore
from frontline.appraisal.selectors import get_score_for_user, score_list
from frontline.appraisal.tests.factories import AppraisalWorld, make_period_with_scores
from frontline.core.models import ApiToken

PERIOD_PAGES = ("period_detail", "rankings", "rankings_export", "projects", "flags", "period_lock")


@pytest.fixture
def aw(world) -> AppraisalWorld:
    return make_period_with_scores(world)


def names(scores) -> set[str]:
    return {s.cadre.name for s in scores}


def test_a_cadre_sees_only_their_own_breakdown(aw, client_for):
    client = client_for("grid")
    own = aw.score_of(aw.grid_cadre)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(f"/api/v1/appraisal-scores/{own.pk}").status_code == 200
    evidence = reverse("appraisal:score_evidence", args=[own.pk, 0, 0])
    assert client.get(evidence).status_code == 200
    for cadre in aw.cadres[1:]:
        other = aw.score_of(cadre)
        assert client.get(other.get_absolute_url()).status_code == 404, cadre.name
        assert client.get(reverse("appraisal:score_evidence", args=[other.pk, 0, 0])).status_code == 404
        assert client.get(f"/api/v1/appraisal-scores/{other.pk}").status_code == 404
        assert client.get(reverse("appraisal:performance", args=[cadre.pk])).status_code == 404
    # The period, its ranking and everyone else's scores stay out of reach.
    for name in PERIOD_PAGES:
        assert client.get(reverse(f"appraisal:{name}", args=[aw.period.pk])).status_code == 404, name
    assert client.get(f"/api/v1/appraisal-periods/{aw.period.pk}/scores").status_code == 404
    assert names(score_list(user=aw.grid_head, period=aw.period)) == {"李网格"}
    # The own score page does not link to the period the cadre may not open.
    assert aw.period.get_absolute_url() not in client.get(own.get_absolute_url()).content.decode()


def test_a_cadres_own_page_shows_no_one_else(aw, client_for):
    html = client_for("grid").get(reverse("appraisal:my_scores")).content.decode()
    assert "李网格" in html
    for cadre in aw.cadres[1:]:
        assert cadre.name not in html


def test_a_district_sees_only_its_cadres(aw, client_for):
    xingang = client_for("xingang")
    assert names(score_list(user=aw.xingang_official, period=aw.period)) == {"李网格", "王格", "赵网", "陈明", "张文强"}
    html = xingang.get(aw.period.get_absolute_url()).content.decode()
    assert "崔艳" not in html
    cui = aw.score_of(aw.zengdu_cadre)
    assert xingang.get(cui.get_absolute_url()).status_code == 404
    assert xingang.get(f"/api/v1/appraisal-scores/{cui.pk}").status_code == 404

    zengdu = client_for("zengdu")
    # Zengdu does not organize the campaign: its period is out of reach, its own cadre's score is not.
    assert zengdu.get(aw.period.get_absolute_url()).status_code == 404
    assert zengdu.get(cui.get_absolute_url()).status_code == 200
    assert zengdu.get(reverse("appraisal:performance", args=[aw.zengdu_cadre.pk])).status_code == 200
    assert zengdu.get(aw.score_of(aw.grid_cadre).get_absolute_url()).status_code == 404


def test_the_province_sees_every_hubei_cadre(aw):
    assert len(names(score_list(user=aw.province_official, period=aw.period))) == 6


@pytest.mark.parametrize("persona", ["jiangsu", "auditor"])
def test_outsiders_get_404_in_pages_api_and_exports(aw, client_for, persona):
    client = client_for(persona)
    for name in PERIOD_PAGES:
        assert client.get(reverse(f"appraisal:{name}", args=[aw.period.pk])).status_code == 404, name
    assert client.get(reverse("appraisal:scheme_detail", args=[aw.scheme.pk])).status_code == 404
    assert client.get(reverse("appraisal:campaign_periods", args=[aw.campaign.pk])).status_code == 404
    for score in CadreScore.objects.filter(period=aw.period):
        assert client.get(score.get_absolute_url()).status_code == 404
        assert client.get(f"/api/v1/appraisal-scores/{score.pk}").status_code == 404
    for path in (
        f"/api/v1/appraisal-periods/{aw.period.pk}",
        f"/api/v1/appraisal-periods/{aw.period.pk}/scores",
        f"/api/v1/appraisal-periods/{aw.period.pk}/flags",
        f"/api/v1/appraisal-periods/{aw.period.pk}/projects",
        f"/api/v1/appraisal-schemes/{aw.scheme.pk}",
        f"/api/v1/cadres/{aw.grid_cadre.pk}/performance",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/v1/appraisal-periods").json()["count"] == 0
    assert client.get("/api/v1/appraisal-schemes").json()["count"] == 0


def test_outsiders_cannot_write_either(aw, client_for):
    client = client_for("jiangsu")
    score = aw.score_of(aw.grid_cadre)
    assert client.post(reverse("appraisal:period_compute", args=[aw.period.pk])).status_code == 404
    assert (
        client.post(reverse("appraisal:score_adjust", args=[score.pk]), {"new_total": 1, "reason": "x"}).status_code
        == 404
    )
    response = client.post(
        f"/api/v1/appraisal-periods/{aw.period.pk}/lock",
        {"version": aw.period.version},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_a_bearer_token_sees_the_same_scope(aw, client):
    _, key = ApiToken.issue(aw.grid_head)
    headers = {"Authorization": f"Bearer {key}"}
    own = aw.score_of(aw.grid_cadre)
    other = aw.score_of(aw.commissioners[0])
    assert client.get(f"/api/v1/appraisal-scores/{own.pk}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/appraisal-scores/{other.pk}", headers=headers).status_code == 404


def test_the_selector_raises_404_outside_the_scope(aw):
    from django.http import Http404

    with pytest.raises(Http404):
        get_score_for_user(user=aw.jiangsu_official, pk=aw.score_of(aw.grid_cadre).pk)
