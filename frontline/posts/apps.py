from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "frontline.posts"
    label = "posts"
    verbose_name = _("一线阵地")
