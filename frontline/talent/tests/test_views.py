import re
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontline.cadres.models import Cadre, Rank
from frontline.core.models import AuditAction, AuditLog
from frontline.core.testing import World, make_cadre
from frontline.talent.models import Merit, Promotion, ReservePoolEntry, ReserveStatus
from frontline.talent.services import MeritData, PromotionData, merit_create, promotion_create, reserve_nominate
from frontline.talent.tests.factories import make_month, score_of

INLINE_STYLE = re.compile(r"\sstyle=|<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)")
LIST = reverse("talent:reserve_list")
JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def assert_clean(html: str) -> None:
    assert not INLINE_STYLE.search(html), "inline styles or scripts break the CSP"


def nominate_many(world: World, n: int, prefix: str = "后备") -> list[ReservePoolEntry]:
    return [
        reserve_nominate(
            actor=world.xingang_official, cadre=make_cadre(f"{prefix}{i}", home_unit=world.xingang), reason="实绩突出"
        )
        for i in range(n)
    ]


def same_queries(client: Client, url: str, add_rows: Callable[[], object]) -> tuple[int, int, str]:
    with CaptureQueriesContext(connection) as few:
        html = client.get(url).content.decode()
    add_rows()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    return len(few), len(many), html


# --- the reserve pool list -------------------------------------------------------------------


def test_the_reserve_list_shows_the_pool_with_filters_and_a_pinned_query_count(world, client_for):
    nominate_many(world, 2)
    client = client_for("xingang")
    few, many, html = same_queries(client, LIST + "?status=nominated", lambda: nominate_many(world, 6, "再提"))
    assert few == many
    assert "后备0" in html
    assert_clean(html)
    assert "后备0" not in client.get(LIST + "?status=approved").content.decode()
    assert "后备0" not in client.get(LIST + "?q=不存在").content.decode()


def test_the_reserve_list_makes_a_fixed_number_of_queries(world, client_for, django_assert_num_queries):
    nominate_many(world, 3)
    client = client_for("xingang")
    # session, user, roles, unit (access), count, page rows with cadre/unit/campaign/users
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 3


def test_the_reserve_list_paginates(world, client_for, settings):
    settings.PAGE_SIZE = 2
    nominate_many(world, 3)
    response = client_for("xingang").get(LIST, {"page": 2})
    assert response.context["page"].paginator.count == 3
    assert len(response.context["page"].object_list) == 1


def test_the_reserve_pool_exports_to_excel_and_the_export_is_audited(world, client_for):
    nominate_many(world, 2)
    response = client_for("xingang").get(reverse("talent:reserve_export") + "?status=nominated")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, object_type="talent.reservepoolentry").count() == 1


def test_an_english_export_is_audited_in_the_products_language(world, client_for):
    nominate_many(world, 1)
    client = client_for("xingang")
    client.cookies["django_language"] = "en"
    assert client.get(reverse("talent:reserve_export")).status_code == 200
    entry = AuditLog.objects.get(action=AuditAction.EXPORT, object_type="talent.reservepoolentry")
    assert (entry.object_repr, entry.note) == ("后备干部库导出", "筛选：无")


def test_a_role_without_the_export_right_cannot_export(world, client_for):
    assert client_for("grid").get(reverse("talent:reserve_export")).status_code == 403


# --- nominating and deciding -----------------------------------------------------------------


def test_an_official_nominates_by_hand_and_another_approves(world, client_for, second_editor):
    cadre = world.xingang_cadres[0]
    response = client_for("xingang").post(
        reverse("talent:reserve_nominate"), {"cadre": cadre.pk, "reason": "两次获评优秀下沉干部"}
    )
    entry = ReservePoolEntry.objects.get()
    assert response.headers["Location"] == entry.get_absolute_url()
    page = client_for("xingang2").get(entry.get_absolute_url()).content.decode()
    assert "两次获评优秀下沉干部" in page
    assert 'id="decide-approve"' in page
    assert_clean(page)

    url = reverse("talent:reserve_decide", args=[entry.pk, "approve"])
    client_for("xingang2").post(url, {"version": entry.version, "note": "同意"})
    entry.refresh_from_db()
    assert entry.status == ReserveStatus.APPROVED
    assert entry.decided_by == second_editor


def test_the_nominator_is_told_why_they_cannot_approve(world, client_for, second_editor):
    entry = reserve_nominate(actor=world.xingang_official, cadre=world.xingang_cadres[0], reason="实绩")
    client = client_for("xingang")
    response = client.post(
        reverse("talent:reserve_decide", args=[entry.pk, "approve"]), {"version": entry.version}, follow=True
    )
    assert "提名人不能审批自己的提名" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == ReserveStatus.NOMINATED


