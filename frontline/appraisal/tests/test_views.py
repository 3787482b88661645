"""The appraisal's pages: schemes, periods (compute, review, adjust, lock), rankings and their
export, the project ranking, a cadre's traceable score, flags, evidence entry, the performance
record, 我的考核, and the admin's refusal to change a locked period."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from frontline.appraisal.models import (
    AppraisalScheme,
    CadreScore,
    FlagKind,
    FlagStatus,
    Inspection,
    IntegrityFlag,
    PerformanceNote,
    PeriodStatus,
    ProjectAssessment,
    ScoreAdjustment,
    StakeholderRating,
    Suggestion,
)
from frontline.appraisal.services import period_compute, period_lock, score_adjust
from frontline.appraisal.tests.factories import (
    JUNE,
    AppraisalWorld,
    adopted_suggestion,
    at,
    compute,
    make_period,
    make_period_with_scores,
    make_problem_row,
)
from frontline.core.models import AuditLog, User
from frontline.core.testing import PASSWORD
from frontline.ledger.models import ProblemStatus

INLINE_STYLE = re.compile(r"\sstyle=|<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)")


@pytest.fixture
def aw(world) -> AppraisalWorld:
    return make_period_with_scores(world)


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    html: str = response.content.decode()
    assert not INLINE_STYLE.search(html), "inline styles or scripts break the CSP"
    return html


def scheme_post(scheme: AppraisalScheme, **overrides: str) -> dict[str, str]:
    """Return the edit form of `scheme` as posted unchanged (the six default dimensions)."""
    data: dict[str, str] = {
        "name": scheme.name,
        "project_weight_progress": str(scheme.project_weight_progress),
        "project_weight_quality": str(scheme.project_weight_quality),
        "project_weight_service": str(scheme.project_weight_service),
        "red_flag_count": str(scheme.red_flag_count),
        "version": str(scheme.version),
    }
    for b, band in enumerate(scheme.bands):
        data[f"b{b}_code"] = str(band["code"])
        data[f"b{b}_label"] = str(band["label"])
        data[f"b{b}_min_score"] = str(band["min_score"])
    for d, dimension in enumerate(scheme.dimensions.prefetch_related("inputs")):
        data[f"d{d}_code"] = dimension.code
        data[f"d{d}_name"] = dimension.name
        data[f"d{d}_weight"] = str(dimension.weight)
        for i, item in enumerate(dimension.inputs.all()):
            prefix = f"d{d}_in{i}_"
            data[prefix + "source"] = item.source
            data[prefix + "indicator"] = item.indicator
            data[prefix + "rater_kind"] = item.rater_kind
            data[prefix + "share"] = str(item.share)
            data[prefix + "normalization"] = item.normalization
    data.update(overrides)
    return data


# --- Navigation, schemes -------------------------------------------------------------------------


def test_the_navigation_leads_to_the_appraisal_with_its_schemes_and_periods(aw, client_for):
    html = html_of(client_for("xingang").get(reverse("core:home")))
    assert f'href="{reverse("appraisal:index")}">考核评价</a>' in html
    index = html_of(client_for("xingang").get(reverse("appraisal:index")))
    assert "月度实绩考核" in index
    assert aw.period.get_absolute_url() in index
    assert "月度实绩考核" not in html_of(client_for("jiangsu").get(reverse("appraisal:index")))


def test_a_new_scheme_starts_with_the_six_default_dimensions(aw, client_for):
    response = client_for("xingang").post(
        reverse("appraisal:scheme_create"), {"campaign": aw.campaign.pk, "name": "季度专项考核"}
    )
    scheme = AppraisalScheme.objects.get(name="季度专项考核")
    assert response.headers["Location"] == scheme.get_absolute_url()
    html = html_of(client_for("xingang").get(scheme.get_absolute_url()))
    for name in ("攻坚能力", "服务意识", "创新思维", "协调能力", "群众评价", "廉洁自律"):
        assert name in html
    assert '<dd id="total-weight">100' in html
    # Each input shows its documented formula.
    assert "层级系数" in html


def test_weights_that_do_not_total_100_are_refused_with_the_current_total(aw, client_for):
    scheme = AppraisalScheme.objects.create(campaign=aw.campaign, name="草稿方案", bands=aw.scheme.bands)
    from frontline.appraisal.services import scheme_dimensions as data_of

    # Copy the default dimensions of the frozen scheme into the draft, through the page.
    draft = scheme_post(aw.scheme, name="草稿方案", version=str(scheme.version))
    draft["d0_weight"] = "30"  # 30 + 20 + 15 + 15 + 15 + 10 = 105
    response = client_for("xingang").post(reverse("appraisal:scheme_edit", args=[scheme.pk]), draft)
    html = html_of(response)
    assert "各维度权重合计应为 100，当前为 105" in html
    assert data_of(scheme) == []  # nothing was written
    draft["d0_weight"] = "25"
    response = client_for("xingang").post(reverse("appraisal:scheme_edit", args=[scheme.pk]), draft)
    assert response.status_code == 302
    assert [d.name for d in data_of(scheme)] == ["攻坚能力", "服务意识", "创新思维", "协调能力", "群众评价", "廉洁自律"]


def test_shares_within_a_dimension_must_total_100(aw, client_for):
    scheme = AppraisalScheme.objects.create(campaign=aw.campaign, name="草稿方案", bands=aw.scheme.bands)
    draft = scheme_post(aw.scheme, name="草稿方案", version=str(scheme.version))
    draft["d0_in0_share"] = "50"  # 50 + 40
    html = html_of(client_for("xingang").post(reverse("appraisal:scheme_edit", args=[scheme.pk]), draft))
    assert "“攻坚能力”各数据来源的占比合计应为 100，当前为 90" in html


def test_a_frozen_scheme_refuses_edits_and_offers_a_new_version(aw, client_for):
    client = client_for("xingang")
    url = reverse("appraisal:scheme_edit", args=[aw.scheme.pk])
    html = html_of(client.get(url))
    assert "已冻结，不能再修改" in html
    assert reverse("appraisal:scheme_new_version", args=[aw.scheme.pk]) in html
    changed = scheme_post(aw.scheme, name="改名")
    html_of(client.post(url, changed))
    aw.scheme.refresh_from_db()
    assert aw.scheme.name == "月度实绩考核"

    response = client.post(reverse("appraisal:scheme_new_version", args=[aw.scheme.pk]))
    successor = AppraisalScheme.objects.get(previous=aw.scheme)
    assert response.headers["Location"] == reverse("appraisal:scheme_edit", args=[successor.pk])
    assert successor.version_number == 2
    assert not successor.frozen
    edited = scheme_post(successor)
    edited["d5_weight"] = "5"
    edited["d4_weight"] = "20"
    assert client.post(reverse("appraisal:scheme_edit", args=[successor.pk]), edited).status_code == 302
    assert successor.dimensions.get(code="integrity").weight == Decimal(5)


def test_a_read_only_viewer_cannot_edit_schemes(aw, client_for):
    client = client_for("province")
    assert client.get(reverse("appraisal:scheme_edit", args=[aw.scheme.pk])).status_code == 403
    assert client.get(reverse("appraisal:scheme_create")).status_code == 403


# --- Periods -------------------------------------------------------------------------------------


def test_creating_a_period_freezes_its_scheme(aw, client_for):
    scheme = AppraisalScheme.objects.create(campaign=aw.campaign, name="专项方案", bands=aw.scheme.bands)
    response = client_for("xingang").post(
        reverse("appraisal:campaign_periods", args=[aw.campaign.pk]),
        {"scheme": scheme.pk, "kind": "month", "start_date": "2025-07"},
    )
    period = scheme.periods.get()
    assert response.headers["Location"] == period.get_absolute_url()
    assert (period.start_date, period.end_date) == (date(2025, 7, 1), date(2025, 7, 31))
    scheme.refresh_from_db()
    assert scheme.frozen


def test_computing_runs_in_the_background_and_the_page_polls_until_it_is_done(aw, client_for):
    client = client_for("xingang")
    period = make_period(aw.scheme, start=date(2025, 7, 1))
    response = client.post(reverse("appraisal:period_compute", args=[period.pk]))
    assert response.headers["Location"] == period.get_absolute_url()
    period.refresh_from_db()
    assert period.status == PeriodStatus.COMPUTING
    html = html_of(client.get(period.get_absolute_url()))
    assert 'hx-get="{}"'.format(reverse("appraisal:period_status", args=[period.pk])) in html
    assert 'hx-trigger="every 1s"' in html

    period_compute(period_id=period.pk)  # what the background task does
    status_url = reverse("appraisal:period_status", args=[period.pk])
    done = client.get(status_url, headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"
    html = html_of(client.get(period.get_absolute_url()))
    assert "已计算 6 / 6 人" in html
    assert "hx-trigger" not in html


def test_the_review_page_lists_ranks_bands_and_flags_in_a_pinned_number_of_queries(
    aw, client_for, django_assert_num_queries
):
    client = client_for("xingang")
    url = aw.period.get_absolute_url()
    client.get(url)  # warm the session and the content types
    with django_assert_num_queries(11):
        html = html_of(client.get(url))
    rows = re.findall(r'<tr data-score="(\d+)">', html)
    assert len(rows) == 5  # 崔艳 is Zengdu's
    first = CadreScore.objects.filter(period=aw.period, cadre__in=[c.pk for c in aw.cadres[:5]]).order_by("rank")[0]
    assert rows[0] == str(first.pk)
    for label in ("总排名", "同类排名（同角色同阵地类型）", "等次", "预警"):
        assert label in html
    IntegrityFlag.objects.create(period=aw.period, cadre=aw.grid_cadre, kind=FlagKind.OFF_HISTORY, detail="偏离")
    with django_assert_num_queries(11):
        html = html_of(client.get(url))
    assert "⚠ 1" in html
    assert "1 条诚信预警待核查" in html


def test_adjusting_a_score_needs_a_reason_and_is_recorded(aw, client_for):
    client = client_for("xingang")
    score = aw.score_of(aw.grid_cadre)
    url = reverse("appraisal:score_adjust", args=[score.pk])
    html = html_of(client.post(url, {"new_total": "88", "reason": "  "}))
    assert '<span class="field-error" role="alert">' in html
    assert not ScoreAdjustment.objects.exists()
    response = client.post(url, {"new_total": "88", "reason": "抗洪抢险表现突出，经督查组核实"})
    assert response.headers["Location"] == score.get_absolute_url()
    score.refresh_from_db()
    assert score.total == Decimal("88.00")
    adjustment = ScoreAdjustment.objects.get(score=score)
    assert adjustment.reason == "抗洪抢险表现突出，经督查组核实"
    html = html_of(client.get(score.get_absolute_url()))
    assert "抗洪抢险表现突出" in html


def test_locking_asks_for_confirmation_and_then_nothing_changes(aw, client_for):
    client = client_for("xingang")
    url = reverse("appraisal:period_lock", args=[aw.period.pk])
    html = html_of(client.get(url))
    assert "确认锁定" in html
    client.post(url, {"version": aw.period.version})
    aw.period.refresh_from_db()
    assert aw.period.status == PeriodStatus.LOCKED

    html = html_of(client.get(aw.period.get_absolute_url()))
    assert "本考核期已锁定" in html
    assert reverse("appraisal:period_compute", args=[aw.period.pk]) not in html
    score = aw.score_of(aw.grid_cadre)
    before = score.total
    response = client.post(reverse("appraisal:score_adjust", args=[score.pk]), {"new_total": "99", "reason": "改分"})
    assert "已锁定" in html_of(response)
    score.refresh_from_db()
    assert score.total == before
    response = client.post(reverse("appraisal:period_compute", args=[aw.period.pk]), follow=True)
    assert "已锁定" in html_of(response)


def test_a_stale_lock_is_refused(aw, client_for):
    client = client_for("xingang")
    stale = aw.period.version
    score_adjust(actor=aw.xingang_official, score=aw.score_of(aw.grid_cadre), new_total=Decimal(70), reason="复核")
    response = client.post(reverse("appraisal:period_lock", args=[aw.period.pk]), {"version": stale}, follow=True)
    assert "刷新后再锁定" in html_of(response)
    aw.period.refresh_from_db()
    assert aw.period.status == PeriodStatus.COMPUTED


# --- Rankings --------------------------------------------------------------------------------------


def test_rankings_filter_by_role_and_kind_and_rank_within_the_unit(aw, client_for):
    client = client_for("province")
    url = reverse("appraisal:rankings", args=[aw.period.pk])
    grid_head = aw.score_of(aw.grid_cadre).role_id
    html = html_of(client.get(url, {"role": grid_head}))
    assert len(re.findall(r'<tr data-score="', html)) == 3
    assert "陈明" not in html
    html = html_of(client.get(url, {"kind": "project"}))
    assert len(re.findall(r'<tr data-score="', html)) == 3
    assert "李网格" not in html

    html = html_of(client.get(url, {"group": "unit", "unit": aw.zengdu.pk}))
    assert "单位内排名" in html
    row = re.search(r'<tr data-score="\d+">(.*?)</tr>', html, re.S)
    assert row
    assert "崔艳" in row.group(1)
    # Alone in the unit: first there, whatever the overall rank.
    assert re.search(r"data-label=\"单位内排名\">1<", row.group(1))


def test_rankings_show_the_classes(aw, client_for):
    html = html_of(client_for("province").get(reverse("appraisal:rankings", args=[aw.period.pk])))
    bands = dict(re.findall(r'data-band="(\w+)"><span>.*?</span><strong>(\d+)</strong>', html, re.S))
    assert sum(int(n) for n in bands.values()) == 6
    assert set(bands) == {"excellent", "good", "average", "poor"}


def test_the_ranking_exports_to_excel_with_the_filters(aw, client_for):
    client = client_for("xingang")
    grid_head = aw.score_of(aw.grid_cadre).role_id
    response = client.get(reverse("appraisal:rankings_export", args=[aw.period.pk]), {"role": grid_head})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["总排名", "同类排名（同角色同阵地类型）", "干部"]
    assert sorted(r[2] for r in rows[1:]) == sorted(c.name for c in aw.grid_heads)
    assert AuditLog.objects.filter(action="export", object_type="appraisal.appraisalperiod").exists()
    assert client_for("grid").get(reverse("appraisal:rankings_export", args=[aw.period.pk])).status_code == 404


# --- The project ranking -------------------------------------------------------------------------


def test_the_project_ranking_records_scores_and_shows_the_trend(aw, client_for):
    client = client_for("xingang")
    from frontline.core.testing import make_post
    from frontline.posts.models import PostKind

    second = make_post("新港物流园", kind=PostKind.PROJECT, region=aw.project_post.region, unit=aw.xingang, is_key=True)
    may = make_period(aw.scheme, start=date(2025, 5, 1))
    compute(may)
    for period, scores in (
        (may, ((aw.project_post, 60), (second, 90))),
        (aw.period, ((aw.project_post, 95), (second, 70))),
    ):
        for post, progress in scores:
            response = client.post(
                reverse("appraisal:projects", args=[period.pk]),
                {"post": post.pk, "progress_score": progress, "quality_score": progress, "notes": ""},
            )
            assert response.status_code == 302
    html = html_of(client.get(reverse("appraisal:projects", args=[aw.period.pk])))
    rows = re.findall(r'<tr data-post="(\d+)">(.*?)</tr>', html, re.S)
    assert [int(pk) for pk, _ in rows] == [aw.project_post.pk, second.pk]
    assert "↑ 上期第 2" in rows[0][1]
    assert "↓ 上期第 1" in rows[1][1]
    assert ProjectAssessment.objects.get(period=aw.period, post=aw.project_post).rank == 1


# --- A cadre's score, traced to its rows ---------------------------------------------------------


def test_every_figure_of_a_score_is_two_clicks_from_the_period(aw, client_for):
    client = client_for("xingang")
    cadre = aw.grid_heads[2]  # 赵网 resolved four problems in June
    score = aw.score_of(cadre)
    period_html = html_of(client.get(aw.period.get_absolute_url()))
    assert score.get_absolute_url() in period_html  # click 1
    html = html_of(client.get(score.get_absolute_url()))
    for name in ("攻坚能力", "服务意识", "创新思维", "协调能力", "群众评价", "廉洁自律"):
        assert name in html
    assert "同角色、同阵地类型的干部之间比较" in html  # the normalization is explained
    assert "逐个按“问题类别难度系数" in html  # the formula
    links = re.findall(r'<a class="figure" href="([^"]+)">([^<]+)</a>', html)
    tackling = reverse("appraisal:score_evidence", args=[score.pk, 0, 0])
    # Four problems of the livelihood category at grid level: 4 × 1.0 × 1.2 points.
    assert (tackling, "4.8 / 4.0") in links

    evidence = html_of(client.get(tackling))  # click 2
    titles = re.findall(r"<td data-label=\"标题\"><a href=\"/ledger/problems/(\d+)/\">", evidence)
    assert len(titles) == 4
    assert {int(pk) for pk in titles} == set(cadre.ledger_problems.values_list("pk", flat=True))


def test_the_evidence_of_inspections_and_ratings_lists_their_rows(aw, client_for):
    client = client_for("xingang")
    cadre = aw.commissioners[0]
    score = aw.score_of(cadre)
    integrity = reverse("appraisal:score_evidence", args=[score.pk, 5, 0])
    html = html_of(client.get(integrity))
    assert "督查日期" in html
    assert "四不两直" in html
    assert html.count('<td data-label="督查日期">') == 1
    public = reverse("appraisal:score_evidence", args=[score.pk, 4, 0])
    assert "协调有力0" in html_of(client.get(public))
    assert client.get(reverse("appraisal:score_evidence", args=[score.pk, 9, 0])).status_code == 404


def test_a_rollup_period_shows_its_months(aw, client_for):
    quarter = make_period(aw.scheme, start=date(2025, 4, 1), kind="quarter")
    compute(quarter)
    score = CadreScore.objects.get(period=quarter, cadre=aw.grid_cadre)
    html = html_of(client_for("xingang").get(score.get_absolute_url()))
    assert "各月得分" in html
    assert aw.score_of(aw.grid_cadre).get_absolute_url() in html


# --- Integrity flags -----------------------------------------------------------------------------


def test_flags_fire_for_the_inspection_group_and_are_reviewed_with_a_note(world, client_for):
    aw = make_period_with_scores(world, compute_now=False)
    cadre = aw.grid_heads[1]
    for minute in (0, 5):
        make_problem_row(
            cadre,
            aw.grid_post,
            created_at=at(JUNE.replace(day=12), 9, minute),
            status=ProblemStatus.CLOSED,
            closed_at=at(JUNE.replace(day=12), 15, minute),
            closed_without_confirmation=True,
            close_reason="联系不上诉求人",
        )
    compute(aw.period)
    flag = IntegrityFlag.objects.get(period=aw.period, kind=FlagKind.UNCONFIRMED_CLOSURES)
    assert flag.cadre == cadre
    client = client_for("xingang")
    html = html_of(client.get(reverse("appraisal:flags", args=[aw.period.pk])))
    assert "未经诉求人确认关闭" in html
    assert cadre.name in html
    problem_id = flag.evidence["problems"][0]
    assert reverse("ledger:problem_detail", args=[problem_id]) in html
    client.post(
        reverse("appraisal:flag_review", args=[flag.pk]), {"status": "cleared", "note": "已电话回访，诉求人认可"}
    )
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLEARED
    assert flag.review_note == "已电话回访，诉求人认可"


# --- Evidence entry, suggestions, the performance record -----------------------------------------


def test_an_inspection_is_recorded_with_the_unannounced_box(aw, client_for):
    client = client_for("xingang")
    cadre = aw.commissioners[1]
    url = reverse("appraisal:inspection_create", args=[cadre.pk])
    html = html_of(client.get(url, {"campaign": aw.campaign.pk}))
    assert "四不两直" in html
    response = client.post(
        url,
        {
            "campaign": aw.campaign.pk,
            "inspected_on": "2025-06-20",
            "task_completion": "90",
            "enterprise_evaluation": "85",
            "ledger_check": "80",
            "unannounced": "on",
            "notes": "直奔项目现场，台账完整",
        },
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get(cadre=cadre, inspected_on=date(2025, 6, 20))
    assert inspection.unannounced
    assert inspection.inspector == aw.xingang_official
    html = html_of(
        client.post(
            url,
            {
                "campaign": aw.campaign.pk,
                "inspected_on": "2025-06-21",
                "task_completion": "120",
                "enterprise_evaluation": "1",
                "ledger_check": "1",
            },
        )
    )
    assert "field-error" in html


def test_a_stakeholder_rating_is_recorded(aw, client_for):
    cadre = aw.commissioners[1]
    response = client_for("xingang").post(
        reverse("appraisal:rating_create", args=[cadre.pk]),
        {
            "campaign": aw.campaign.pk,
            "rater_kind": "enterprise",
            "rater_name": "弘盛铜业",
            "score": "5",
            "rated_on": "2025-06-22",
            "comment": "办事效率高",
        },
    )
    assert response.status_code == 302
    assert StakeholderRating.objects.filter(cadre=cadre, rater_name="弘盛铜业", score=5).exists()


def field_errors(html: str, name: str) -> list[str]:
    """Return the errors shown inside the form field `name`'s box."""
    box = re.search(rf'<div class="field">\s*<label for="id_{name}">.*?</div>', html, re.S)
    assert box is not None, name
    return re.findall(r'<span class="field-error" role="alert">([^<]*)</span>', box.group(0))


