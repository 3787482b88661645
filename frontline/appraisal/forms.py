"""Forms validate input only; every write goes through `services.py`."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from frontline.appraisal.models import (
    AppraisalScheme,
    FlagStatus,
    Indicator,
    InputSource,
    Normalization,
    PeriodKind,
    RaterKind,
)
from frontline.appraisal.services import DimensionData, InputData
from frontline.dispatch.models import Campaign
from frontline.posts.models import Post

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
BLANK = [("", "—")]


class SchemeCreateForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("选派行动"), queryset=Campaign.objects.none())
    name = forms.CharField(label=_("方案名称"), max_length=100, initial=_("月度量化考评"))

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]


class SchemeForm(forms.Form):
    """A scheme's name, classes, project-ranking weights and dimensions with their inputs.

    The dimensions and inputs are flat, numbered fields (`d0_name`, `d0_in1_share` …) so the form
    works without JavaScript on a phone: one empty dimension and one empty input per dimension are
    offered to add a row; a dimension left without a name, or an input without a source, is dropped.
    """

    name = forms.CharField(label=_("方案名称"), max_length=100)
    project_weight_progress = forms.IntegerField(label=_("项目进度权重"), min_value=0, max_value=100)
    project_weight_quality = forms.IntegerField(label=_("项目质量权重"), min_value=0, max_value=100)
    project_weight_service = forms.IntegerField(label=_("项目服务权重"), min_value=0, max_value=100)
    red_flag_count = forms.IntegerField(label=_("红旗项目数"), min_value=0, max_value=1000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, dimension_rows: int, input_rows: int, band_rows: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dimension_count = dimension_rows
        self.input_count = input_rows
        self.band_count = band_rows
        for b in range(band_rows):
            self.fields[f"b{b}_code"] = forms.SlugField(label=_("等次代码"), max_length=20, required=False)
            self.fields[f"b{b}_label"] = forms.CharField(label=_("等次名称"), max_length=20, required=False)
            self.fields[f"b{b}_min_score"] = forms.DecimalField(
                label=_("最低分"), min_value=0, max_value=100, decimal_places=2, required=False
            )
        for d in range(dimension_rows):
            self.fields[f"d{d}_code"] = forms.SlugField(label=_("代码"), max_length=40, required=False)
            self.fields[f"d{d}_name"] = forms.CharField(label=_("维度名称"), max_length=50, required=False)
            self.fields[f"d{d}_weight"] = forms.DecimalField(
                label=_("权重"), min_value=0, max_value=100, decimal_places=2, required=False
            )
            self.fields[f"d{d}_description"] = forms.CharField(label=_("说明"), max_length=300, required=False)
            for i in range(input_rows):
                prefix = f"d{d}_in{i}_"
                self.fields[prefix + "source"] = forms.ChoiceField(
                    label=_("来源"), choices=BLANK + list(InputSource.choices), required=False
                )
                self.fields[prefix + "indicator"] = forms.ChoiceField(
                    label=_("台账指标"), choices=BLANK + list(Indicator.choices), required=False
                )
                self.fields[prefix + "rater_kind"] = forms.ChoiceField(
                    label=_("评价人类型"), choices=[("", _("全部评价人")), *list(RaterKind.choices)], required=False
                )
                self.fields[prefix + "share"] = forms.DecimalField(
                    label=_("占比（%）"), min_value=0, max_value=100, decimal_places=2, required=False
                )
                self.fields[prefix + "normalization"] = forms.ChoiceField(
                    label=_("归一化"),
                    choices=Normalization.choices,
                    initial=Normalization.PEER_PERCENTILE,
                    required=False,
                )

    @staticmethod
    def initial_for(scheme: AppraisalScheme, dimensions: list[Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": scheme.name,
            "project_weight_progress": scheme.project_weight_progress,
            "project_weight_quality": scheme.project_weight_quality,
            "project_weight_service": scheme.project_weight_service,
            "red_flag_count": scheme.red_flag_count,
            "version": scheme.version,
        }
        for b, band in enumerate(scheme.bands or []):
            initial[f"b{b}_code"] = band.get("code", "")
            initial[f"b{b}_label"] = band.get("label", "")
            initial[f"b{b}_min_score"] = band.get("min_score")
        for d, dimension in enumerate(dimensions):
            initial[f"d{d}_code"] = dimension.code
            initial[f"d{d}_name"] = dimension.name
            initial[f"d{d}_weight"] = dimension.weight
            initial[f"d{d}_description"] = dimension.description
            for i, item in enumerate(dimension.inputs.all()):
                prefix = f"d{d}_in{i}_"
                initial[prefix + "source"] = item.source
                initial[prefix + "indicator"] = item.indicator
                initial[prefix + "rater_kind"] = item.rater_kind
                initial[prefix + "share"] = item.share
                initial[prefix + "normalization"] = item.normalization
        return initial

    def band_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"b{b}_{name}"] for name in ("code", "label", "min_score")] for b in range(self.band_count)]

    def dimension_rows(self) -> list[dict[str, Any]]:
        """Return the bound fields grouped by dimension, for the template."""
        rows = []
        for d in range(self.dimension_count):
            rows.append(
                {
                    "number": d + 1,
                    "fields": [self[f"d{d}_{name}"] for name in ("name", "code", "weight", "description")],
                    "inputs": [
                        [
                            self[f"d{d}_in{i}_{name}"]
                            for name in ("source", "indicator", "rater_kind", "share", "normalization")
                        ]
                        for i in range(self.input_count)
                    ],
                }
            )
        return rows

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for d in range(self.dimension_count):
            name = cleaned.get(f"d{d}_name")
            if name and cleaned.get(f"d{d}_weight") is None:
                self.add_error(f"d{d}_weight", _("请填写“%(name)s”的权重。") % {"name": name})
            for i in range(self.input_count):
                prefix = f"d{d}_in{i}_"
                source = cleaned.get(prefix + "source")
                if not (name and source):
                    continue
                if source == InputSource.INDICATOR and not cleaned.get(prefix + "indicator"):
                    self.add_error(prefix + "indicator", _("来源为台账指标时请选择指标。"))
                if cleaned.get(prefix + "share") is None:
                    self.add_error(prefix + "share", _("请填写该来源在维度内的占比。"))
        return cleaned

    def dimensions(self) -> list[DimensionData]:
        """Return the dimensions filled in (rows without a name are dropped)."""
        d = self.cleaned_data
        result = []
        for n in range(self.dimension_count):
            name = (d.get(f"d{n}_name") or "").strip()
            if not name:
                continue
            inputs = []
            for i in range(self.input_count):
                prefix = f"d{n}_in{i}_"
                source = d.get(prefix + "source") or ""
                if not source:
                    continue
                inputs.append(
                    InputData(
                        source=source,
                        indicator=(d.get(prefix + "indicator") or "") if source == InputSource.INDICATOR else "",
                        rater_kind=(d.get(prefix + "rater_kind") or "") if source == InputSource.STAKEHOLDER else "",
                        share=d.get(prefix + "share") or Decimal(0),
                        normalization=d.get(prefix + "normalization") or Normalization.PEER_PERCENTILE,
                    )
                )
            result.append(
                DimensionData(
                    code=(d.get(f"d{n}_code") or "").strip() or f"d{n + 1}",
                    name=name,
                    weight=d.get(f"d{n}_weight") or Decimal(0),
                    inputs=inputs,
                    description=d.get(f"d{n}_description") or "",
                )
            )
        return result

    def bands(self) -> list[dict[str, object]]:
        """Return the classes filled in, highest minimum first."""
        d = self.cleaned_data
        bands: list[dict[str, object]] = []
        for b in range(self.band_count):
            label = (d.get(f"b{b}_label") or "").strip()
            if not label:
                continue
            minimum = d.get(f"b{b}_min_score")
            bands.append(
                {
                    "code": (d.get(f"b{b}_code") or "").strip() or f"band{b + 1}",
                    "label": label,
                    "min_score": float(minimum) if minimum is not None else 0.0,
                }
            )
        bands.sort(key=lambda band: -float(str(band["min_score"])))
        return bands


class PeriodCreateForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("考核方案"), queryset=AppraisalScheme.objects.none())
    kind = forms.ChoiceField(label=_("周期"), choices=PeriodKind.choices, initial=PeriodKind.MONTH)
    start_date = forms.DateField(
        label=_("月份（季度、年度填其中任一月）"), widget=MONTH, input_formats=["%Y-%m", "%Y-%m-%d"]
    )

    def __init__(self, *args: Any, schemes: QuerySet[AppraisalScheme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes  # type: ignore[attr-defined]


class AdjustForm(forms.Form):
    new_total = forms.DecimalField(label=_("调整后得分"), min_value=0, max_value=100, decimal_places=2)
    reason = forms.CharField(label=_("调整理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("请写明调整理由。"))
        return reason


class LockForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FlagReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("核查结论"),
        choices=[(FlagStatus.CLEARED, FlagStatus.CLEARED.label), (FlagStatus.CONFIRMED, FlagStatus.CONFIRMED.label)],
    )
    note = forms.CharField(label=_("核查意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class InspectionForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("选派行动"), queryset=Campaign.objects.none())
    inspected_on = forms.DateField(label=_("督查日期"), widget=DATE)
    task_completion = forms.IntegerField(label=_("看任务完成度（0–100）"), min_value=0, max_value=100)
    enterprise_evaluation = forms.IntegerField(label=_("听企业评价（0–100）"), min_value=0, max_value=100)
    ledger_check = forms.IntegerField(label=_("查台账记录（0–100）"), min_value=0, max_value=100)
    unannounced = forms.BooleanField(
        label=_("四不两直"), required=False, help_text=_("不发通知、不打招呼、不听汇报、不用陪同，直奔基层、直插现场")
    )
    notes = forms.CharField(label=_("督查记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]


class StakeholderRatingForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("选派行动"), queryset=Campaign.objects.none())
    rater_kind = forms.ChoiceField(label=_("评价人类型"), choices=RaterKind.choices)
    rater_name = forms.CharField(label=_("评价人（企业或个人）"), max_length=100, required=False)
    score = forms.TypedChoiceField(
        label=_("评分"), coerce=int, choices=[(n, f"{n} ★") for n in range(5, 0, -1)], initial=5
    )
    rated_on = forms.DateField(label=_("评价日期"), widget=DATE)
    comment = forms.CharField(
        label=_("评价意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]


class SuggestionForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    content = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}))


class AdoptForm(forms.Form):
    note = forms.CharField(label=_("采纳说明"), max_length=300, required=False)


class PerformanceNoteForm(forms.Form):
    entry_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    text = forms.CharField(label=_("说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_on = forms.DateField(label=_("日期"), required=False, widget=DATE)


class ProjectAssessmentForm(forms.Form):
    post = forms.ModelChoiceField(label=_("项目"), queryset=Post.objects.none())
    progress_score = forms.DecimalField(label=_("进度得分（0–100）"), min_value=0, max_value=100, decimal_places=2)
    quality_score = forms.DecimalField(label=_("质量得分（0–100）"), min_value=0, max_value=100, decimal_places=2)
    notes = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, posts: QuerySet[Post], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts  # type: ignore[attr-defined]
