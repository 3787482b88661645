"""Forms validate input only; every write goes through a service."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from frontline.cadres.models import Cadre, ExpertiseTag, Rank
from frontline.cadres.selectors import cadre_list
from frontline.core.models import User
from frontline.dispatch.models import (
    Campaign,
    CampaignStatus,
    DeploymentRole,
    FrontlineKind,
    MatchingRuleKind,
    ResponsibilityLevel,
    WorkingGroup,
)
from frontline.dispatch.selectors import campaign_list, role_list
from frontline.org.models import Unit
from frontline.org.selectors import unit_list
from frontline.posts.models import Post, PostKind
from frontline.posts.selectors import post_list

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RANK_CHOICES = [("", "—"), *[(str(value), label) for value, label in Rank.choices]]


class CadreChoiceField(forms.ModelChoiceField[Cadre]):
    def label_from_instance(self, obj: Cadre) -> str:
        return f"{obj.name}（{obj.home_unit}）"


class CadreMultipleChoiceField(forms.ModelMultipleChoiceField[Cadre]):
    def label_from_instance(self, obj: Cadre) -> str:
        return f"{obj.name}（{obj.home_unit}）"


class PostChoiceField(forms.ModelChoiceField[Post]):
    def label_from_instance(self, obj: Post) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("行动名称"), max_length=100)
    organizing_unit = forms.ModelChoiceField(label=_("组织单位"), queryset=Unit.objects.none())
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(label=_("结束日期"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("状态"), choices=CampaignStatus.choices, initial=CampaignStatus.DRAFT)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea)
    target_enterprise = forms.IntegerField(label=_("进企业目标人数"), min_value=0, required=False)
    target_project = forms.IntegerField(label=_("进项目目标人数"), min_value=0, required=False)
    target_village = forms.IntegerField(label=_("进乡村目标人数"), min_value=0, required=False)
    target_community = forms.IntegerField(label=_("进社区目标人数"), min_value=0, required=False)
    weight_department = forms.IntegerField(label=_("优先单位权重"), min_value=0, initial=100)
    weight_expertise = forms.IntegerField(label=_("专长权重（每个标签）"), min_value=0, initial=40)
    weight_distance_per_km = forms.IntegerField(label=_("距离权重（每公里）"), min_value=0, initial=2)
    weight_continuity = forms.IntegerField(label=_("连续性权重"), min_value=0, initial=60)
    max_distance_km = forms.IntegerField(label=_("最远距离（公里，留空不限）"), min_value=1, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizing_unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]

    def targets(self) -> dict[str, int]:
        return {kind: self.cleaned_data.get(f"target_{kind}") or 0 for kind in FrontlineKind.values}

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(campaign, name)
            for name in (
                "name",
                "organizing_unit",
                "start_date",
                "end_date",
                "status",
                "description",
                "weight_department",
                "weight_expertise",
                "weight_distance_per_km",
                "weight_continuity",
                "max_distance_km",
                "version",
            )
        }
        for kind, target in campaign.targets.values_list("kind", "target"):
            initial[f"target_{kind}"] = target
        return initial


class WorkingGroupForm(forms.Form):
    name = forms.CharField(label=_("工作组名称"), max_length=100)
    leader = CadreChoiceField(label=_("组长"), queryset=Cadre.objects.none())
    members = CadreMultipleChoiceField(
        label=_("成员"), queryset=Cadre.objects.none(), required=False, help_text=_("组长自动计为成员")
    )
    post = PostChoiceField(label=_("服务阵地"), queryset=Post.objects.none(), required=False)
    forms_party_branch = forms.BooleanField(label=_("成立临时党支部（需至少 3 名党员）"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cadres = cadre_list(user=user)
        self.fields["leader"].queryset = cadres  # type: ignore[attr-defined]
        self.fields["members"].queryset = cadres  # type: ignore[attr-defined]
        self.fields["post"].queryset = post_list(user=user)  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(group: WorkingGroup) -> dict[str, Any]:
        return {
            "name": group.name,
            "leader": group.leader,
            "members": list(group.members.all()),
            "post": group.post,
            "forms_party_branch": group.forms_party_branch,
            "version": group.version,
        }


def _roles_for(post: Post | None) -> QuerySet[DeploymentRole]:
    roles = role_list()
    if post is None:
        return roles
    return roles.filter(pk__in=[r.pk for r in roles if r.applies_to(post.kind)])


class DeploymentForm(forms.Form):
    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    post = PostChoiceField(label=_("阵地"), queryset=Post.objects.none())
    role = forms.ModelChoiceField(label=_("角色"), queryset=DeploymentRole.objects.none())
    campaign = forms.ModelChoiceField(label=_("行动"), queryset=Campaign.objects.none(), required=False)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    planned_end = forms.DateField(label=_("计划结束"), required=False, widget=DATE)
    is_full_time = forms.BooleanField(label=_("全脱产"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadre_list(user=user)  # type: ignore[attr-defined]
        self.fields["post"].queryset = post_list(user=user)  # type: ignore[attr-defined]
        self.fields["role"].queryset = role_list()  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = campaign_list(user=user)  # type: ignore[attr-defined]


class DeploymentEndForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE)
    note = forms.CharField(label=_("原因"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DeploymentExtendForm(forms.Form):
    planned_end = forms.DateField(label=_("延期至"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DeploymentTransferForm(forms.Form):
    post = PostChoiceField(label=_("新阵地"), queryset=Post.objects.none())
    role = forms.ModelChoiceField(label=_("新角色"), queryset=DeploymentRole.objects.none(), required=False)
    on = forms.DateField(label=_("调岗日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = post_list(user=user)  # type: ignore[attr-defined]
        self.fields["role"].queryset = role_list()  # type: ignore[attr-defined]


class PostNeedForm(forms.Form):
    role = forms.ModelChoiceField(label=_("角色"), queryset=DeploymentRole.objects.none())
    min_count = forms.IntegerField(label=_("最少人数"), min_value=0, initial=1)
    max_count = forms.IntegerField(label=_("最多人数"), min_value=1, initial=1)
    preferred_units = forms.ModelMultipleChoiceField(
        label=_("希望的派出单位（职能部门）"), queryset=Unit.objects.none(), required=False
    )
    expertise = forms.ModelMultipleChoiceField(label=_("专长"), queryset=ExpertiseTag.objects.all(), required=False)
    rank_min = forms.TypedChoiceField(
        label=_("最低职级"), choices=RANK_CHOICES, required=False, coerce=int, empty_value=None
    )
    rank_max = forms.TypedChoiceField(
        label=_("最高职级"), choices=RANK_CHOICES, required=False, coerce=int, empty_value=None
    )
    min_party_members = forms.IntegerField(label=_("至少党员人数"), min_value=0, initial=0)
    max_distance_km = forms.IntegerField(label=_("最远距离（公里）"), min_value=1, required=False)
    campaign = forms.ModelChoiceField(
        label=_("所属行动"), queryset=Campaign.objects.none(), required=False, help_text=_("留空：任何行动都可满足")
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, post: Post, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = _roles_for(post)  # type: ignore[attr-defined]
        self.fields["preferred_units"].queryset = unit_list(user=user)  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = campaign_list(user=user)  # type: ignore[attr-defined]


class RequesterNeedForm(forms.Form):
    """The enterprise's own short form: which department would you most like a cadre from?"""

    preferred_unit = forms.ModelChoiceField(
        label=_("您最希望哪个部门的干部来？"), queryset=Unit.objects.none(), required=False, empty_label=_("（不限）")
    )
    note = forms.CharField(
        label=_("遇到什么困难、需要什么帮助？"), widget=forms.Textarea, required=False, max_length=1000
    )
    contact_name = forms.CharField(label=_("联系人（称呼即可）"), max_length=50, required=False)

    def __init__(self, *args: Any, departments: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_unit"].queryset = departments  # type: ignore[attr-defined]


class ResponsibilityForm(forms.Form):
    post = PostChoiceField(
        label=_("项目"), queryset=Post.objects.none(), help_text=_("重点项目由班子成员包保，子项目由副科级干部包保")
    )
    level = forms.ChoiceField(label=_("包保层级"), choices=ResponsibilityLevel.choices)
    cadre = CadreChoiceField(label=_("包保人"), queryset=Cadre.objects.none())
    campaign = forms.ModelChoiceField(label=_("所属行动"), queryset=Campaign.objects.none(), required=False)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(label=_("计划结束"), required=False, widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = post_list(user=user, kind=PostKind.PROJECT)  # type: ignore[attr-defined]
        self.fields["cadre"].queryset = cadre_list(user=user)  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = campaign_list(user=user)  # type: ignore[attr-defined]


class ResponsibilityEndForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE)
    note = forms.CharField(label=_("原因"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RunStartForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("人员范围：派出单位（含下级；留空为全部）"), queryset=Unit.objects.none(), required=False
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("人员范围：具备任一专长（留空不限）"), queryset=ExpertiseTag.objects.all(), required=False
    )
    full_time = forms.BooleanField(label=_("全脱产选派"), required=False, initial=True)
    start_date = forms.DateField(label=_("到岗日期（留空为今天或行动开始日）"), required=False, widget=DATE)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = unit_list(user=user)  # type: ignore[attr-defined]


class AdjustForm(forms.Form):
    cadre = forms.IntegerField(widget=forms.HiddenInput)
    post = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=MatchingRuleKind.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由"), max_length=200, required=False)
