"""What appraisal results lead to: the reserve-cadre pool, promotions and merits.

A cadre enters the reserve-cadre pool (后备干部库) by a rule over locked monthly results or by hand
with a reason, and stays nominated until someone else with the edit right approves or rejects the
entry; promotions (提拔, 晋升职级) and merits (记功嘉奖) are recorded with the evidence behind them,
linking the appraisal scores they rest on. Every write goes through `services.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontline.cadres.models import Rank


class ReserveBasis(models.TextChoices):
    RULE = "rule", _("按规则推荐")
    MANUAL = "manual", _("人工提名")


class ReserveStatus(models.TextChoices):
    """nominated → approved / rejected / withdrawn; approved → withdrawn. Rejected and withdrawn are final."""

    NOMINATED = "nominated", _("待审批")
    APPROVED = "approved", _("已入库")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# An entry in these states keeps the cadre "in the pool": a cadre has at most one such entry.
RESERVE_OPEN_STATUSES = (ReserveStatus.NOMINATED, ReserveStatus.APPROVED)


class ReservePoolEntry(models.Model):
    """A cadre's nomination to the reserve-cadre pool (后备干部库) and its decision."""

    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="reserve_entries"
    )
    basis = models.CharField(_("推荐依据"), max_length=8, choices=ReserveBasis.choices)
    campaign = models.ForeignKey(
        "dispatch.Campaign",
        verbose_name=_("考核所属行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule_description = models.CharField(_("推荐规则"), max_length=200, blank=True)
    reason = models.TextField(_("推荐理由"), blank=True)
    # The results the nomination rests on: {"rule": {...}, "periods": [{"period_id", "label",
    # "score_id", "total", "rank_in_group", "group_size", "percentile_in_group", "band", ...}]}.
    evidence = models.JSONField(_("依据"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReserveStatus.choices, default=ReserveStatus.NOMINATED, db_index=True
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提名人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    nominated_at = models.DateTimeField(_("提名时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("后备干部库条目")
        verbose_name_plural = _("后备干部库")
        ordering = ["-nominated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(status__in=["nominated", "approved"]),
                name="reserve_one_open_entry_per_cadre",
            ),
            models.CheckConstraint(
                condition=~Q(basis="manual") | ~Q(reason=""), name="reserve_manual_nomination_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="nominated", decided_at__isnull=True)
                | (~Q(status="nominated") & Q(decided_at__isnull=False)),
                name="reserve_decided_at_iff_decided",
            ),
        ]
        indexes = [models.Index(fields=["status", "-nominated_at"], name="reserve_status_time_idx")]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("talent:reserve_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in RESERVE_OPEN_STATUSES


class PromotionKind(models.TextChoices):
    POSITION = "position", _("职务提拔")
    RANK = "rank", _("职级晋升")


class Promotion(models.Model):
    """A promotion to a post (提拔) or a rank promotion (晋升职级), with the evidence behind it."""

    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="promotions"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=PromotionKind.choices)
    from_position = models.CharField(_("原职务"), max_length=100, blank=True)
    to_position = models.CharField(_("新职务"), max_length=100, blank=True)
    from_rank = models.PositiveSmallIntegerField(_("原职级"), choices=Rank.choices, null=True, blank=True)
    to_rank = models.PositiveSmallIntegerField(_("新职级"), choices=Rank.choices, null=True, blank=True)
    effective_on = models.DateField(_("任职时间"))
    decision_body = models.CharField(_("决定机关"), max_length=100, help_text=_("如：中共曾都区委常委会"))
    decision_ref = models.CharField(_("文号"), max_length=100, blank=True)
    evidence = models.TextField(_("实绩依据"))
    scores = models.ManyToManyField(
        "appraisal.CadreScore", verbose_name=_("依据的考核结果"), blank=True, related_name="+"
    )
    reserve_entry = models.ForeignKey(
        ReservePoolEntry,
        verbose_name=_("后备干部库条目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="promotions",
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("提拔晋升")
        verbose_name_plural = _("提拔晋升")
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="position") | ~Q(to_position=""), name="promotion_position_has_new_post"
            ),
            models.CheckConstraint(
                condition=~Q(kind="rank")
                | Q(to_rank__isnull=False, from_rank__isnull=False, to_rank__gt=F("from_rank")),
                name="promotion_rank_goes_up",
            ),
            models.CheckConstraint(condition=~Q(evidence=""), name="promotion_has_evidence"),
        ]
        indexes = [models.Index(fields=["cadre", "-effective_on"], name="promotion_cadre_date_idx")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.get_kind_display()} {self.effective_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("talent:promotion_list") + f"?cadre={self.cadre_id}"

    @property
    def change_label(self) -> str:
        """Return "原 → 新" for the post and/or the rank."""
        parts = []
        if self.to_position:
            parts.append(f"{self.from_position or '—'} → {self.to_position}")
        if self.to_rank:
            before = self.get_from_rank_display() if self.from_rank else "—"
            parts.append(f"{before} → {self.get_to_rank_display()}")
        return "；".join(parts)


class MeritKind(models.TextChoices):
    FIRST_CLASS = "first_class", _("一等功")
    SECOND_CLASS = "second_class", _("二等功")
    THIRD_CLASS = "third_class", _("三等功")
    COMMENDATION = "commendation", _("嘉奖")
    EXCELLENT_GRADE = "excellent", _("优秀等次")
    HONOR = "honor", _("表彰")


class Merit(models.Model):
    """A merit (记功), commendation (嘉奖), excellent grade (优秀等次) or honour, with its evidence."""

    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="merits")
    kind = models.CharField(_("奖励类型"), max_length=12, choices=MeritKind.choices)
    title = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("如：优秀下沉干部"))
    awarded_on = models.DateField(_("奖励时间"))
    awarding_body = models.CharField(_("奖励机关"), max_length=100)
    reason = models.TextField(_("事由"))
    evidence = models.TextField(_("实绩依据"), blank=True)
    scores = models.ManyToManyField(
        "appraisal.CadreScore", verbose_name=_("依据的考核结果"), blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("记功嘉奖")
        verbose_name_plural = _("记功嘉奖")
        ordering = ["-awarded_on", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="merit_has_reason")]
        indexes = [models.Index(fields=["cadre", "-awarded_on"], name="merit_cadre_date_idx")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.title or self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("talent:merit_list") + f"?cadre={self.cadre_id}"
