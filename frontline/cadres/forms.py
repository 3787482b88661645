"""Forms for the cadre registry: they check the shape of the input; services check the rules."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.cadres.models import Cadre, Gender, PoliticalStatus, Rank
from frontline.cadres.services import CadreData
from frontline.core.models import User
from frontline.org.models import LEVEL_PREFIX_LENGTH, Region, Unit
from frontline.org.selectors import unit_list

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Tags may be typed separated by commas (either width), 、, semicolons or spaces.
TAG_SEPARATORS = re.compile(r"[,，、;；\s]+")


def split_tags(text: str) -> list[str]:
    """Return the tags typed in `text`, in order, without blanks or repeats."""
    return list(dict.fromkeys(t for t in TAG_SEPARATORS.split(text or "") if t))


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    """Units in tree order, indented below the user's own unit."""

    base_depth = 0

    def label_from_instance(self, obj: Unit) -> str:
        return "　" * min(max(obj.depth - self.base_depth, 0), 6) + obj.name


def _scoped_units(field: forms.Field, user: User) -> None:
    assert isinstance(field, UnitChoiceField)
    field.queryset = unit_list(user=user).select_related(None).only("pk", "name", "depth", "path")
    field.base_depth = user.unit.depth if user.unit is not None else 0


class CadreFilterForm(forms.Form):
    """The search box and filters of the cadre list; invalid values are ignored, not shown as errors."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("姓名、拼音（如 zwq）、单位、专长，或完整身份证号、手机号")}),
    )
    unit = UnitChoiceField(label=_("派出单位"), queryset=Unit.objects.none(), required=False, empty_label=_("全部单位"))
    rank = forms.TypedChoiceField(
        label=_("职级"),
        choices=[("", _("全部职级")), *Rank.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=[("", _("全部政治面貌")), *PoliticalStatus.choices], required=False
    )
    tag = forms.CharField(
        label=_("专长"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": _("专长标签"), "aria-label": _("专长")}),
    )
    full_time = forms.TypedChoiceField(
        label=_("可全脱产"),
        choices=[("", _("全脱产不限")), ("1", _("可全脱产")), ("0", _("不可全脱产"))],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scoped_units(self.fields["unit"], user)
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)

    def filters(self) -> dict[str, Any]:
        """Return keyword arguments for `cadre_list`, dropping whatever did not validate."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        unit = data.get("unit")
        return {
            "q": data.get("q") or "",
            "unit_id": unit.pk if unit is not None else None,
            "rank": data.get("rank"),
            "political_status": data.get("political_status") or "",
            "tag": (data.get("tag") or "").strip(),
            "full_time_eligible": data.get("full_time"),
        }


class CadreForm(forms.Form):
    """Create or edit a cadre. On edit, the ID and phone show masked; left as they are, they stay."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, help_text=_("18 位居民身份证号，最后一位可为 X"))
    gender = forms.ChoiceField(
        label=_("性别"),
        choices=[("", _("按身份证号")), *Gender.choices],
        required=False,
        help_text=_("可留空，按身份证号自动填写；填写时须与身份证号一致"),
    )
    birth_date = forms.DateField(
        label=_("出生日期"), required=False, widget=DATE, help_text=_("可留空，按身份证号自动填写")
    )
    phone = forms.CharField(label=_("手机号"), max_length=30, required=False, widget=forms.TelInput)
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=PoliticalStatus.choices, initial=PoliticalStatus.PARTY_MEMBER
    )
    home_unit = UnitChoiceField(
        label=_("派出单位"),
        queryset=Unit.objects.none(),
        empty_label=_("请选择单位"),
        error_messages={"invalid_choice": _("只能选择您数据范围内的单位。")},
    )
    position = forms.CharField(label=_("职务"), max_length=100, required=False)
    rank = forms.TypedChoiceField(label=_("职级"), choices=Rank.choices, coerce=int, initial=Rank.STAFF)
    expertise = forms.CharField(
        label=_("专长"), max_length=500, required=False, help_text=_("多个专长用逗号、顿号或空格分隔，如：规划、建设")
    )
    full_time_eligible = forms.BooleanField(label=_("可全脱产"), required=False, initial=True)
    residence_region = forms.CharField(
        label=_("居住地区划代码"),
        max_length=12,
        required=False,
        help_text=_("统计用区划代码，如 420222103（乡镇）或 420222103000"),
    )
    home_latitude = forms.FloatField(label=_("居住地纬度"), required=False)
    home_longitude = forms.FloatField(label=_("居住地经度"), required=False)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, cadre: Cadre | None = None, **kwargs: Any) -> None:
        if cadre is not None:
            kwargs.setdefault("initial", self.initial_for(cadre))
        super().__init__(*args, **kwargs)
        self.cadre = cadre
        _scoped_units(self.fields["home_unit"], user)
        if cadre is not None:
            self.fields["id_number"].help_text = _("显示为脱敏号码；不修改则保持原号码，修改请输入完整的 18 位号码")
            self.fields["phone"].help_text = _("显示为脱敏号码；不修改则保持原号码，清空则删除手机号")

    @staticmethod
    def initial_for(cadre: Cadre) -> dict[str, Any]:
        """Return the form's initial values for `cadre`: ID and phone masked, never in clear."""
        return {
            "name": cadre.name,
            "id_number": cadre.id_number_masked,
            "gender": cadre.gender,
            "birth_date": cadre.birth_date,
            "phone": cadre.phone_masked,
            "political_status": cadre.political_status,
            "home_unit": cadre.home_unit_id,
            "position": cadre.position,
            "rank": cadre.rank,
            "expertise": "、".join(tag.name for tag in cadre.expertise.all()),
            "full_time_eligible": cadre.full_time_eligible,
            "residence_region": cadre.residence_region_id or "",
            "home_latitude": cadre.home_latitude,
            "home_longitude": cadre.home_longitude,
            "note": cadre.note,
            "version": cadre.version,
        }

    def clean_expertise(self) -> list[str]:
        return split_tags(self.cleaned_data.get("expertise") or "")

    def clean_residence_region(self) -> Region | None:
        code = (self.cleaned_data.get("residence_region") or "").strip()
        if not code:
            return None
        if not code.isdigit() or len(code) not in LEVEL_PREFIX_LENGTH.values():
            raise forms.ValidationError(_("区划代码应为 2、4、6、9 或 12 位数字。"))
        region = Region.objects.filter(code=code.ljust(12, "0")).first()
        if region is None:
            raise forms.ValidationError(_("区划代码 %(code)s 不存在，请在“行政区划”中查找。"), params={"code": code})
        return region

    def cadre_data(self, *, current: CadreData | None = None) -> CadreData:
        """Return the input as `CadreData`; a masked ID or phone left untouched keeps `current`'s value."""
        d = self.cleaned_data
        id_number: str = d["id_number"]
        phone: str = d["phone"]
        if self.cadre is not None and current is not None:
            if id_number.strip() == self.cadre.id_number_masked:
                id_number = current.id_number
            if self.cadre.phone_masked and phone.strip() == self.cadre.phone_masked:
                phone = current.phone
        return CadreData(
            name=d["name"],
            id_number=id_number,
            home_unit=d["home_unit"],
            phone=phone,
            gender=d["gender"],
            birth_date=d["birth_date"],
            political_status=d["political_status"],
            position=d["position"],
            rank=d["rank"],
            expertise=d["expertise"],
            full_time_eligible=d["full_time_eligible"],
            residence_region=d["residence_region"],
            home_latitude=d["home_latitude"],
            home_longitude=d["home_longitude"],
            note=d["note"],
        )