def test_evidence_dated_inside_a_locked_period_is_refused_on_the_date_field(aw, client_for):
    period_lock(actor=aw.xingang_official, period=aw.period, expected_version=aw.period.version)
    client = client_for("xingang")
    cadre = aw.commissioners[1]
    inspection = {
        "campaign": aw.campaign.pk,
        "inspected_on": "2025-06-20",
        "task_completion": "90",
        "enterprise_evaluation": "85",
        "ledger_check": "80",
    }
    rating = {"campaign": aw.campaign.pk, "rater_kind": "enterprise", "score": "5", "rated_on": "2025-06-22"}
    for url_name, data, field in (
        ("appraisal:inspection_create", inspection, "inspected_on"),
        ("appraisal:rating_create", rating, "rated_on"),
    ):
        html = html_of(client.post(reverse(url_name, args=[cadre.pk]), data))
        (error,) = field_errors(html, field)
        assert "考核期“2025年06月”" in error
        assert "已锁定" in error
    assert not Inspection.objects.filter(cadre=cadre, inspected_on=date(2025, 6, 20)).exists()
    assert not StakeholderRating.objects.filter(cadre=cadre, rated_on=date(2025, 6, 22)).exists()


def test_a_cadre_suggests_an_official_adopts_and_it_enters_the_performance_record(aw, client_for):
    cadre = aw.grid_cadre
    response = client_for("grid").post(
        reverse("appraisal:suggestion_create", args=[cadre.pk]),
        {"title": "网格事项清单化", "content": "建议把网格事项列成清单。"},
    )
    assert response.headers["Location"] == reverse("appraisal:my_scores")
    suggestion = Suggestion.objects.get(title="网格事项清单化")
    official = client_for("xingang")
    listing = html_of(official.get(reverse("appraisal:suggestion_list"), {"adopted": "0"}))
    assert "网格事项清单化" in listing
    official.post(reverse("appraisal:suggestion_adopt", args=[suggestion.pk]), {"note": "全区推广"})
    suggestion.refresh_from_db()
    assert suggestion.adopted
    html = html_of(official.get(reverse("appraisal:performance", args=[cadre.pk])))
    assert "网格事项清单化" in html
    assert "建议被采纳" in html
    # A cadre cannot adopt their own suggestion.
    other = Suggestion.objects.create(cadre=cadre, title="另一条", content="内容")
    assert client_for("grid").post(reverse("appraisal:suggestion_adopt", args=[other.pk])).status_code == 403


