"""Campaigns, working groups, deployments, post needs and matching runs.

Models hold data and invariants (constraints, indexes); every write goes through
`services.py` (manual dispatch) or `runs.py` (matching runs).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontline.cadres.models import Rank
from frontline.posts.models import PostKind


class FrontlineKind(models.TextChoices):
    """The four kinds of frontline a campaign sets targets for (四进)."""

    ENTERPRISE = "enterprise", _("进企业")
    PROJECT = "project", _("进项目")
    VILLAGE = "village", _("进乡村")
    COMMUNITY = "community", _("进社区")


# Villages and communities together are the "grassroots" (基层治理) of the seeds' figures.
GRASSROOTS_KINDS = (FrontlineKind.VILLAGE, FrontlineKind.COMMUNITY)


def frontline_kind_of(kind: str, parent_kind: str | None = None, grandparent_kind: str | None = None) -> str:
    """Return the frontline kind a post counts for: a grid or building counts for its village or community."""
    for candidate in (kind, parent_kind, grandparent_kind):
        if candidate in FrontlineKind.values:
            return str(candidate)
    return FrontlineKind.COMMUNITY.value


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("筹备")
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class Campaign(models.Model):
    """A named programme (行动) with a period, targets per frontline kind and matching weights."""

    name = models.CharField(_("名称"), max_length=100)
    organizing_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="campaigns"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    # Soft-cost weights of the matching engine: a bonus is subtracted from a pair's cost.
    weight_department = models.PositiveIntegerField(
        _("优先单位权重"), default=100, help_text=_("干部来自阵地希望的派出单位时的加分")
    )
    weight_expertise = models.PositiveIntegerField(_("专长权重"), default=40, help_text=_("每符合一个专长标签的加分"))
    weight_distance_per_km = models.PositiveIntegerField(
        _("距离权重（每公里）"), default=2, help_text=_("居住地到阵地每公里的扣分")
    )
    weight_continuity = models.PositiveIntegerField(
        _("连续性权重"), default=60, help_text=_("干部留在原阵地时的加分，重新匹配时尽量少调动")
    )
    max_distance_km = models.PositiveIntegerField(
        _("最远距离（公里）"), null=True, blank=True, help_text=_("留空表示不限")
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("选派行动")
        verbose_name_plural = _("选派行动")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="campaign_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["organizing_unit", "status"], name="campaign_unit_status_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dispatch:campaign_detail", args=[self.pk])


class CampaignTarget(models.Model):
    """How many cadres a campaign means to send to one frontline kind."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("一线类型"), max_length=16, choices=FrontlineKind.choices)
    target = models.PositiveIntegerField(_("目标人数"))

    class Meta:
        verbose_name = _("行动目标")
        verbose_name_plural = _("行动目标")
        ordering = ["campaign", "kind"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="campaign_target_unique_kind")]

    def __str__(self) -> str:
        return f"{self.campaign} {self.get_kind_display()} {self.target}"


