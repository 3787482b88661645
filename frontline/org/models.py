"""Administrative regions (NBS division codes) and the tree of units that users belong to."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县区")
    TOWNSHIP = 4, _("乡镇街道")
    VILLAGE = 5, _("村社区")


# Digits of the 12-digit code that identify a region at each level; a subtree is a prefix.
LEVEL_PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class Region(models.Model):
    """A node of the national division tree; `code` is the 12-digit statistical code."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_functional_zone = models.BooleanField(
        _("功能区"), default=False, help_text=_("统计用功能区（开发区等），不在 GB/T 2260 中")
    )
    is_active = models.BooleanField(_("有效"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:region_detail", args=[self.code])

    @property
    def prefix(self) -> str:
        """Return the code prefix shared by this region and everything below it."""
        return self.code[: LEVEL_PREFIX_LENGTH[self.level]]


class UnitKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("党委")
    ORGANIZATION_DEPARTMENT = "organization_department", _("组织部")
    GOVERNMENT = "government", _("政府")
    FUNCTIONAL_DEPARTMENT = "functional_department", _("职能部门")
    PARK = "park", _("园区")
    TOWNSHIP = "township", _("乡镇街道")
    INSTITUTION = "institution", _("事业单位")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    OTHER = "other", _("其他")


class Unit(models.Model):
    """An organization node: home units, functional departments, parks, organization departments.

    `path` holds the primary keys from the root, like "/3/17/42/", so a subtree is a prefix.
    """

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=UnitKind.choices, default=UnitKind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="units")
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_under_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:unit_detail", args=[self.pk])

    @property
    def is_functional_department(self) -> bool:
        return self.kind == UnitKind.FUNCTIONAL_DEPARTMENT
