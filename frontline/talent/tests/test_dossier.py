import urllib.request
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from frontline.cadres.models import Rank
from frontline.core import crypto
from frontline.core.models import AuditAction, AuditLog
from frontline.dispatch.services import deployment_create
from frontline.dispatch.tests.factories import role
from frontline.ledger.models import Problem, ProblemCategory, ProblemStatus
from frontline.talent.dossier import dossier_data, dossier_pdf
from frontline.talent.services import (
    MeritData,
    PromotionData,
    merit_create,
    promotion_create,
    reserve_entry_transition,
    reserve_nominate,
)
from frontline.talent.tests.factories import make_month
from frontline.talent.tests.pdftext import pdf_text


@pytest.fixture
def full_record(world, campaign, peers, second_editor):
    """陈明 deployed at 弘盛铜业, first of ten for two locked months (one more under review), in the
    pool, promoted and commended."""
    cadre = peers[0]
    deployment_create(
        actor=None,
        cadre=cadre,
        post=world.xingang_enterprise,
        role=role("party_building_instructor"),
        start_date=date(2025, 1, 1),
        campaign=campaign,
    )
    make_month(campaign, date(2025, 1, 1), peers)
    make_month(campaign, date(2025, 2, 1), peers)
    make_month(campaign, date(2025, 3, 1), peers, locked=False)
    entry = reserve_nominate(actor=world.xingang_official, cadre=cadre, reason="服务企业成效突出")
    reserve_entry_transition(actor=second_editor, entry=entry, action="approve", note="同意入库")
    promotion_create(
        actor=world.xingang_official,
        cadre=cadre,
        data=PromotionData(
            kind="position",
            effective_on=date(2025, 6, 1),
            decision_body="中共新港园区工委",
            evidence="推动弘盛铜业扩产项目落地",
            to_position="招商服务局副局长",
            to_rank=Rank.DEPUTY_SECTION,
        ),
    )
    merit_create(
        actor=world.xingang_official,
        cadre=cadre,
        data=MeritData(kind="third_class", awarded_on=date(2025, 7, 1), awarding_body="黄石市委", reason="百日攻坚"),
    )
    return cadre


def test_the_dossier_is_a_pdf_whose_text_holds_the_cadres_record(world, full_record):
    cadre = full_record
    pdf = dossier_pdf(cadre=cadre, actor=world.xingang_official)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    text = pdf_text(pdf)
    for expected in (
        cadre.name,
        "一线专项档案",
        cadre.id_number_masked,
        "新港园区",
        "弘盛铜业",
        "党建指导员",
        "2025年01月",
        "2025年02月",
        "1 / 10",
        "服务企业成效突出",
        "已入库",
        "招商服务局副局长",
        "科员 → 副科级",
        "三等功",
        "黄石市委",
    ):
        assert expected in text, expected
    assert "2025年03月" not in text  # a period under review is not in the archive
    assert crypto.decrypt(cadre.id_number_encrypted) not in text  # the ID number only masked


def test_the_dossier_lists_the_problems_the_cadre_solved(world):
    cadre, post = world.xingang_cadres[0], world.xingang_enterprise
    solved = timezone.make_aware(datetime(2025, 5, 20, 16, 0))
    Problem.objects.create(
        tracking_code="TESTDOSSIER1",
        post=post,
        region=post.region,
        post_unit=post.unit,
        cadre=cadre,
        category=ProblemCategory.objects.order_by("id")[0],
        title="弘盛铜业用电增容",
        description="扩产需要增容 2000 千伏安",
        resolution="供电公司已完成增容",
        status=ProblemStatus.CLOSED,
        resolved_at=solved,
        closed_at=solved,
    )
    text = pdf_text(dossier_pdf(cadre=cadre))
    assert "弘盛铜业用电增容" in text
    assert "2025-05-20" in text
    assert "暂无实绩记录" not in text


def test_the_dossier_of_a_cadre_with_no_record_says_so(world):
    text = pdf_text(dossier_pdf(cadre=world.zengdu_cadre))
    assert "崔艳" in text
    assert "暂无下沉任职记录" in text
    assert "未进入后备干部库" in text


def test_the_dossier_data_takes_a_fixed_number_of_queries(world, full_record, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        data = dossier_data(cadre=full_record)
    assert [line.band for line in data.scores] == ["好", "好"]
    assert len(data.deployments) == 1


def test_downloading_the_dossier_from_the_cadres_page_is_audited(world, client_for, full_record):
    client = client_for("xingang")
    page = client.get(full_record.get_absolute_url()).content.decode()
    url = reverse("talent:dossier", args=[full_record.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    log = AuditLog.objects.get(action=AuditAction.VIEW_SENSITIVE, object_id=str(full_record.pk))
    assert log.actor == world.xingang_official
    assert "一线专项档案" in log.note


def test_a_cadre_downloads_their_own_dossier(world, client_for):
    response = client_for("grid").get(reverse("talent:dossier", args=[world.grid_cadre.pk]))
    assert response.status_code == 200
    assert world.grid_cadre.name in pdf_text(response.content)


def test_the_dossier_refuses_to_fetch_anything(world, monkeypatch):
    """The PDF is rendered from self-contained HTML; a URL in it (file:, http:) is never fetched."""
    from frontline.talent import dossier

    monkeypatch.setattr(
        dossier,
        "dossier_html",
        lambda data: '<img src="file:///etc/hostname"><p>崔艳</p><img src="http://example.com/x.png">',
    )
    fetched: list[object] = []

    def record(*args: object, **kwargs: object) -> None:
        fetched.append(args)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", record)
    assert "崔艳" in pdf_text(dossier.dossier_pdf(cadre=world.zengdu_cadre))
    assert fetched == []
