from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "frontline.cadres"
    label = "cadres"
    verbose_name = _("干部")
