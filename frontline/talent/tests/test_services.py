from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontline.cadres.models import Cadre, Rank
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditAction, AuditLog, DataScope
from frontline.core.testing import World, make_role, make_user
from frontline.talent.models import (
    MeritKind,
    PromotionKind,
    ReserveBasis,
    ReservePoolEntry,
    ReserveStatus,
)
from frontline.talent.services import (
    MeritData,
    PromotionData,
    TalentValidationError,
    merit_create,
    promotion_create,
    reserve_entry_transition,
    reserve_nominate,
    reserve_nominate_by_rule,
)
from frontline.talent.tests.factories import make_month, score_of

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def nominate(
    world: World, cadre: Cadre | None = None, reason: str = "攻坚克难成效突出，企业评价好"
) -> ReservePoolEntry:
    return reserve_nominate(actor=world.xingang_official, cadre=cadre or world.xingang_cadres[0], reason=reason)


# --- nominations -----------------------------------------------------------------------------


def test_a_manual_nomination_is_recorded_with_its_reason_and_audited(world):
    entry = nominate(world)
    assert entry.status == ReserveStatus.NOMINATED
    assert entry.basis == ReserveBasis.MANUAL
    assert entry.nominated_by == world.xingang_official
    log = AuditLog.objects.get(object_type="talent.reservepoolentry", object_id=str(entry.pk))
    assert log.action == AuditAction.CREATE
    assert log.changes["status"] == [None, "nominated"]


def test_a_manual_nomination_without_a_reason_is_refused(world):
    with pytest.raises(TalentValidationError) as exc:
        nominate(world, reason="  ")
    assert "reason" in exc.value.errors
    assert not ReservePoolEntry.objects.exists()


def test_a_cadre_cannot_be_nominated_twice_while_nominated_or_approved(world, second_editor):
    entry = nominate(world)
    with pytest.raises(ApplicationError) as exc:
        nominate(world, reason="再次提名")
    assert exc.value.code == "duplicate"
    reserve_entry_transition(actor=second_editor, entry=entry, action="approve")
    with pytest.raises(ApplicationError):
        nominate(world, reason="再次提名")
    assert ReservePoolEntry.objects.count() == 1


