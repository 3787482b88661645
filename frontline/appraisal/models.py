"""Evidence-based appraisal: schemes, periods, scores traceable to their rows, and the evidence
that is not in the ledger (inspections, stakeholder ratings, suggestions).

A scheme belongs to a campaign and holds dimensions whose weights total 100; each dimension is fed
by inputs (a ledger indicator, the inspection group's scores, or stakeholder ratings) with shares
that total 100 within the dimension. A period (a month, or a quarter/year rolling months up) is
computed for every cadre deployed in the campaign during it; a scheme version is frozen once a
period uses it, and a locked period's scores never change.

The formulas live in `indicators.py` (what is counted, as set-based queries) and `scoring.py`
(normalization and weighting, no Django import); every write goes through `services.py`.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontline.core.errors import ApplicationError

# --- Schemes -----------------------------------------------------------------------------------


class AppraisalScheme(models.Model):
    """A versioned appraisal scheme of a campaign (考核方案). Frozen once a period uses it."""

    campaign = models.ForeignKey(
        "dispatch.Campaign", verbose_name=_("行动"), on_delete=models.PROTECT, related_name="appraisal_schemes"
    )
    name = models.CharField(_("名称"), max_length=100)
    version_number = models.PositiveSmallIntegerField(_("方案版本"), default=1)
    previous = models.OneToOneField(
        "self", verbose_name=_("上一版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="next"
    )
    frozen = models.BooleanField(
        _("已冻结"), default=False, help_text=_("已被考核期使用的方案不能再修改，只能另存新版本")
    )
    # Classes by total score: [{"code": "strong", "label": "好", "min_score": 80}, ...], highest first.
    bands = models.JSONField(_("等次划分"), default=list, blank=True)
    # The project ranking (红旗项目): weights of progress, quality and service, and how many are red flags.
    project_weight_progress = models.PositiveSmallIntegerField(_("项目进度权重"), default=40)
    project_weight_quality = models.PositiveSmallIntegerField(_("项目质量权重"), default=30)
    project_weight_service = models.PositiveSmallIntegerField(_("项目服务权重"), default=30)
    red_flag_count = models.PositiveSmallIntegerField(_("红旗项目数"), default=10)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["campaign", "-version_number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name", "version_number"], name="scheme_unique_version"),
            models.CheckConstraint(
                condition=Q(
                    project_weight_progress__lte=100, project_weight_quality__lte=100, project_weight_service__lte=100
                ),
                name="scheme_project_weights_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version_number}"

    def get_absolute_url(self) -> str:
        return reverse("appraisal:scheme_detail", args=[self.pk])


class AppraisalDimension(models.Model):
    """A dimension of a scheme (攻坚能力, 服务意识 …) with its weight; weights of a scheme total 100."""

    scheme = models.ForeignKey(
        AppraisalScheme, verbose_name=_("考核方案"), on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=50)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核维度")
        verbose_name_plural = _("考核维度")
        ordering = ["scheme", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="dimension_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="dimension_weight_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}）"


class InputSource(models.TextChoices):
    INDICATOR = "indicator", _("台账指标")
    INSPECTION = "inspection", _("督查评分")
    STAKEHOLDER = "stakeholder", _("服务对象评价")


class Indicator(models.TextChoices):
    """Ledger indicators; formulas are documented in `indicators.py`."""

    PROBLEMS_RESOLVED = "problems_resolved", _("解决问题数（按难度和层级加权）")
    ON_TIME_RATE = "on_time_rate", _("按期办结率")
    SAME_DAY_ACK_RATE = "same_day_ack_rate", _("当日签收率（问题不过夜）")
    SATISFACTION = "satisfaction", _("诉求人满意度")
    REOPEN_RATE = "reopen_rate", _("重新督办率")
    SEND_BACKS_CAUSED = "send_backs_caused", _("被退单次数")
    SUGGESTIONS_ADOPTED = "suggestions_adopted", _("建议被采纳数")
    MATCHMAKINGS_CONCLUDED = "matchmakings_concluded", _("供需对接签约数")


class Normalization(models.TextChoices):
    """How a raw input becomes 0–100 before weighting."""

    PEER_PERCENTILE = "peer_percentile", _("同角色同阵地类型内百分位")
    ABSOLUTE = "absolute", _("绝对分（0–100）")


class RaterKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    RESIDENT = "resident", _("群众")
    COLLEAGUE = "colleague", _("同事")


class DimensionInput(models.Model):
    """One input of a dimension, with its share of the dimension (shares of a dimension total 100)."""

    dimension = models.ForeignKey(
        AppraisalDimension, verbose_name=_("考核维度"), on_delete=models.CASCADE, related_name="inputs"
    )
    source = models.CharField(_("来源"), max_length=12, choices=InputSource.choices)
    indicator = models.CharField(_("指标"), max_length=30, choices=Indicator.choices, blank=True)
    rater_kind = models.CharField(
        _("评价人类型"), max_length=12, choices=RaterKind.choices, blank=True, help_text=_("留空表示全部评价人")
    )
    share = models.DecimalField(_("占比"), max_digits=5, decimal_places=2, default=100)
    normalization = models.CharField(
        _("归一化"), max_length=16, choices=Normalization.choices, default=Normalization.PEER_PERCENTILE
    )

    class Meta:
        verbose_name = _("维度数据来源")
        verbose_name_plural = _("维度数据来源")
        ordering = ["dimension", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source="indicator") & ~Q(indicator="")) | (~Q(source="indicator") & Q(indicator="")),
                name="input_indicator_iff_indicator_source",
            ),
            models.CheckConstraint(condition=Q(share__gt=0, share__lte=100), name="input_share_range"),
        ]

    def __str__(self) -> str:
        label = self.get_indicator_display() if self.indicator else self.get_source_display()
        return f"{label}（{self.share}%）"


# --- Evidence outside the ledger ---------------------------------------------------------------


class Inspection(models.Model):
    """The inspection group's visit to a cadre (看任务完成度、听企业评价、查台账记录)."""

    campaign = models.ForeignKey(
        "dispatch.Campaign", verbose_name=_("行动"), on_delete=models.PROTECT, related_name="inspections"
    )
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="inspections"
    )
    inspected_on = models.DateField(_("督查日期"))
    task_completion = models.PositiveSmallIntegerField(_("任务完成度"), help_text=_("0–100"))
    enterprise_evaluation = models.PositiveSmallIntegerField(_("企业评价"), help_text=_("0–100"))
    ledger_check = models.PositiveSmallIntegerField(_("台账记录"), help_text=_("0–100"))
    unannounced = models.BooleanField(
        _("四不两直"), default=False, help_text=_("不发通知、不打招呼、不听汇报、不用陪同，直奔基层、直插现场")
    )
    notes = models.TextField(_("督查记录"), blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("督查人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督查评分")
        verbose_name_plural = _("督查评分")
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["cadre", "inspected_on"], name="inspection_cadre_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(task_completion__lte=100, enterprise_evaluation__lte=100, ledger_check__lte=100),
                name="inspection_scores_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.inspected_on:%Y-%m-%d}"

    def clean(self) -> None:
        _clean_evidence_date(self.campaign_id, self.inspected_on, "inspected_on", str(_("督查日期")))

    @property
    def score(self) -> float:
        """Return the mean of the three sub-scores."""
        return (self.task_completion + self.enterprise_evaluation + self.ledger_check) / 3


class StakeholderRating(models.Model):
    """An enterprise's, resident's or colleague's rating of a cadre, 1–5, with a comment."""

    campaign = models.ForeignKey(
        "dispatch.Campaign", verbose_name=_("行动"), on_delete=models.PROTECT, related_name="stakeholder_ratings"
    )
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="stakeholder_ratings"
    )
    rater_kind = models.CharField(_("评价人类型"), max_length=12, choices=RaterKind.choices)
    rater_name = models.CharField(_("评价人"), max_length=100, blank=True)
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_on = models.DateField(_("评价日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务对象评价")
        verbose_name_plural = _("服务对象评价")
        ordering = ["-rated_on", "-id"]
        indexes = [models.Index(fields=["cadre", "rated_on"], name="stakeholder_cadre_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="stakeholder_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.get_rater_kind_display()} {self.score}"

    def clean(self) -> None:
        _clean_evidence_date(self.campaign_id, self.rated_on, "rated_on", str(_("评价日期")))


class Suggestion(models.Model):
    """A cadre's suggestion (意见建议); adopted ones count as evidence and enter the performance record."""

    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="suggestions"
    )
    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("内容"))
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    adopted = models.BooleanField(_("已采纳"), default=False)
    adopted_at = models.DateTimeField(_("采纳时间"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    adoption_note = models.CharField(_("采纳说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["cadre", "adopted_at"], name="suggestion_cadre_adopted_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(adopted=False, adopted_at__isnull=True) | Q(adopted=True, adopted_at__isnull=False),
                name="suggestion_adopted_at_iff_adopted",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("appraisal:suggestion_detail", args=[self.pk])


# --- Periods and scores --------------------------------------------------------------------------


def refuse_if_period_locked(period_id: int | None) -> None:
    """Raise ApplicationError("locked") when the period is locked: its rows never change again.

    A guard in the models' save() and delete() for writes that do not go through the services
    (the admin, a shell); the services check the lock themselves, under a row lock.
    """
    if period_id is not None and AppraisalPeriod.objects.filter(pk=period_id, status=PeriodStatus.LOCKED).exists():
        raise ApplicationError(str(_("考核期已锁定，得分、调整、预警和项目考评都不能再修改。")), code="locked")


def locked_periods_overlapping(
    *, campaign_id: int, first: date, last: date, for_update: bool = False
) -> list["AppraisalPeriod"]:
    """Return the locked periods of the campaign (of any of its schemes) overlapping [first, last].

    Evidence dated inside such a period (inspections, stakeholder ratings) is what its locked scores
    rest on. The shortest periods come first (a month before its quarter or year). With
    `for_update` every period overlapping the dates is row-locked, so that none of them can be
    locked while evidence dated inside it is being written.
    """
    periods = AppraisalPeriod.objects.filter(
        scheme__campaign_id=campaign_id, start_date__lte=last, end_date__gte=first
    ).select_related("scheme")
    if for_update:
        periods = periods.select_for_update(of=("self",))
    return [p for p in periods.order_by("-start_date", "end_date", "pk") if p.is_locked]


def locked_period_covering(*, campaign_id: int, day: date) -> "AppraisalPeriod | None":
    """Return a locked period of the campaign whose dates hold `day` (the shortest), or None."""
    return next(iter(locked_periods_overlapping(campaign_id=campaign_id, first=day, last=day)), None)


def refuse_evidence_in_locked_period(
    *, campaign_id: int, days: Sequence[date], field: str, label: str, for_update: bool = False
) -> None:
    """Raise ApplicationError("locked") when one of `days` falls inside a locked period of the campaign.

    One query for all the days. The error names the first such day and its period, and carries
    {"errors": {field: message}} so that a form shows it on the date field; `label` names that
    field ("督查日期").
    """
    if not days:
        return
    periods = locked_periods_overlapping(
        campaign_id=campaign_id, first=min(days), last=max(days), for_update=for_update
    )
    for day in days:
        period = next((p for p in periods if p.start_date <= day <= p.end_date), None)
        if period is None:
            continue
        message = str(
            _(
                "%(field)s %(day)s 在考核期“%(period)s”（%(scheme)s）内，该考核期已锁定，"
                "其得分所依据的督查和评价记录不能再增加或修改。请核对日期。"
            )
            % {"field": label, "day": f"{day:%Y-%m-%d}", "period": period.label, "scheme": period.scheme.name}
        )
        raise ApplicationError(message, code="locked", extra={"errors": {field: message}})


def _clean_evidence_date(campaign_id: int | None, day: date | None, field: str, label: str) -> None:
    """Refuse, as a ValidationError on the field, evidence dated inside a locked period (admin forms)."""
    if campaign_id is None or day is None:
        return
    try:
        refuse_evidence_in_locked_period(campaign_id=campaign_id, days=[day], field=field, label=label)
    except ApplicationError as exc:
        raise ValidationError({field: exc.message}, code="locked") from None


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class PeriodStatus(models.TextChoices):
    DRAFT = "draft", _("待计算")
    COMPUTING = "computing", _("计算中")
    COMPUTED = "computed", _("待审核")
    FAILED = "failed", _("计算失败")
    LOCKED = "locked", _("已锁定")


class AppraisalPeriod(models.Model):
    """A month (or a quarter/year rolling up its months) appraised with one frozen scheme version."""

    scheme = models.ForeignKey(
        AppraisalScheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="periods"
    )
    kind = models.CharField(_("周期"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), help_text=_("含当日"))
    status = models.CharField(_("状态"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT)
    progress_done = models.PositiveIntegerField(_("已完成"), default=0, editable=False)
    progress_total = models.PositiveIntegerField(_("总数"), default=0, editable=False)
    error = models.TextField(_("错误信息"), blank=True, editable=False)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True, editable=False)
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True, editable=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核期")
        verbose_name_plural = _("考核期")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kind", "start_date"], name="period_unique_per_scheme"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="period_end_after_start"),
            models.CheckConstraint(
                condition=Q(status="locked", locked_at__isnull=False)
                | (~Q(status="locked") & Q(locked_at__isnull=True)),
                name="period_locked_at_iff_locked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.campaign} {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_if_period_locked(self.pk)  # the lock itself saves a row that is not locked yet
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("appraisal:period_detail", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        refuse_if_period_locked(self.pk)
        return super().delete(*args, **kwargs)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start_date:%Y年%m月}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start_date.year}年第{(self.start_date.month - 1) // 3 + 1}季度"
        return f"{self.start_date.year}年"

    @property
    def is_locked(self) -> bool:
        return self.status == PeriodStatus.LOCKED


class CadreScore(models.Model):
    """A cadre's result in a period: the total, the rank, the class and the traceable breakdown.

    `breakdown` holds, per dimension, its score and, per input, the raw figure with its numerator and
    denominator, the normalized value and the formula's code, so that a page can show every figure and
    link to the rows behind it: {"dimensions": [{"code", "name", "weight", "score", "inputs": [
    {"source", "indicator", "rater_kind", "share", "normalization", "raw", "numerator", "denominator",
    "normalized"}]}]}. A missing figure (no rows to compute a rate from) is null and its share is
    redistributed among the dimension's other inputs; that is recorded as well.
    """

    period = models.ForeignKey(
        AppraisalPeriod, verbose_name=_("考核期"), on_delete=models.CASCADE, related_name="scores"
    )
    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="scores")
    # The peer group the percentiles were taken in: the deployment's role and frontline kind.
    role = models.ForeignKey(
        "dispatch.DeploymentRole", verbose_name=_("角色"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    frontline_kind = models.CharField(_("阵地类型"), max_length=12, blank=True)
    post = models.ForeignKey(
        "posts.Post", verbose_name=_("阵地"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    home_unit = models.ForeignKey("org.Unit", verbose_name=_("派出单位"), on_delete=models.PROTECT, related_name="+")
    computed_total = models.DecimalField(_("计算得分"), max_digits=6, decimal_places=2)
    total = models.DecimalField(_("最终得分"), max_digits=6, decimal_places=2, help_text=_("审核调整后的得分"))
    rank = models.PositiveIntegerField(_("总排名"), null=True)
    rank_in_group = models.PositiveIntegerField(_("同类排名"), null=True)
    group_size = models.PositiveIntegerField(_("同类人数"), null=True)
    percentile_in_group = models.DecimalField(_("同类百分位"), max_digits=5, decimal_places=2, null=True)
    band = models.CharField(_("等次"), max_length=20, blank=True)
    breakdown = models.JSONField(_("得分明细"), default=dict)

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["period", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["period", "cadre"], name="score_unique_cadre_per_period")]
        indexes = [
            models.Index(fields=["period", "rank"], name="score_period_rank_idx"),
            models.Index(fields=["cadre", "period"], name="score_cadre_period_idx"),
            models.Index(fields=["period", "role", "frontline_kind", "rank_in_group"], name="score_group_rank_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.total}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_if_period_locked(self.period_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("appraisal:score_detail", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        refuse_if_period_locked(self.period_id)
        return super().delete(*args, **kwargs)


class ScoreAdjustment(models.Model):
    """A reviewer's adjustment of a computed total before locking, with the reason (recorded, audited)."""

    score = models.ForeignKey(
        CadreScore, verbose_name=_("考核得分"), on_delete=models.CASCADE, related_name="adjustments"
    )
    old_total = models.DecimalField(_("调整前"), max_digits=6, decimal_places=2)
    new_total = models.DecimalField(_("调整后"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("调整理由"), max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("调整人"), null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("调整时间"), default=timezone.now)

    class Meta:
        verbose_name = _("得分调整")
        verbose_name_plural = _("得分调整")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason")]

    def __str__(self) -> str:
        return f"{self.score_id} {self.old_total}→{self.new_total}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_if_period_locked(self._period_id())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        refuse_if_period_locked(self._period_id())
        return super().delete(*args, **kwargs)

    def _period_id(self) -> int | None:
        return CadreScore.objects.filter(pk=self.score_id).values_list("period_id", flat=True).first()


class PerformanceNote(models.Model):
    """An annotation on an entry of a cadre's performance record (实绩清单), or a manual entry."""

    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="performance_notes"
    )
    # The entry annotated: "problem:123", "matchmaking:7", "suggestion:9"; blank for a manual entry.
    entry_key = models.CharField(_("实绩条目"), max_length=40, blank=True)
    text = models.CharField(_("说明"), max_length=500)
    occurred_on = models.DateField(_("日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("实绩备注")
        verbose_name_plural = _("实绩备注")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cadre", "entry_key"], name="perfnote_cadre_entry_idx")]

    def __str__(self) -> str:
        return self.text[:30]


# --- Integrity flags ---------------------------------------------------------------------------


class FlagKind(models.TextChoices):
    UNCONFIRMED_CLOSURES = "unconfirmed_closures", _("未经诉求人确认关闭")
    QUICK_SELF_CLOSE = "quick_self_close", _("同一人短时间内登记并关闭")
    IDENTICAL_RATINGS = "identical_ratings", _("评价高度雷同")
    OFF_HISTORY = "off_history", _("得分与本人历史偏离过大")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CLEARED = "cleared", _("核查无问题")
    CONFIRMED = "confirmed", _("核查属实")


class IntegrityFlag(models.Model):
    """A pattern that suggests gaming, raised for the inspection group; never silently scored."""

    period = models.ForeignKey(
        AppraisalPeriod, verbose_name=_("考核期"), on_delete=models.CASCADE, related_name="flags"
    )
    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=24, choices=FlagKind.choices)
    detail = models.CharField(_("情况"), max_length=300)
    # The rows behind the flag: {"problems": [ids], "ratings": [ids], ...}
    evidence = models.JSONField(_("依据"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    review_note = models.CharField(_("核查意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    reviewed_at = models.DateTimeField(_("核查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("诚信预警")
        verbose_name_plural = _("诚信预警")
        ordering = ["period", "cadre", "kind"]
        constraints = [models.UniqueConstraint(fields=["period", "cadre", "kind"], name="flag_unique_kind")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_if_period_locked(self.period_id)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        refuse_if_period_locked(self.period_id)
        return super().delete(*args, **kwargs)


# --- The project ranking (红旗项目) ------------------------------------------------------------


class ProjectAssessment(models.Model):
    """A key project's monthly assessment: progress and quality from the inspection group, service
    from the ledger (on-time rate and satisfaction of the project's problems), ranked within the period."""

    period = models.ForeignKey(
        AppraisalPeriod, verbose_name=_("考核期"), on_delete=models.CASCADE, related_name="project_assessments"
    )
    post = models.ForeignKey("posts.Post", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    progress_score = models.DecimalField(_("进度得分"), max_digits=5, decimal_places=2)
    quality_score = models.DecimalField(_("质量得分"), max_digits=5, decimal_places=2)
    service_score = models.DecimalField(_("服务得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    previous_rank = models.PositiveIntegerField(_("上期排名"), null=True, blank=True)
    red_flag = models.BooleanField(_("红旗项目"), default=False)
    notes = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("项目考评")
        verbose_name_plural = _("项目考评")
        ordering = ["period", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "post"], name="project_assessment_unique"),
            models.CheckConstraint(
                condition=Q(
                    progress_score__gte=0, progress_score__lte=100, quality_score__gte=0, quality_score__lte=100
                ),
                name="project_assessment_scores_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.total}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_if_period_locked(self.period_id)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        refuse_if_period_locked(self.period_id)
        return super().delete(*args, **kwargs)
