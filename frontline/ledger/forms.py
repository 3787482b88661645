"""Forms of the ledger pages: they validate input only; writes go through the services."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from frontline.ledger.models import (
    HolidayKind,
    ListKind,
    MatchmakingStatus,
    ProblemCategory,
    ProblemSource,
    ProblemStatus,
    RequesterKind,
)
from frontline.org.models import Unit
from frontline.posts.models import Post


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类型"), choices=HolidayKind.choices)
    name = forms.CharField(label=_("名称"), max_length=50, required=False)


class YearConfirmForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("依据（如国务院办公厅通知文号）"), max_length=200, required=False)


class ProblemForm(forms.Form):
    """The short form: post, category and a description are enough."""

    post = forms.ModelChoiceField(label=_("阵地"), queryset=Post.objects.none())
    category = forms.ModelChoiceField(label=_("问题类别"), queryset=ProblemCategory.objects.none())
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    requester_kind = forms.ChoiceField(label=_("诉求人类型"), choices=RequesterKind.choices)
    requester_name = forms.CharField(label=_("诉求人（企业或群众）"), max_length=100, required=False)
    requester_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    source = forms.ChoiceField(label=_("来源"), choices=ProblemSource.choices, initial=ProblemSource.VISIT)
    solution_plan = forms.CharField(
        label=_("解决方案（一个难题、一套方案）"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, posts: QuerySet[Post], categories: QuerySet[ProblemCategory], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts  # type: ignore[attr-defined]
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]


class VisitForm(forms.Form):
    """A visit in a few taps: only the post is required."""

    post = forms.ModelChoiceField(label=_("走访阵地"), queryset=Post.objects.none())
    visited_at = forms.DateTimeField(
        label=_("走访时间"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    whom = forms.CharField(label=_("走访对象"), max_length=100, required=False)
    findings = forms.CharField(label=_("了解情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    problem_category = forms.ModelChoiceField(
        label=_("发现的问题类别（可不填）"), queryset=ProblemCategory.objects.none(), required=False
    )
    problem_description = forms.CharField(
        label=_("发现的问题（可不填）"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    latitude = forms.FloatField(label=_("纬度（可不填）"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("经度（可不填）"), required=False, min_value=-180, max_value=180)
    photo = forms.FileField(label=_("照片（可不填）"), required=False)

    def __init__(self, *args: Any, posts: QuerySet[Post], categories: QuerySet[ProblemCategory], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts  # type: ignore[attr-defined]
        self.fields["problem_category"].queryset = categories  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("problem_description") and not data.get("problem_category"):
            self.add_error("problem_category", _("填写了问题，请选择问题类别。"))
        return data


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=20)
    version = forms.IntegerField()
    note = forms.CharField(required=False, max_length=2000)
    resolution = forms.CharField(required=False, max_length=5000)
    department = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False)
    public = forms.BooleanField(required=False)

    def __init__(self, *args: Any, departments: QuerySet[Unit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class ProblemFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词或查询码"), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *ProblemStatus.choices], required=False)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=ProblemCategory.objects.all(), required=False, empty_label=_("全部类别")
    )
    source = forms.ChoiceField(label=_("来源"), choices=[("", _("全部来源")), *ProblemSource.choices], required=False)
    overdue = forms.BooleanField(label=_("仅超期"), required=False)
    sent_back = forms.BooleanField(label=_("有退单"), required=False)
    unconfirmed_close = forms.BooleanField(label=_("未经确认关闭"), required=False)
    created_from = forms.DateField(label=_("登记自"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("登记至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PublicRequestForm(forms.Form):
    """What an enterprise or resident types on a post's public page (no account)."""

    requester_kind = forms.ChoiceField(
        label=_("您是"), choices=[(RequesterKind.RESIDENT, _("群众")), (RequesterKind.ENTERPRISE, _("企业"))]
    )
    category = forms.ModelChoiceField(label=_("问题类别"), queryset=ProblemCategory.objects.none())
    description = forms.CharField(label=_("您的诉求"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    requester_name = forms.CharField(label=_("称呼或企业名称（可不填）"), max_length=100, required=False)
    requester_phone = forms.CharField(label=_("联系电话（可不填，仅工作人员可见）"), max_length=20, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, categories: QuerySet[ProblemCategory], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[(5, _("5 非常满意")), (4, _("4 满意")), (3, _("3 一般")), (2, _("2 不满意")), (1, _("1 很不满意"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("意见（可不填）"), max_length=500, required=False)


class ListItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("清单"), choices=ListKind.choices)
    post = forms.ModelChoiceField(label=_("阵地"), queryset=Post.objects.none())
    title = forms.CharField(label=_("名称"), max_length=100)
    quantity = forms.CharField(label=_("数量或规模"), max_length=100, required=False)
    holder = forms.CharField(label=_("提供方或需求方"), max_length=100, required=False)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, posts: QuerySet[Post], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts  # type: ignore[attr-defined]


class MatchOutcomeForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=MatchmakingStatus.choices)
    outcome = forms.CharField(label=_("成效"), max_length=300, required=False)
    amount = forms.DecimalField(label=_("金额（万元）"), required=False, min_value=0, max_digits=14, decimal_places=2)
