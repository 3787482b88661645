"""Forms validate input only; every write goes through a service."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from frontline.appraisal.models import CadreScore, PeriodStatus
from frontline.cadres.models import Cadre, Rank
from frontline.cadres.selectors import cadre_list
from frontline.core.models import User
from frontline.dispatch.models import Campaign
from frontline.dispatch.selectors import campaign_list
from frontline.talent.models import MeritKind, PromotionKind, ReservePoolEntry, ReserveStatus
from frontline.talent.rules import MAX_MONTHS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RANK_CHOICES = [("", "—"), *[(str(value), label) for value, label in Rank.choices]]


class CadreChoiceField(forms.ModelChoiceField[Cadre]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "—")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Cadre) -> str:
        return f"{obj.name}（{obj.home_unit}）"


class ScoreChoiceField(forms.ModelMultipleChoiceField[CadreScore]):
    def label_from_instance(self, obj: CadreScore) -> str:
        label = gettext("%(campaign)s %(period)s：%(total)s 分") % {
            "campaign": obj.period.scheme.campaign.name,
            "period": obj.period.label,
            "total": obj.total,
        }
        if obj.rank_in_group:
            label += gettext("，同类第 %(rank)s/%(size)s") % {"rank": obj.rank_in_group, "size": obj.group_size}
        return label


def _scoped_cadres(user: User) -> QuerySet[Cadre]:
    return cadre_list(user=user).order_by("name", "id")


class NominateForm(forms.Form):
    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    reason = forms.CharField(
        label=_("推荐理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明实绩、群众评价和考核结果等依据"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = _scoped_cadres(user)  # type: ignore[attr-defined]


class CandidatesForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("行动"), queryset=Campaign.objects.none())
    months = forms.IntegerField(label=_("连续月数"), min_value=1, max_value=MAX_MONTHS, initial=3)
    top_percent = forms.DecimalField(
        label=_("位列同类前（%）"), min_value=Decimal(1), max_value=Decimal(50), decimal_places=1, initial=10
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_list(user=user)  # type: ignore[attr-defined]

    @property
    def top_share(self) -> Decimal:
        return Decimal(self.cleaned_data["top_percent"]) / 100


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class CadrePickForm(forms.Form):
    """The first step of a promotion or merit: whose (the form that follows shows their results)."""

    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = _scoped_cadres(user)  # type: ignore[attr-defined]


def _locked_scores(cadre: Cadre) -> QuerySet[CadreScore]:
    return (
        CadreScore.objects.filter(cadre=cadre, period__status=PeriodStatus.LOCKED)
        .select_related("period", "period__scheme", "period__scheme__campaign")
        .order_by("-period__start_date", "-id")
    )


class PromotionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PromotionKind.choices)
    to_position = forms.CharField(label=_("新职务"), max_length=100, required=False)
    to_rank = forms.TypedChoiceField(
        label=_("新职级"), choices=RANK_CHOICES, required=False, coerce=int, empty_value=None
    )
    effective_on = forms.DateField(label=_("任职时间"), widget=DATE)
    decision_body = forms.CharField(label=_("决定机关"), max_length=100, help_text=_("如：中共曾都区委常委会"))
    decision_ref = forms.CharField(label=_("文号"), max_length=100, required=False)
    evidence = forms.CharField(
        label=_("实绩依据"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("写明所依据的实绩和考核结果")
    )
    scores = ScoreChoiceField(
        label=_("依据的考核结果"),
        queryset=CadreScore.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只列已锁定考核期的结果"),
    )
    reserve_entry = forms.ModelChoiceField(
        label=_("后备干部库条目"), queryset=ReservePoolEntry.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, cadre: Cadre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scores"].queryset = _locked_scores(cadre)  # type: ignore[attr-defined]
        self.fields["reserve_entry"].queryset = ReservePoolEntry.objects.filter(  # type: ignore[attr-defined]
            cadre=cadre, status=ReserveStatus.APPROVED
        ).select_related("cadre")


class MeritForm(forms.Form):
    kind = forms.ChoiceField(label=_("奖励类型"), choices=MeritKind.choices)
    title = forms.CharField(label=_("名称"), max_length=100, required=False, help_text=_("表彰须填写荣誉称号"))
    awarded_on = forms.DateField(label=_("奖励时间"), widget=DATE)
    awarding_body = forms.CharField(label=_("奖励机关"), max_length=100)
    reason = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label=_("实绩依据"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    scores = ScoreChoiceField(
        label=_("依据的考核结果"),
        queryset=CadreScore.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只列已锁定考核期的结果"),
    )

    def __init__(self, *args: Any, cadre: Cadre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scores"].queryset = _locked_scores(cadre)  # type: ignore[attr-defined]
