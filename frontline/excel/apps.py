from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExcelConfig(AppConfig):
    name = "frontline.excel"
    label = "excel"
    verbose_name = _("导入导出")
