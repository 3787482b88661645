"""Forms validate input only; every write goes through frontline.org.services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.core.models import User
from frontline.org.models import Region, Unit, UnitKind
from frontline.org.selectors import get_region, unit_parent_choices


class RegionCreateForm(forms.Form):
    code = forms.RegexField(
        label=_("区划代码"),
        regex=r"^\d{12}$",
        error_messages={"invalid": _("区划代码应为 12 位数字，例如 420222103000。")},
        help_text=_("12 位统计用区划代码；上级区划须已存在。"),
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    is_functional_zone = forms.BooleanField(label=_("功能区（开发区、园区等）"), required=False)


class RegionEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    is_functional_zone = forms.BooleanField(label=_("功能区（开发区、园区等）"), required=False)
    is_active = forms.BooleanField(label=_("有效（取消勾选表示已撤销）"), required=False)

    @staticmethod
    def initial_for(region: Region) -> dict[str, Any]:
        return {"name": region.name, "is_functional_zone": region.is_functional_zone, "is_active": region.is_active}


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return "　" * min(obj.depth, 6) + obj.name


class UnitForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=UnitKind.choices, initial=UnitKind.OTHER)
    parent = UnitChoiceField(
        label=_("上级单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("—（顶级单位）"),
        help_text=_("只能选择您数据范围内的单位；移动单位时其下级单位一并移动。"),
    )
    region = forms.CharField(
        label=_("所在区划代码"), max_length=12, help_text=_("12 位区划代码或其前缀，如 420222 表示阳新县。")
    )

    def __init__(self, *args: Any, user: User, unit: Unit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = unit_parent_choices(user=user, unit=unit)  # type: ignore[attr-defined]

    def clean_region(self) -> Region:
        code: str = self.cleaned_data["region"]
        region = get_region(code)
        if region is None:
            raise forms.ValidationError(_("区划代码 %(code)s 不存在，请核对。"), params={"code": code})
        return region

    @staticmethod
    def initial_for(unit: Unit) -> dict[str, Any]:
        return {"name": unit.name, "kind": unit.kind, "parent": unit.parent_id, "region": unit.region_id}
