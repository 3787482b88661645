"""Forms of the ledger pages: they validate input only; writes go through the services."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from frontline.ledger.models import (
    HolidayKind,
    ListKind,
    MatchmakingStatus,
    MeasureStatus,
    Problem,
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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _check_attachments(field: str, form: forms.Form, files: list[Any]) -> list[Any]:
    """Return the uploads checked by content (attachments.CheckedFile); add the reasons as field errors."""
    from frontline.ledger.attachments import AttachmentError, attachment_validate, max_per_problem

    if len(files) > max_per_problem():
        form.add_error(field, _("每个问题最多 %(n)s 个附件。") % {"n": max_per_problem()})
        return []
    checked = []
    for upload in files:
        try:
            checked.append(attachment_validate(upload))
        except AttachmentError as exc:
            form.add_error(field, exc.message)
    return checked


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
    attachments = MultipleFileField(label=_("附件（可不填）"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, posts: QuerySet[Post], categories: QuerySet[ProblemCategory], **kwargs: Any):
        from frontline.ledger.attachments import allowed_types_text

        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts  # type: ignore[attr-defined]
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["attachments"].help_text = allowed_types_text()

    def clean_attachments(self) -> list[Any]:
        return _check_attachments("attachments", self, self.cleaned_data.get("attachments") or [])


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
    post = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


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


class AttachmentForm(forms.Form):
    """One file for a problem, from its page."""

    file = forms.FileField(label=_("附件"))
    public = forms.BooleanField(label=_("向诉求人公开（可在查询页下载）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        from frontline.ledger.attachments import allowed_types_text

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = allowed_types_text()

    def clean_file(self) -> Any:
        checked = _check_attachments("file", self, [self.cleaned_data["file"]])
        return checked[0] if checked else None


# --- Enterprise plans (一企一策) ---------------------------------------------------------------


class PlanFilterForm(forms.Form):
    q = forms.CharField(label=_("企业或标题"), required=False)
    department = forms.ModelChoiceField(
        label=_("责任部门"), queryset=Unit.objects.none(), required=False, empty_label=_("全部责任部门")
    )
    overdue_measures = forms.BooleanField(label=_("有超期措施"), required=False)
    open_problems = forms.BooleanField(label=_("有未办结问题"), required=False)

    def __init__(self, *args: Any, departments: QuerySet[Unit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class PlanCreateForm(forms.Form):
    post = forms.ModelChoiceField(label=_("企业"), queryset=Post.objects.none())
    title = forms.CharField(label=_("标题（可不填，默认“企业名称一企一策”）"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("概述"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    def __init__(self, *args: Any, posts: QuerySet[Post], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    summary = forms.CharField(
        label=_("概述"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class MeasureForm(forms.Form):
    """A measure as a plan editor writes it; `version` is the plan's."""

    text = forms.CharField(label=_("措施"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=Unit.objects.none())
    due_date = forms.DateField(
        label=_("完成时限（可不填）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("状态"), choices=MeasureStatus.choices, initial=MeasureStatus.PLANNED)
    problem = forms.ModelChoiceField(
        label=_("针对的问题（可不填）"),
        queryset=Problem.objects.none(),
        required=False,
        empty_label=_("不针对单个问题"),
    )
    position = forms.IntegerField(label=_("序号（可不填，默认排在最后）"), required=False, min_value=1, max_value=1000)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, departments: QuerySet[Unit], problems: QuerySet[Problem], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["problem"].queryset = problems  # type: ignore[attr-defined]


class MeasureStatusForm(forms.Form):
    """What the responsible department may change: the status."""

    status = forms.ChoiceField(label=_("状态"), choices=MeasureStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)
