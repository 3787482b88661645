"""The ledger: holidays and working days, problems with their workflow and timeline, visits,
notifications and the requesters' ratings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- The official calendar -------------------------------------------------------------------


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班日")


class CalendarSource(models.TextChoices):
    PACKAGE = "package", _("chinesecalendar 软件包")
    MANUAL = "manual", _("人工录入")


class Holiday(models.Model):
    """One day that differs from the Monday-to-Friday week: a holiday or a make-up workday."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=HolidayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(_("年份"), db_index=True, editable=False)
    source = models.CharField(_("来源"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.MANUAL)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.year = self.date.year
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class YearSchedule(models.Model):
    """Whether the State Council's holiday schedule of a year has been entered (confirmed)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    confirmed = models.BooleanField(_("已确认"), default=False)
    source = models.CharField(_("来源"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.MANUAL)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度放假安排")
        verbose_name_plural = _("年度放假安排")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


# --- Taxonomy and deadline policy ------------------------------------------------------------


class ProblemCategory(models.Model):
    """A kind of problem (用地审批, 环评验收 …), configurable by administrators."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    difficulty_weight = models.DecimalField(_("难度系数"), max_digits=4, decimal_places=2, default=1)
    is_complex = models.BooleanField(_("复杂问题"), default=False, help_text=_("复杂问题按较长时限办结"))
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class EscalationLevel(models.IntegerChoices):
    """Where a problem is handled: 小事不出楼栋、大事不出小区, then up to the county."""

    BUILDING = 1, _("楼栋")
    GRID = 2, _("网格/社区")
    TOWNSHIP = 3, _("乡镇/园区")
    COUNTY = 4, _("县区")


class DeadlinePolicy(models.Model):
    """Working-day limits for a category and level; blank category or level means "any"."""

    category = models.ForeignKey(
        ProblemCategory,
        verbose_name=_("问题类别"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadline_policies",
    )
    level = models.PositiveSmallIntegerField(_("层级"), choices=EscalationLevel.choices, null=True, blank=True)
    handover_days = models.PositiveSmallIntegerField(_("交办时限（工作日）"), default=1)
    feedback_days = models.PositiveSmallIntegerField(_("首次反馈时限（工作日）"), default=3)
    resolve_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=7)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [
            # Blank means "any", so (blank, blank) may exist once: compare with blanks as 0.
            models.UniqueConstraint(Coalesce("category", 0), Coalesce("level", 0), name="deadline_policy_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category or _('全部类别')} {self.get_level_display() or _('全部层级')}"


class EscalationOwner(models.Model):
    """Who answers for problems of posts under `unit` at an escalation level."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(_("层级"), choices=EscalationLevel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("层级责任人")
        verbose_name_plural = _("层级责任人")
        constraints = [models.UniqueConstraint(fields=["unit", "level"], name="escalation_owner_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_level_display()} {self.user}"


# --- Visits and problems ---------------------------------------------------------------------


class Visit(models.Model):
    """A cadre's visit to a post, household or enterprise (走访)."""

    cadre_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="visits"
    )
    post = models.ForeignKey("posts.Post", verbose_name=_("阵地"), on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(_("走访时间"), default=timezone.now)
    whom = models.CharField(_("走访对象"), max_length=100, blank=True)
    findings = models.TextField(_("了解情况"), blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    photo = models.FileField(_("照片"), upload_to="visits/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访")
        verbose_name_plural = _("走访")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["cadre_user", "-visited_at"], name="visit_user_time_idx"),
            models.Index(fields=["post", "-visited_at"], name="visit_post_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90), name="visit_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="visit_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.visited_at:%Y-%m-%d}"


class ProblemSource(models.TextChoices):
    VISIT = "visit", _("走访发现")
    PUBLIC = "public", _("群众/企业提交")
    HOTLINE = "hotline", _("热线")
    INSPECTION = "inspection", _("督查检查")
    LEADER = "leader", _("领导交办")


class RequesterKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    RESIDENT = "resident", _("群众")
    PROJECT = "project", _("项目")


class ProblemStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    HANDED_OVER = "handed_over", _("已交办")
    SENT_BACK = "sent_back", _("已退单")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结待回访")
    SUPERVISED = "supervised", _("督办中")
    CLOSED = "closed", _("已关闭")


OPEN_STATUSES = tuple(s for s in ProblemStatus if s != ProblemStatus.CLOSED)
# The open problems that the supervisor board lists: overdue, sent back, or reopened (督办).
BOARD_ROWS_Q = Q(status__in=OPEN_STATUSES) & (
    Q(is_overdue=True) | Q(send_back_count__gt=0) | Q(status=ProblemStatus.SUPERVISED)
)


class Problem(models.Model):
    """A demand or problem (诉求/问题) driven from registration to the requester's rating."""

    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True, editable=False)
    source = models.CharField(_("来源"), max_length=12, choices=ProblemSource.choices, default=ProblemSource.VISIT)
    requester_kind = models.CharField(
        _("诉求人类型"), max_length=12, choices=RequesterKind.choices, default=RequesterKind.RESIDENT
    )
    requester_name = models.CharField(_("诉求人"), max_length=100, blank=True)
    requester_phone_encrypted = models.TextField(_("联系电话（密文）"), blank=True, editable=False)
    requester_phone_masked = models.CharField(_("联系电话"), max_length=11, blank=True, editable=False)
    # The foreign keys marked db_index=False lead a composite index in Meta.indexes, which serves
    # their lookups; a second, single-column index would only slow down each registration.
    post = models.ForeignKey(
        "posts.Post", verbose_name=_("阵地"), on_delete=models.PROTECT, related_name="problems", db_index=False
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    # The post's managing unit when the problem was registered: scope filters use it with
    # `department` in one indexed OR, instead of joining the post on every list.
    post_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("阵地管理单位"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    # The cadre the problem counts for in appraisal (包联干部): the registering cadre, or for a
    # public submission the cadre deployed at the post. Denormalized so that a monthly period
    # over millions of problems is one grouped query.
    cadre = models.ForeignKey(
        "cadres.Cadre",
        verbose_name=_("包联干部"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_problems",
        editable=False,
        db_index=False,
    )
    visit = models.ForeignKey(
        Visit, verbose_name=_("来源走访"), null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    category = models.ForeignKey(
        ProblemCategory, verbose_name=_("问题类别"), on_delete=models.PROTECT, related_name="problems"
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("问题描述"))
    solution_plan = models.TextField(_("解决方案"), blank=True, help_text=_("一个难题、一套方案"))
    resolution = models.TextField(_("办理结果"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.REGISTERED, db_index=True
    )
    department = models.ForeignKey(
        "org.Unit",
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_problems",
        db_index=False,
    )
    level = models.PositiveSmallIntegerField(
        _("办理层级"), choices=EscalationLevel.choices, default=EscalationLevel.GRID
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("层级责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_problems",
    )
    # Deadlines: the handover clock starts at registration (or a send-back), the others at the
    # hand-over (or a reopening); recomputed when a year's schedule is entered.
    clock_started_on = models.DateField(_("计时起点"), null=True, blank=True)
    handover_due = models.DateField(_("交办期限"), null=True, blank=True)
    feedback_due = models.DateField(_("首次反馈期限"), null=True, blank=True)
    resolve_due = models.DateField(_("办结期限"), null=True, blank=True)
    deadline_unconfirmed = models.BooleanField(_("期限未经官方日历确认"), default=False)
    is_overdue = models.BooleanField(_("已超期"), default=False)
    escalated_for = models.DateField(_("已因该期限升级"), null=True, blank=True, editable=False)
    send_back_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    closed_without_confirmation = models.BooleanField(_("未经确认关闭"), default=False)
    close_reason = models.CharField(_("关闭理由"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_problems",
        db_index=False,
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    handed_over_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    first_feedback_at = models.DateTimeField(_("首次反馈时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status", "-created_at"], name="problem_dept_status_idx"),
            models.Index(fields=["post", "status"], name="problem_post_status_idx"),
            models.Index(fields=["post_unit", "status"], name="problem_post_unit_status_idx"),
            models.Index(fields=["created_by", "status"], name="problem_creator_status_idx"),
            models.Index(fields=["cadre", "resolved_at"], name="problem_cadre_resolved_idx"),
            # The supervisor board's lists: each walked in its own order (a province's first rows
            # come at once), or reached through the scope's units (a county's few rows). Partial,
            # so a new problem (not overdue, never sent back) touches none of them.
            models.Index(
                fields=["resolve_due", "handover_due", "id"],
                condition=Q(is_overdue=True, status__in=OPEN_STATUSES),
                name="problem_board_overdue_idx",
            ),
            models.Index(
                fields=["-send_back_count", "id"],
                condition=Q(send_back_count__gt=0, status__in=OPEN_STATUSES),
                name="problem_board_sent_back_idx",
            ),
            models.Index(
                fields=["resolve_due", "id"],
                condition=Q(status=ProblemStatus.SUPERVISED),
                name="problem_board_supervised_idx",
            ),
            models.Index(fields=["post_unit"], condition=BOARD_ROWS_Q, name="problem_board_unit_idx"),
            models.Index(fields=["department"], condition=BOARD_ROWS_Q, name="problem_board_department_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_without_confirmation=False) | ~Q(close_reason=""),
                name="problem_unconfirmed_close_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("ledger:problem_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != ProblemStatus.CLOSED

    @property
    def acknowledged_same_day(self) -> bool | None:
        """Return whether the department signed for it the day it was handed over (问题不过夜)."""
        if self.handed_over_at is None or self.acknowledged_at is None:
            return None
        return timezone.localdate(self.acknowledged_at) == timezone.localdate(self.handed_over_at)


class ProblemEvent(models.Model):
    """One row of a problem's timeline; `public` rows are shown on the tracking page."""

    problem = models.ForeignKey(Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True)
    from_status = models.CharField(_("原状态"), max_length=12, choices=ProblemStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ProblemStatus.choices)
    note = models.TextField(_("说明"), blank=True)
    department = models.ForeignKey(
        "org.Unit", verbose_name=_("部门"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public = models.BooleanField(_("公开"), default=False)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["problem", "created_at"], name="problem_event_time_idx")]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.action} {self.from_status}→{self.to_status}"


class ProblemTally(models.Model):
    """How many problems there are per post unit, handling department and state.

    Kept in step, in the same transaction, by every write that changes one of these fields
    (`frontline.ledger.tally`), so that the supervisor board sums a few hundred rows instead of
    counting a province's open problems on each load. A problem falls under exactly one key, so
    sums over a scope are exact. `slot` spreads one key over a few rows so that concurrent writers
    (intake from many clients at one county) do not queue on a single row lock: the count of one
    slot may be negative, only sums mean anything. `frontline ledger_tally` checks or rebuilds it.
    """

    post_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("阵地管理单位"), on_delete=models.CASCADE, related_name="+"
    )
    # The handling department's id, or 0 for none (a key column must not be NULL for the upsert).
    department_key = models.BigIntegerField(_("承办部门"), default=0)
    status = models.CharField(_("状态"), max_length=12, choices=ProblemStatus.choices)
    is_overdue = models.BooleanField(_("已超期"))
    sent_back = models.BooleanField(_("有退单"))
    deadline_unconfirmed = models.BooleanField(_("期限未经官方日历确认"))
    closed_without_confirmation = models.BooleanField(_("未经确认关闭"))
    slot = models.PositiveSmallIntegerField(_("分片"), default=0)
    count = models.IntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("问题计数")
        verbose_name_plural = _("问题计数")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "post_unit",
                    "department_key",
                    "status",
                    "is_overdue",
                    "sent_back",
                    "deadline_unconfirmed",
                    "closed_without_confirmation",
                    "slot",
                ],
                name="problem_tally_key",
            ),
        ]
        indexes = [models.Index(fields=["department_key"], name="problem_tally_department_idx")]

    def __str__(self) -> str:
        return f"{self.post_unit_id}/{self.department_key} {self.status} {self.count}"


class Rating(models.Model):
    """The requester's satisfaction rating of a resolved problem: one per problem."""

    problem = models.OneToOneField(Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("评分"))
    satisfied = models.BooleanField(_("满意"))
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.score}"


class Notification(models.Model):
    """An in-app message to a user (overdue, escalation, hand-over)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("问题"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20)
    message = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.message}"


class IntakeAttempt(models.Model):
    """A public submission attempt, by keyed hash of the client address, for rate limiting."""

    client_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("公开提交记录")
        verbose_name_plural = _("公开提交记录")
        indexes = [models.Index(fields=["client_hash", "created_at"], name="intake_client_time_idx")]

    def __str__(self) -> str:
        return f"{self.client_hash[:8]} {self.created_at:%Y-%m-%d %H:%M}"


# --- The three lists: needs, resources, projects ---------------------------------------------


class ListKind(models.TextChoices):
    NEED = "need", _("需求")
    RESOURCE = "resource", _("资源")
    PROJECT = "project", _("项目")


class ListItemStatus(models.TextChoices):
    OPEN = "open", _("待对接")
    MATCHED = "matched", _("已对接")
    DONE = "done", _("已完成")


class ListItem(models.Model):
    """One row of a grid's, community's or park's needs, resources or projects list (三张清单)."""

    kind = models.CharField(_("清单"), max_length=10, choices=ListKind.choices)
    post = models.ForeignKey("posts.Post", verbose_name=_("阵地"), on_delete=models.PROTECT, related_name="list_items")
    title = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    quantity = models.CharField(
        _("数量或规模"), max_length=100, blank=True, help_text=_("如：月产能 5 万件、50 名工人")
    )
    holder = models.CharField(_("提供方或需求方"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ListItemStatus.choices, default=ListItemStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("清单条目")
        verbose_name_plural = _("清单条目")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "status", "post"], name="listitem_kind_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("ledger:list_item", args=[self.pk])


class MatchmakingStatus(models.TextChoices):
    PROPOSED = "proposed", _("已撮合")
    NEGOTIATING = "negotiating", _("洽谈中")
    SIGNED = "signed", _("已签约")
    FAILED = "failed", _("未成功")


class Matchmaking(models.Model):
    """A recorded connection between a need and a resource (供需对接), and its outcome."""

    need = models.ForeignKey(ListItem, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="matches_as_need")
    resource = models.ForeignKey(
        ListItem, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="matches_as_resource"
    )
    reason = models.CharField(_("撮合理由"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=MatchmakingStatus.choices, default=MatchmakingStatus.PROPOSED
    )
    outcome = models.CharField(_("成效"), max_length=300, blank=True, help_text=_("如：签订订单 8 份"))
    amount = models.DecimalField(_("金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("撮合时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("供需对接")
        verbose_name_plural = _("供需对接")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["need", "resource"], name="matchmaking_unique_pair"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="matchmaking_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need.title} ↔ {self.resource.title}"


# --- Attachments of problems -----------------------------------------------------------------


def attachment_upload_to(instance: "ProblemAttachment", filename: str) -> str:
    """Return a storage path that holds nothing the uploader typed: a random name, the sniffed extension."""
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"problems/{instance.problem_id}/{uuid.uuid4().hex}.{suffix}"


class ProblemAttachment(models.Model):
    """A file attached to a problem (a photo, a letter, a spreadsheet), downloaded only through a scoped view."""

    problem = models.ForeignKey(Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    public = models.BooleanField(_("向诉求人公开"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("问题附件")
        verbose_name_plural = _("问题附件")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["problem", "created_at"], name="problem_attachment_time_idx")]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("ledger:attachment_download", args=[self.problem_id, self.pk])


# --- Enterprise plans (一企一策) ---------------------------------------------------------------


class EnterprisePlan(models.Model):
    """An enterprise's plan (一企一策): a summary and ordered measures; its problems are those of its post."""

    post = models.OneToOneField(
        "posts.Post", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="enterprise_plan"
    )
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("概述"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("一企一策")
        verbose_name_plural = _("一企一策")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ledger:plan_detail", args=[self.pk])


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    DOING = "doing", _("推进中")
    DONE = "done", _("已完成")


class PlanMeasure(models.Model):
    """One measure of an enterprise plan, with the department that answers for it and a due date."""

    plan = models.ForeignKey(
        EnterprisePlan, verbose_name=_("一企一策"), on_delete=models.CASCADE, related_name="measures"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("措施"), max_length=500)
    department = models.ForeignKey(
        "org.Unit", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="plan_measures"
    )
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("针对的问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_measures",
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("措施")
        verbose_name_plural = _("措施")
        ordering = ["plan", "position", "id"]
        indexes = [
            models.Index(fields=["plan", "position"], name="plan_measure_position_idx"),
            models.Index(fields=["department", "status"], name="plan_measure_dept_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", done_at__isnull=False) | (~Q(status="done") & Q(done_at__isnull=True)),
                name="plan_measure_done_at_iff_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def is_overdue(self) -> bool:
        """Return whether the due date has passed (in Asia/Shanghai) and the measure is not done."""
        return self.due_date is not None and self.due_date < timezone.localdate() and self.status != MeasureStatus.DONE
