"""The upload form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.excel.models import ImportKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=ImportKind.choices, initial=ImportKind.CADRES)
    file = forms.FileField(
        label=_("Excel 文件（.xlsx 或 .xls）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"}),
        allow_empty_file=True,  # the service explains what is wrong with an empty file
    )