def test_a_suggestion_has_its_own_page_where_an_editor_adopts_it(aw, client_for):
    cadre = aw.grid_cadre
    suggestion = Suggestion.objects.create(cadre=cadre, title="网格事项清单化", content="建议把网格事项\n列成清单。")
    url = reverse("appraisal:suggestion_detail", args=[suggestion.pk])
    official = client_for("xingang")
    html = html_of(official.get(url))
    assert "网格事项清单化" in html
    assert "建议把网格事项<br>列成清单。" in html
    assert reverse("appraisal:performance", args=[cadre.pk]) in html
    assert '<dd id="suggestion-adopted">未采纳</dd>' in html
    assert 'id="adopt"' in html
    assert url in html_of(official.get(reverse("appraisal:suggestion_list")))
    # The cadre sees their own suggestion, without the adopt form.
    own = html_of(client_for("grid").get(url))
    assert "网格事项清单化" in own
    assert 'id="adopt"' not in own

    response = official.post(
        reverse("appraisal:suggestion_adopt", args=[suggestion.pk]), {"note": "全区推广", "next": "detail"}
    )
    assert response.headers["Location"] == url
    html = html_of(official.get(url))
    assert '<dd id="suggestion-adopted">已采纳</dd>' in html
    assert "全区推广" in html
    assert str(aw.xingang_official) in html  # adopted by
    assert 'id="adopt"' not in html
    # The performance record links its entry to the page.
    record = html_of(official.get(reverse("appraisal:performance", args=[cadre.pk])))
    assert f'<a href="{url}"><strong>网格事项清单化</strong></a>' in record


