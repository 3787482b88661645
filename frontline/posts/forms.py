"""Forms validate input only; every write goes through frontline.posts.services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.core.models import User
from frontline.org.models import Unit
from frontline.org.selectors import unit_list
from frontline.posts.models import EnterpriseSize, Post, PostKind, ProjectStage
from frontline.posts.selectors import post_parent_choices
from frontline.posts.services import PostData

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A select with more options than this is no help; a sub-project or grid is usually added from
# its parent's page (?parent=…), which always puts that parent among the options.
PARENT_OPTIONS_LIMIT = 500

# (legend, field names): one form for every kind, grouped so a person sees which fields apply.
FIELDSETS: list[tuple[Any, tuple[str, ...]]] = [
    (_("基本信息"), ("kind", "name", "region", "unit", "parent", "is_key", "address", "latitude", "longitude")),
    (_("企业（仅企业填写）"), ("uscc", "industry", "size")),
    (_("项目（仅项目填写）"), ("investment", "stage", "planned_start", "actual_start")),
    (_("村、社区、网格、楼栋"), ("households",)),
    (_("说明"), ("description",)),
]


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return "　" * min(obj.depth, 6) + obj.name


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PostKind.choices)
    name = forms.CharField(label=_("名称"), max_length=200)
    region = forms.CharField(
        label=_("所在区划代码"),
        max_length=12,
        help_text=_("12 位统计用区划代码或其前缀，如 420222103 表示阳新县韦源口镇。"),
    )
    unit = UnitChoiceField(label=_("管理单位"), queryset=Unit.objects.none(), empty_label=_("—（请选择）"))
    parent = forms.ModelChoiceField(
        label=_("上级"),
        queryset=Post.objects.none(),
        required=False,
        help_text=_("子项目选所属项目，网格选所属村或社区，楼栋选所属网格；其他类型留空。"),
    )
    is_key = forms.BooleanField(label=_("重点（重点项目、重点企业）"), required=False)
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    latitude = forms.FloatField(label=_("纬度"), required=False)
    longitude = forms.FloatField(label=_("经度"), required=False)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    industry = forms.CharField(label=_("行业"), max_length=100, required=False)
    size = forms.ChoiceField(label=_("规模"), choices=[("", "—"), *EnterpriseSize.choices], required=False)
    investment = forms.DecimalField(label=_("总投资（万元）"), max_digits=14, decimal_places=2, required=False)
    stage = forms.ChoiceField(label=_("阶段"), choices=[("", "—"), *ProjectStage.choices], required=False)
    planned_start = forms.DateField(label=_("计划开工"), required=False, widget=DATE)
    actual_start = forms.DateField(label=_("实际开工"), required=False, widget=DATE)
    households = forms.IntegerField(label=_("户数"), required=False)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, post: Post | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]
        parents = post_parent_choices(user=user)
        if post is not None:
            parents = parents.exclude(pk=post.pk)  # deeper loops are refused by the service
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        options = list(parents.order_by("kind", "name", "id")[:PARENT_OPTIONS_LIMIT])
        wanted = self._initial_parent_id()
        if wanted is not None and all(p.pk != wanted for p in options):
            options += list(parents.filter(pk=wanted))
        self.fields["parent"].choices = [  # type: ignore[attr-defined]
            ("", _("—（无上级）")),
            *[(p.pk, f"{p.name}（{p.get_kind_display()}）") for p in options],
        ]

    def _initial_parent_id(self) -> int | None:
        value: Any = self.data.get("parent") if self.is_bound else self.initial.get("parent")
        if isinstance(value, Post):
            return value.pk
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in FIELDSETS]

    @staticmethod
    def initial_for(post: Post) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(post, name)
            for name in (
                "kind",
                "name",
                "unit",
                "is_key",
                "address",
                "latitude",
                "longitude",
                "uscc",
                "industry",
                "size",
                "investment",
                "stage",
                "planned_start",
                "actual_start",
                "households",
                "description",
                "version",
            )
        }
        initial["region"] = post.region_id
        initial["parent"] = post.parent_id
        return initial

    def to_data(self) -> PostData:
        d = self.cleaned_data
        unit: Unit = d["unit"]
        parent: Post | None = d["parent"]
        return PostData(
            kind=d["kind"],
            name=d["name"],
            region_code=d["region"],
            unit_id=unit.pk,
            parent_id=parent.pk if parent else None,
            address=d["address"],
            latitude=d["latitude"],
            longitude=d["longitude"],
            is_key=d["is_key"],
            description=d["description"],
            uscc=d["uscc"],
            industry=d["industry"],
            size=d["size"],
            investment=d["investment"],
            stage=d["stage"],
            planned_start=d["planned_start"],
            actual_start=d["actual_start"],
            households=d["households"],
        )


class PostDeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
