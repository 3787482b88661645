from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "frontline.talent"
    label = "talent"
    verbose_name = _("后备干部与奖励")