def test_the_database_refuses_a_second_open_entry_for_a_cadre(world):
    entry = nominate(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReservePoolEntry.objects.create(cadre=entry.cadre, basis=ReserveBasis.MANUAL, reason="绕过服务")


def test_after_a_rejection_the_cadre_can_be_nominated_again(world, second_editor):
    entry = nominate(world)
    reserve_entry_transition(actor=second_editor, entry=entry, action="reject", note="实绩依据不足")
    again = nominate(world, reason="补充了实绩材料")
    assert again.pk != entry.pk
    assert ReservePoolEntry.objects.filter(cadre=entry.cadre).count() == 2


def test_a_role_without_the_edit_right_cannot_nominate(world):
    with pytest.raises(ApplicationError) as exc:
        reserve_nominate(actor=world.province_official, cadre=world.xingang_cadres[0], reason="理由")
    assert exc.value.code == "forbidden"


def test_a_cadre_outside_the_scope_cannot_be_nominated(world):
    with pytest.raises(ApplicationError) as exc:
        reserve_nominate(actor=world.zengdu_official, cadre=world.xingang_cadres[0], reason="理由")
    assert exc.value.code == "not_found"


# --- decisions -------------------------------------------------------------------------------


def test_another_official_approves_and_the_decision_is_audited(world, second_editor):
    entry = nominate(world)
    approved = reserve_entry_transition(
        actor=second_editor, entry=entry, action="approve", note="同意入库", expected_version=entry.version
    )
    assert approved.status == ReserveStatus.APPROVED
    assert approved.decided_by == second_editor
    assert approved.decided_at is not None
    assert approved.version == entry.version + 1
    log = AuditLog.objects.filter(object_type="talent.reservepoolentry", action=AuditAction.UPDATE).get()
    assert log.changes["status"] == ["nominated", "approved"]
    assert log.actor == second_editor


def test_the_nominator_cannot_decide_when_someone_else_could(world, second_editor):
    entry = nominate(world)
    for action in ("approve", "reject"):
        with pytest.raises(ApplicationError) as exc:
            reserve_entry_transition(actor=world.xingang_official, entry=entry, action=action, note="意见")
        assert exc.value.code == "forbidden"
    entry.refresh_from_db()
    assert entry.status == ReserveStatus.NOMINATED


def test_the_nominator_may_decide_when_nobody_else_in_scope_has_the_edit_right_and_that_is_on_record(world):
    # Only `xingang` edits the park's cadres (the province official is a viewer).
    entry = nominate(world)
    approved = reserve_entry_transition(actor=world.xingang_official, entry=entry, action="approve")
    assert approved.status == ReserveStatus.APPROVED
    log = AuditLog.objects.filter(object_type="talent.reservepoolentry", action=AuditAction.UPDATE).get()
    assert "提名人自行审批" in log.note


def test_an_editor_at_the_province_counts_as_someone_else(world):
    editor = make_role("province-editor", DataScope.SUBTREE, can_edit=True)
    make_user("province-editor", unit=world.hubei, roles=[editor])
    entry = nominate(world)
    with pytest.raises(ApplicationError):
        reserve_entry_transition(actor=world.xingang_official, entry=entry, action="approve")


def test_an_editor_elsewhere_does_not_count_as_someone_else(world):
    # 曾都区's official edits, but not the park's cadres.
    entry = nominate(world)
    assert reserve_entry_transition(actor=world.xingang_official, entry=entry, action="approve").is_open


def test_a_cadre_cannot_decide_their_own_nomination(world, second_editor):
    cadre = world.xingang_cadres[1]
    cadre.user = second_editor
    cadre.save(update_fields=["user"])
    entry = nominate(world, cadre=cadre)
    with pytest.raises(ApplicationError) as exc:
        reserve_entry_transition(actor=second_editor, entry=entry, action="approve")
    assert exc.value.code == "forbidden"


def test_rejecting_and_withdrawing_need_a_reason(world, second_editor):
    entry = nominate(world)
    with pytest.raises(TalentValidationError):
        reserve_entry_transition(actor=second_editor, entry=entry, action="reject")
    approved = reserve_entry_transition(actor=second_editor, entry=entry, action="approve")
    with pytest.raises(TalentValidationError):
        reserve_entry_transition(actor=second_editor, entry=approved, action="withdraw")
    withdrawn = reserve_entry_transition(actor=second_editor, entry=approved, action="withdraw", note="已调离")
    assert withdrawn.status == ReserveStatus.WITHDRAWN
    assert not withdrawn.is_open


@pytest.mark.parametrize(("first", "then"), [("reject", "approve"), ("approve", "approve"), ("reject", "withdraw")])
def test_final_and_repeated_decisions_are_refused(world, second_editor, first, then):
    entry = nominate(world)
    entry = reserve_entry_transition(actor=second_editor, entry=entry, action=first, note="意见")
    with pytest.raises(ApplicationError) as exc:
        reserve_entry_transition(actor=second_editor, entry=entry, action=then, note="意见")
    assert exc.value.code == "invalid_transition"


def test_a_decision_on_a_stale_version_is_a_conflict(world, second_editor):
    entry = nominate(world)
    with pytest.raises(ConflictError):
        reserve_entry_transition(actor=second_editor, entry=entry, action="approve", expected_version=entry.version + 5)


# --- nominations by rule ---------------------------------------------------------------------


def test_nominating_by_rule_keeps_the_scores_as_evidence_and_skips_who_does_not_qualify(world, campaign, peers):
    chen, zhang = peers[0], peers[1]
    periods = [make_month(campaign, month, peers) for month in (JAN, FEB, MAR)]
    outcome = reserve_nominate_by_rule(
        actor=world.xingang_official, campaign=campaign, cadre_ids=[chen.pk, zhang.pk], months=3
    )
    [entry] = outcome.created
    assert entry.cadre == chen
    assert entry.basis == ReserveBasis.RULE
    assert entry.campaign == campaign
    assert entry.rule_description == "连续 3 个月在同角色、同阵地类型干部中位列前 10%"
    assert [p["score_id"] for p in entry.evidence["periods"]] == [score_of(p, chen).pk for p in periods]
    assert entry.evidence["periods"][0]["percentile_in_group"] == "95.00"
    assert entry.evidence["rule"]["threshold"] == "90.00"
    assert [(c.name, why) for c, why in outcome.skipped] == [(zhang.name, "不符合规则")]

    again = reserve_nominate_by_rule(actor=world.xingang_official, campaign=campaign, cadre_ids=[chen.pk])
    assert again.created == []
    assert again.skipped[0][1] == "已在库或已有待审批的提名"


def test_nominating_by_rule_is_refused_when_the_months_are_not_consecutive(world, campaign, peers):
    make_month(campaign, JAN, peers)
    make_month(campaign, MAR, peers)
    with pytest.raises(ApplicationError):
        reserve_nominate_by_rule(actor=world.xingang_official, campaign=campaign, cadre_ids=[peers[0].pk], months=2)


# --- promotions and merits -------------------------------------------------------------------


def test_a_rank_promotion_updates_the_cadres_rank_through_the_registry_with_an_audit_row(world, campaign, peers):
    cadre = peers[0]
    period = make_month(campaign, JAN, peers)
    version = cadre.version
    promotion = promotion_create(
        actor=world.xingang_official,
        cadre=cadre,
        data=PromotionData(
            kind=PromotionKind.RANK,
            effective_on=date(2025, 6, 1),
            decision_body="中共新港园区工委",
            evidence="连续三个月同类第一，群众评价好",
            to_rank=Rank.DEPUTY_SECTION,
            scores=[score_of(period, cadre)],
        ),
    )
    cadre.refresh_from_db()
    assert cadre.rank == Rank.DEPUTY_SECTION
    assert cadre.version == version + 1
    assert promotion.from_rank == Rank.STAFF
    assert list(promotion.scores.all()) == [score_of(period, cadre)]
    registry_log = AuditLog.objects.get(object_type="cadres.cadre", object_id=str(cadre.pk), action=AuditAction.UPDATE)
    assert registry_log.changes["rank"] == [Rank.STAFF, Rank.DEPUTY_SECTION]
    assert AuditLog.objects.filter(object_type="talent.promotion", object_id=str(promotion.pk)).exists()


def test_a_promotion_to_a_post_sets_the_position_and_links_the_approved_reserve_entry(world, second_editor):
    cadre = world.xingang_cadres[0]
    entry = reserve_entry_transition(actor=second_editor, entry=nominate(world), action="approve")
    promotion = promotion_create(
        actor=world.xingang_official,
        cadre=cadre,
        data=PromotionData(
            kind=PromotionKind.POSITION,
            effective_on=date(2025, 7, 1),
            decision_body="中共新港园区工委",
            evidence="项目专员任期内推动 3 个项目开工",
            to_position="项目建设指挥部副主任",
            to_rank=Rank.DEPUTY_SECTION,
            reserve_entry=entry,
        ),
    )
    cadre.refresh_from_db()
    assert cadre.position == "项目建设指挥部副主任"
    assert cadre.rank == Rank.DEPUTY_SECTION
    assert promotion.reserve_entry == entry
    assert promotion.change_label == "— → 项目建设指挥部副主任；科员 → 副科级"


def test_an_earlier_promotion_recorded_later_does_not_change_the_registry(world):
    cadre = world.xingang_cadres[0]
    base = PromotionData(
        kind=PromotionKind.RANK, effective_on=date(2025, 6, 1), decision_body="园区工委", evidence="实绩"
    )
    promotion_create(
        actor=world.xingang_official, cadre=cadre, data=PromotionData(**{**base.__dict__, "to_rank": Rank.SECTION})
    )
    promotion_create(
        actor=world.xingang_official,
        cadre=cadre,
        data=PromotionData(
            **{
                **base.__dict__,
                "effective_on": date(2024, 1, 1),
                "from_rank": Rank.STAFF,
                "to_rank": Rank.DEPUTY_SECTION,
            }
        ),
    )
    cadre.refresh_from_db()
    assert cadre.rank == Rank.SECTION


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": PromotionKind.RANK, "to_rank": Rank.CLERK}, "to_rank"),
        ({"kind": PromotionKind.RANK, "to_rank": None}, "to_rank"),
        ({"kind": PromotionKind.POSITION, "to_position": ""}, "to_position"),
        ({"evidence": " "}, "evidence"),
        ({"decision_body": ""}, "decision_body"),
        ({"effective_on": timezone.localdate() + timedelta(days=3)}, "effective_on"),
    ],
)
def test_a_promotion_with_bad_input_says_which_field(world, changes, field):
    data = PromotionData(
        kind=PromotionKind.RANK,
        effective_on=date(2025, 6, 1),
        decision_body="园区工委",
        evidence="实绩",
        to_rank=Rank.SECTION,
    )
    with pytest.raises(TalentValidationError) as exc:
        promotion_create(
            actor=world.xingang_official,
            cadre=world.xingang_cadres[0],
            data=PromotionData(**{**data.__dict__, **changes}),
        )
    assert field in exc.value.errors