def test_a_suggestion_out_of_scope_is_404(aw, client_for):
    others = Suggestion.objects.create(cadre=aw.grid_heads[1], title="另一位网格长的建议", content="内容")
    url = reverse("appraisal:suggestion_detail", args=[others.pk])
    assert client_for("jiangsu").get(url).status_code == 404  # another city
    assert client_for("grid").get(url).status_code == 404  # a cadre sees only their own
    assert client_for("jiangsu").post(reverse("appraisal:suggestion_adopt", args=[others.pk])).status_code == 404
    assert client_for("xingang").get(reverse("appraisal:suggestion_detail", args=[others.pk + 1000])).status_code == 404


def test_the_suggestion_page_makes_a_pinned_number_of_queries(aw, client_for, django_assert_num_queries):
    suggestion = adopted_suggestion(aw.grid_cadre, adopted_at=at(JUNE))
    url = reverse("appraisal:suggestion_detail", args=[suggestion.pk])
    client = client_for("xingang")
    client.get(url)  # warm the session and the content types
    with django_assert_num_queries(6):
        html_of(client.get(url))
    for n in range(3):
        PerformanceNote.objects.create(
            cadre=aw.grid_cadre,
            entry_key=f"suggestion:{suggestion.pk}",
            text=f"备注{n}",
            created_by=aw.xingang_official,
        )
    with django_assert_num_queries(6):
        html = html_of(client.get(url))
    assert html.count("<li>备注") == 3