def test_a_nomination_without_a_reason_shows_the_error_on_the_form(world, client_for):
    response = client_for("xingang").post(
        reverse("talent:reserve_nominate"), {"cadre": world.xingang_cadres[0].pk, "reason": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not ReservePoolEntry.objects.exists()


def test_a_viewer_cannot_open_the_nomination_form(world, client_for):
    assert client_for("province").get(reverse("talent:reserve_nominate")).status_code == 403


def test_the_candidates_page_lists_the_rules_candidates_and_nominates_the_selected(world, client_for, campaign, peers):
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, peers)
    client = client_for("xingang")
    url = reverse("talent:reserve_candidates") + f"?campaign={campaign.pk}&months=3&top_percent=10"
    html = client.get(url).content.decode()
    assert "连续 3 个月在同角色、同阵地类型干部中位列前 10%" in html
    assert f'name="cadre" value="{peers[0].pk}"' in html
    assert f'name="cadre" value="{peers[1].pk}"' not in html
    assert_clean(html)

    response = client.post(url, {"cadre": [peers[0].pk]})
    assert response.status_code == 302
    entry = ReservePoolEntry.objects.get()
    assert entry.cadre == peers[0]
    assert len(entry.evidence["periods"]) == 3
    after = client.get(url).content.decode()
    assert f'name="cadre" value="{peers[0].pk}"' not in after  # in the pool now: nothing to select
    assert entry.get_absolute_url() in after


def test_the_candidates_page_says_why_there_are_none(world, client_for, campaign, peers):
    make_month(campaign, JAN, peers)
    url = reverse("talent:reserve_candidates") + f"?campaign={campaign.pk}&months=3&top_percent=10"
    assert "只有 1 个已锁定的月度考核期" in client_for("xingang").get(url).content.decode()


@pytest.mark.parametrize("group_size", [10, 30])
def test_the_candidates_page_keeps_its_query_count(world, client_for, campaign, peers, group_size):
    group = peers + [make_cadre(f"扩充{n}", home_unit=world.xingang) for n in range(group_size - 10)]
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, group)
    url = reverse("talent:reserve_candidates") + f"?campaign={campaign.pk}&months=3&top_percent=10"
    client = client_for("xingang")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(response.context["result"].candidates) == group_size // 10
    # session, user, roles, unit, campaign choice, the rule's five queries, the campaign <select>
    assert len(queries) == 11


def test_a_campaign_outside_the_scope_finds_no_candidates(world, client_for, campaign, peers):
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, peers)
    url = reverse("talent:reserve_candidates") + f"?campaign={campaign.pk}&months=3&top_percent=10"
    response = client_for("zengdu").get(url)
    assert response.context["result"] is None
    assert response.context["form"].errors["campaign"]
    assert client_for("zengdu").post(url, {"cadre": [peers[0].pk]}).status_code == 404
    assert not ReservePoolEntry.objects.exists()


# --- promotions and merits -------------------------------------------------------------------


def test_a_promotion_is_recorded_in_two_steps_and_the_list_shows_it(world, client_for, campaign, peers):
    cadre = peers[0]
    period = make_month(campaign, JAN, peers)
    client = client_for("xingang")
    first = client.get(reverse("talent:promotion_create")).content.decode()
    assert 'name="cadre"' in first
    url = reverse("talent:promotion_create") + f"?cadre={cadre.pk}"
    form = client.get(url).content.decode()
    assert "依据的考核结果" in form
    assert_clean(form)
    response = client.post(
        url,
        {
            "kind": "rank",
            "to_rank": str(Rank.DEPUTY_SECTION),
            "effective_on": "2025-06-01",
            "decision_body": "中共新港园区工委",
            "evidence": "同类第一",
            "scores": [score_of(period, cadre).pk],
        },
    )
    promotion = Promotion.objects.get()
    assert response.status_code == 302
    assert promotion.scores.get() == score_of(period, cadre)
    cadre.refresh_from_db()
    assert cadre.rank == Rank.DEPUTY_SECTION
    listing = client.get(reverse("talent:promotion_list") + "?kind=rank&year=2025").content.decode()
    assert cadre.name in listing
    assert "科员 → 副科级" in listing


def test_a_promotion_form_with_an_error_keeps_the_input(world, client_for):
    url = reverse("talent:promotion_create") + f"?cadre={world.xingang_cadres[0].pk}"
    response = client_for("xingang").post(
        url, {"kind": "position", "effective_on": "2025-06-01", "decision_body": "工委", "evidence": "实绩"}
    )
    assert response.status_code == 200
    assert "职务提拔须填写新职务" in response.content.decode()


def test_a_merit_is_recorded_from_its_form(world, client_for):
    cadre = world.xingang_cadres[0]
    response = client_for("xingang").post(
        reverse("talent:merit_create") + f"?cadre={cadre.pk}",
        {"kind": "third_class", "awarded_on": "2025-04-01", "awarding_body": "园区工委", "reason": "百日攻坚突出"},
    )
    assert response.status_code == 302
    assert Merit.objects.get().cadre == cadre


def _promote(world: World, cadre: Cadre) -> None:
    promotion_create(
        actor=world.xingang_official,
        cadre=cadre,
        data=PromotionData(
            kind="rank", effective_on=date(2025, 6, 1), decision_body="工委", evidence="实绩", to_rank=Rank.SECTION
        ),
    )


def _reward(world: World, cadre: Cadre) -> None:
    merit_create(
        actor=world.xingang_official,
        cadre=cadre,
        data=MeritData(kind="commendation", awarded_on=date(2025, 4, 1), awarding_body="工委", reason="事由"),
    )


@pytest.mark.parametrize(("url_name", "record"), [("talent:promotion_list", _promote), ("talent:merit_list", _reward)])
def test_the_promotion_and_merit_lists_keep_their_query_count(world, client_for, url_name, record):
    def add(n: int, prefix: str) -> None:
        for i in range(n):
            record(world, make_cadre(f"{prefix}{i}", home_unit=world.xingang))

    add(2, "甲")
    few, many, html = same_queries(client_for("xingang"), reverse(url_name), lambda: add(5, "乙"))
    assert few == many
    assert "甲0" in html
    assert_clean(html)
