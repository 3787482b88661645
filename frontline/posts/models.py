"""Frontline posts: enterprises, projects, villages, communities, grids and buildings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PostKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    PROJECT = "project", _("项目")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    BUILDING = "building", _("楼栋")


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", _("微型")
    SMALL = "small", _("小型")
    MEDIUM = "medium", _("中型")
    LARGE = "large", _("大型")


class ProjectStage(models.TextChoices):
    PLANNING = "planning", _("谋划")
    SIGNED = "signed", _("签约")
    APPROVAL = "approval", _("审批")
    CONSTRUCTION = "construction", _("在建")
    COMPLETED = "completed", _("竣工")
    OPERATING = "operating", _("投产")


class Post(models.Model):
    """A place cadres are sent to. Kind-specific fields are blank where they do not apply.

    `parent` links a sub-project to its project, a grid to its village or community and a
    building to its grid.
    """

    kind = models.CharField(_("类型"), max_length=16, choices=PostKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    region = models.ForeignKey("org.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="posts")
    unit = models.ForeignKey("org.Unit", verbose_name=_("管理单位"), on_delete=models.PROTECT, related_name="posts")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    is_key = models.BooleanField(_("重点"), default=False)
    description = models.TextField(_("说明"), blank=True)
    # Enterprise
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    industry = models.CharField(_("行业"), max_length=100, blank=True)
    size = models.CharField(_("规模"), max_length=10, choices=EnterpriseSize.choices, blank=True)
    # Project
    investment = models.DecimalField(_("总投资（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    stage = models.CharField(_("阶段"), max_length=16, choices=ProjectStage.choices, blank=True)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    # Grid / building
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("一线阵地")
        verbose_name_plural = _("一线阵地")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="post_unique_uscc"),
            models.CheckConstraint(condition=Q(kind="enterprise") | Q(uscc=""), name="post_uscc_only_for_enterprises"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90), name="post_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="post_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "kind"], name="post_unit_kind_idx"),
            models.Index(fields=["region", "kind"], name="post_region_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("posts:detail", args=[self.pk])