def test_the_performance_record_lists_resolved_problems_and_takes_notes(aw, client_for):
    client = client_for("xingang")
    cadre = aw.grid_cadre
    url = reverse("appraisal:performance", args=[cadre.pk])
    html = html_of(client.get(url))
    problem = cadre.ledger_problems.order_by("pk").first()
    assert problem.get_absolute_url() in html
    client.post(url, {"entry_key": f"problem:{problem.pk}", "text": "群众送来锦旗"})
    client.post(url, {"text": "防汛值守七昼夜", "occurred_on": "2025-06-18"})
    html = html_of(client.get(url))
    assert "群众送来锦旗" in html
    assert "防汛值守七昼夜" in html
    assert PerformanceNote.objects.filter(cadre=cadre).count() == 2
    assert aw.score_of(cadre).get_absolute_url() in html  # the scores over the periods


def test_my_appraisal_shows_a_logged_in_cadres_own_breakdown(aw, client_for):
    html = html_of(client_for("grid").get(reverse("appraisal:my_scores")))
    own = aw.score_of(aw.grid_cadre)
    assert f'<strong id="my-total">{own.total}</strong>' in html
    assert "攻坚能力" in html
    assert own.get_absolute_url() in html
    assert "没有关联干部档案" in html_of(client_for("xingang").get(reverse("appraisal:my_scores")))