class DeploymentRole(models.Model):
    """A role a cadre takes at a post (项目专员, 党建指导员 …); `post_kinds` empty means any kind."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    post_kinds = models.JSONField(_("适用阵地类型"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("下沉角色")
        verbose_name_plural = _("下沉角色")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, post_kind: str) -> bool:
        return not self.post_kinds or post_kind in self.post_kinds

    def post_kind_labels(self) -> list[str]:
        labels = dict(PostKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.post_kinds]


class WorkingGroup(models.Model):
    """A team of cadres at a post or in an area; may form a temporary Party branch (临时党支部)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="working_groups"
    )
    name = models.CharField(_("名称"), max_length=100)
    leader = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("组长"), on_delete=models.PROTECT, related_name="led_working_groups"
    )
    members = models.ManyToManyField("cadres.Cadre", verbose_name=_("成员"), blank=True, related_name="working_groups")
    post = models.ForeignKey(
        "posts.Post",
        verbose_name=_("服务阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="working_groups",
    )
    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("服务区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="working_groups",
    )
    forms_party_branch = models.BooleanField(_("成立临时党支部"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作组")
        verbose_name_plural = _("工作组")
        ordering = ["campaign", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="working_group_unique_name_in_campaign"),
        ]

    def __str__(self) -> str:
        return self.name


class DeploymentStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    ENDED = "ended", _("已结束")
    EXTENDED = "extended", _("已延期")
    TRANSFERRED = "transferred", _("已调岗")


class DeploymentSource(models.TextChoices):
    MANUAL = "manual", _("手工选派")
    MATCHING = "matching", _("智能匹配")


class Deployment(models.Model):
    """One term of a cadre at a post in a role. Extending or transferring closes the term and links a new one."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("行动"), null=True, blank=True, on_delete=models.PROTECT, related_name="deployments"
    )
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="deployments"
    )
    post = models.ForeignKey("posts.Post", verbose_name=_("阵地"), on_delete=models.PROTECT, related_name="deployments")
    role = models.ForeignKey(
        DeploymentRole, verbose_name=_("角色"), on_delete=models.PROTECT, related_name="deployments"
    )
    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("工作组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deployments",
    )
    start_date = models.DateField(_("开始日期"))
    planned_end = models.DateField(_("计划结束"), null=True, blank=True)
    ended_on = models.DateField(_("实际结束"), null=True, blank=True)
    is_full_time = models.BooleanField(_("全脱产"), default=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=DeploymentStatus.choices, default=DeploymentStatus.ACTIVE
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("上一任期"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
    )
    source = models.CharField(
        _("来源"), max_length=16, choices=DeploymentSource.choices, default=DeploymentSource.MANUAL
    )
    matching_run = models.ForeignKey(
        "MatchingRun",
        verbose_name=_("匹配方案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deployments",
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("下沉任职")
        verbose_name_plural = _("下沉任职")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(status="active", is_full_time=True),
                name="deployment_one_active_full_time_per_cadre",
            ),
            models.UniqueConstraint(
                fields=["cadre", "post"],
                condition=Q(status="active"),
                name="deployment_one_active_per_cadre_and_post",
            ),
            models.CheckConstraint(
                condition=(Q(status="active") & Q(ended_on__isnull=True))
                | (~Q(status="active") & Q(ended_on__isnull=False)),
                name="deployment_ended_on_iff_not_active",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gte=F("start_date")),
                name="deployment_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("start_date")),
                name="deployment_ended_on_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="deployment_campaign_status_idx"),
            models.Index(fields=["post", "status"], name="deployment_post_status_idx"),
            models.Index(fields=["cadre", "status"], name="deployment_cadre_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.post}（{self.role}）"

    def get_absolute_url(self) -> str:
        return reverse("dispatch:deployment_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == DeploymentStatus.ACTIVE


class ResponsibilityLevel(models.TextChoices):
    LEADERSHIP = "leadership", _("班子成员包保重点项目")
    DEPUTY_SECTION = "deputy_section", _("副科级干部包保子项目")


class ResponsibilityAssignment(models.Model):
    """包保: a named cadre answers for a key project (leadership) or a sub-project (deputy-section level)."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("包保人"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    post = models.ForeignKey(
        "posts.Post", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    level = models.CharField(_("包保层级"), max_length=16, choices=ResponsibilityLevel.choices)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("计划结束"), null=True, blank=True)
    ended_on = models.DateField(_("实际结束"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("包保责任")
        verbose_name_plural = _("包保责任")
        ordering = ["post", "level", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="responsibility_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("start_date")),
                name="responsibility_ended_on_after_start",
            ),
            models.UniqueConstraint(
                fields=["cadre", "post"],
                condition=Q(ended_on__isnull=True),
                name="responsibility_one_current_per_cadre_and_post",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} 包保 {self.post}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class PostNeed(models.Model):
    """What a post asks for: how many cadres in which role, from which units, with which skills.

    A need without a campaign is a standing request (e.g. stated by the enterprise itself); the
    first campaign whose matching run is approved for it adopts it.
    """

    post = models.ForeignKey("posts.Post", verbose_name=_("阵地"), on_delete=models.CASCADE, related_name="needs")
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("行动"), null=True, blank=True, on_delete=models.SET_NULL, related_name="needs"
    )
    role = models.ForeignKey(DeploymentRole, verbose_name=_("角色"), on_delete=models.PROTECT, related_name="needs")
    min_count = models.PositiveSmallIntegerField(_("最少人数"), default=1)
    max_count = models.PositiveSmallIntegerField(_("最多人数"), default=1)
    preferred_units = models.ManyToManyField("org.Unit", verbose_name=_("希望的派出单位"), blank=True, related_name="+")
    expertise = models.ManyToManyField("cadres.ExpertiseTag", verbose_name=_("专长"), blank=True, related_name="+")
    rank_min = models.PositiveSmallIntegerField(_("最低职级"), choices=Rank.choices, null=True, blank=True)
    rank_max = models.PositiveSmallIntegerField(_("最高职级"), choices=Rank.choices, null=True, blank=True)
    min_party_members = models.PositiveSmallIntegerField(_("至少党员人数"), default=0)
    max_distance_km = models.PositiveIntegerField(_("最远距离（公里）"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    submitted_by_requester = models.BooleanField(_("企业/群众自报"), default=False)
    requester_contact = models.CharField(_("联系人"), max_length=50, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阵地需求")
        verbose_name_plural = _("阵地需求")
        ordering = ["post", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_count__lte=F("max_count")), name="post_need_min_le_max"),
            models.CheckConstraint(condition=Q(max_count__gte=1), name="post_need_max_at_least_one"),
            models.CheckConstraint(
                condition=Q(min_party_members__lte=F("max_count")), name="post_need_party_members_le_max"
            ),
            models.CheckConstraint(
                condition=Q(rank_min__isnull=True) | Q(rank_max__isnull=True) | Q(rank_min__lte=F("rank_max")),
                name="post_need_rank_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.role} {self.min_count}–{self.max_count}"


class RequesterLink(models.Model):
    """The unguessable link through which a post (an enterprise) states its own need without an account.

    Whoever has the link can fill in the form, so the post's managers can rotate the token (the old
    link stops working at once) or withdraw the link. `unit` bounds the departments the form offers.
    """

    post = models.OneToOneField(
        "posts.Post", verbose_name=_("阵地"), on_delete=models.CASCADE, related_name="requester_link"
    )
    token = models.CharField(_("令牌"), max_length=64, unique=True, editable=False)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("可选派出单位范围"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("表单列出该单位及其下级的职能部门"),
    )
    submissions = models.PositiveIntegerField(_("提交次数"), default=0, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("更换时间"), auto_now=True)

    class Meta:
        verbose_name = _("需求自报链接")
        verbose_name_plural = _("需求自报链接")
        ordering = ["post"]

    def __str__(self) -> str:
        return f"{self.post} · {self.token[:6]}…"

    def get_absolute_url(self) -> str:
        return reverse("dispatch:requester_public", args=[self.token])


class MatchingRunStatus(models.TextChoices):
    """queued → running → done (or failed); done → approving → approved (or back to done on failure)."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("待审批")
    FAILED = "failed", _("失败")
    APPROVING = "approving", _("批准中")
    APPROVED = "approved", _("已批准")
    SUPERSEDED = "superseded", _("已作废")


# Far longer than the approval of the largest plan takes (minutes at province scale): an approval
# still running after this lost its worker, and may be asked for again.
APPROVAL_STALLED_AFTER = timedelta(hours=1)

# While a run is in one of these states a background task is working on it; its page polls.
MATCHING_RUN_BUSY = (MatchingRunStatus.QUEUED, MatchingRunStatus.RUNNING, MatchingRunStatus.APPROVING)


class MatchingRun(models.Model):
    """One run of the matching engine for a campaign: its pool, its progress and the proposed plan."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="matching_runs"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=MatchingRunStatus.choices, default=MatchingRunStatus.QUEUED
    )
    # Progress of the computation, then of the approval while the run is approving.
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    stage = models.CharField(_("阶段"), max_length=100, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    previous_run = models.ForeignKey(
        "self", verbose_name=_("上一方案"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始计算"), null=True, blank=True)
    finished_at = models.DateTimeField(_("计算完成"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approval_requested_at = models.DateTimeField(_("提交批准时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("匹配方案")
        verbose_name_plural = _("匹配方案")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="matching_run_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("dispatch:run_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        """Return whether no background task is working on the run (computing or approving it)."""
        return self.status not in MATCHING_RUN_BUSY

    @property
    def approval_is_stalled(self) -> bool:
        """Return whether the approval task has taken so long that its worker must have died."""
        return (
            self.status == MatchingRunStatus.APPROVING
            and self.approval_requested_at is not None
            and timezone.now() - self.approval_requested_at > APPROVAL_STALLED_AFTER
        )


class MatchingRuleKind(models.TextChoices):
    PIN = "pin", _("锁定")
    FORBID = "forbid", _("禁止")


class MatchingRule(models.Model):
    """A person's decision on one cadre–post pair, applied to every later run of the campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="matching_rules"
    )
    run = models.ForeignKey(
        MatchingRun,
        verbose_name=_("提出于方案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rules",
    )
    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("posts.Post", verbose_name=_("阵地"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=8, choices=MatchingRuleKind.choices)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("匹配规则")
        verbose_name_plural = _("匹配规则")
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "cadre", "post"], name="matching_rule_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.cadre} → {self.post}"