def test_a_promotion_cannot_cite_another_cadres_score_or_an_unlocked_one(world, campaign, peers):
    locked = make_month(campaign, JAN, peers)
    unlocked = make_month(campaign, FEB, peers, locked=False)
    data = PromotionData(
        kind=PromotionKind.RANK, effective_on=date(2025, 6, 1), decision_body="园区工委", evidence="实绩", to_rank=40
    )
    for score in (score_of(locked, peers[1]), score_of(unlocked, peers[0])):
        with pytest.raises(TalentValidationError) as exc:
            promotion_create(
                actor=world.xingang_official, cadre=peers[0], data=PromotionData(**{**data.__dict__, "scores": [score]})
            )
        assert "scores" in exc.value.errors


def test_a_merit_is_recorded_with_its_evidence(world, campaign, peers):
    period = make_month(campaign, JAN, peers)
    merit = merit_create(
        actor=world.xingang_official,
        cadre=peers[0],
        data=MeritData(
            kind=MeritKind.THIRD_CLASS,
            awarded_on=date(2025, 4, 1),
            awarding_body="连云港市委",
            reason="百日攻坚中表现突出",
            evidence="一季度同类第一",
            scores=[score_of(period, peers[0])],
        ),
    )
    assert merit.get_kind_display() == "三等功"
    assert merit.scores.count() == 1
    assert AuditLog.objects.filter(object_type="talent.merit", action=AuditAction.CREATE).count() == 1


def test_an_honour_needs_its_title(world):
    with pytest.raises(TalentValidationError) as exc:
        merit_create(
            actor=world.xingang_official,
            cadre=world.xingang_cadres[0],
            data=MeritData(kind=MeritKind.HONOR, awarded_on=date(2025, 4, 1), awarding_body="市委", reason="事由"),
        )
    assert "title" in exc.value.errors


def test_the_rule_accepts_a_share_as_a_decimal_or_a_float(world, campaign, peers):
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, peers)
    outcome = reserve_nominate_by_rule(
        actor=world.xingang_official, campaign=campaign, cadre_ids=[peers[1].pk], top_share=0.2
    )
    assert [e.cadre for e in outcome.created] == [peers[1]]
    assert outcome.created[0].evidence["rule"]["top_share"] == str(Decimal("0.2"))