# --- The admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(world) -> Client:
    admin = User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(admin)
    return client


def test_the_admin_refuses_to_change_a_locked_periods_rows(aw, admin_client):
    score = aw.score_of(aw.grid_cadre)
    flag = IntegrityFlag.objects.create(period=aw.period, cadre=aw.grid_cadre, kind=FlagKind.OFF_HISTORY, detail="x")
    url = reverse("admin:appraisal_cadrescore_change", args=[score.pk])
    assert admin_client.get(url).status_code == 200  # still viewable
    period_lock(actor=None, period=aw.period, expected_version=aw.period.version)  # type: ignore[arg-type]
    response = admin_client.post(url, {"total": "100.00", "computed_total": "100.00", "band": "excellent"})
    assert response.status_code == 403
    score.refresh_from_db()
    assert score.total != Decimal(100)
    delete = reverse("admin:appraisal_cadrescore_delete", args=[score.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert CadreScore.objects.filter(pk=score.pk).exists()
    response = admin_client.post(
        reverse("admin:appraisal_integrityflag_change", args=[flag.pk]), {"status": "cleared", "detail": "x"}
    )
    assert response.status_code == 403


def test_the_admin_changes_a_flag_while_its_period_is_open(aw, admin_client):
    flag = IntegrityFlag.objects.create(period=aw.period, cadre=aw.grid_cadre, kind=FlagKind.OFF_HISTORY, detail="x")
    response = admin_client.post(
        reverse("admin:appraisal_integrityflag_change", args=[flag.pk]),
        {
            "period": aw.period.pk,
            "cadre": aw.grid_cadre.pk,
            "kind": FlagKind.OFF_HISTORY,
            "detail": "x",
            "evidence": '{"problems": []}',
            "status": "cleared",
            "review_note": "已核实",
        },
    )
    assert response.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", response.content.decode(), re.S)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLEARED
    assert AuditLog.objects.filter(object_type="appraisal.integrityflag", note="admin").exists()


# --- Pinned query counts of the other lists, and the way to the reserve pool ---------------------


def test_list_pages_make_a_number_of_queries_that_does_not_grow_with_their_rows(
    aw, client_for, django_assert_num_queries
):
    client = client_for("xingang")
    pages = {
        reverse("appraisal:index"): 8,
        reverse("appraisal:rankings", args=[aw.period.pk]) + "?group=unit": 10,
        reverse("appraisal:flags", args=[aw.period.pk]): 7,
        reverse("appraisal:suggestion_list"): 6,
        reverse("appraisal:campaign_periods", args=[aw.campaign.pk]): 9,
    }
    client.get(reverse("appraisal:index"))
    IntegrityFlag.objects.create(period=aw.period, cadre=aw.cadres[4], kind=FlagKind.OFF_HISTORY, detail="待核查")
    for url, queries in pages.items():
        with django_assert_num_queries(queries):
            html_of(client.get(url))
    for kind, cadre in zip(FlagKind.values, aw.cadres[:4], strict=True):
        IntegrityFlag.objects.create(period=aw.period, cadre=cadre, kind=kind, detail="待核查")
        Suggestion.objects.create(cadre=cadre, title=f"建议{kind}", content="内容")
    make_period(aw.scheme, start=date(2025, 7, 1))
    make_period(aw.scheme, start=date(2025, 8, 1))
    for url, queries in pages.items():
        with django_assert_num_queries(queries):
            html_of(client.get(url))


def test_the_score_page_leads_an_editor_to_the_reserve_pool(aw, client_for):
    score = aw.score_of(aw.grid_cadre)
    nominate = f"{reverse('talent:reserve_nominate')}?cadre={aw.grid_cadre.pk}"
    assert nominate in html_of(client_for("xingang").get(score.get_absolute_url()))
    assert nominate not in html_of(client_for("grid").get(score.get_absolute_url()))
