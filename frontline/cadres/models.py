"""Cadres: the people who are deployed. Personal data is encrypted at rest."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE = "league", _("共青团员")
    OTHER_PARTY = "other_party", _("民主党派")
    MASSES = "masses", _("群众")


PARTY_STATUSES = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY)


class Rank(models.IntegerChoices):
    """Rank (职级) as an ordinal, so a post's need can ask for a range."""

    CLERK = 10, _("办事员")
    STAFF = 20, _("科员")
    DEPUTY_SECTION = 30, _("副科级")
    SECTION = 40, _("正科级")
    DEPUTY_DIVISION = 50, _("副处级")
    DIVISION = 60, _("正处级")
    DEPUTY_BUREAU = 70, _("副厅级")
    BUREAU = 80, _("正厅级")


class ExpertiseTag(models.Model):
    name = models.CharField(_("名称"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("专长标签")
        verbose_name_plural = _("专长标签")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Cadre(models.Model):
    """A cadre in the registry. ID number and phone are stored encrypted, with a keyed hash."""

    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, blank=True, editable=False)
    name_initials = models.CharField(_("拼音首字母"), max_length=50, blank=True, editable=False, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number_encrypted = models.TextField(_("身份证号（密文）"), editable=False)
    id_number_hash = models.CharField(_("身份证号摘要"), max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    phone_encrypted = models.TextField(_("手机号（密文）"), blank=True, editable=False)
    phone_hash = models.CharField(_("手机号摘要"), max_length=64, blank=True, editable=False, db_index=True)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)
    political_status = models.CharField(
        _("政治面貌"), max_length=16, choices=PoliticalStatus.choices, default=PoliticalStatus.PARTY_MEMBER
    )
    home_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("派出单位"), on_delete=models.PROTECT, related_name="cadres"
    )
    position = models.CharField(_("职务"), max_length=100, blank=True)
    rank = models.PositiveSmallIntegerField(_("职级"), choices=Rank.choices, default=Rank.STAFF)
    expertise = models.ManyToManyField(ExpertiseTag, verbose_name=_("专长"), blank=True, related_name="cadres")
    full_time_eligible = models.BooleanField(_("可全脱产"), default=True)
    residence_region = models.ForeignKey(
        "org.Region",
        verbose_name=_("居住地"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    home_latitude = models.FloatField(_("居住地纬度"), null=True, blank=True)
    home_longitude = models.FloatField(_("居住地经度"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )
    note = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["home_unit", "name"], name="cadre_unit_name_idx"),
            models.Index(fields=["name"], name="cadre_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cadres:detail", args=[self.pk])

    @property
    def is_party_member(self) -> bool:
        return self.political_status in PARTY_STATUSES
