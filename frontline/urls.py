from django.contrib import admin
from django.urls import include, path

from frontline.api import api

urlpatterns = [
    path("", include("frontline.core.urls")),
    path("org/", include("frontline.org.urls")),
    path("cadres/", include("frontline.cadres.urls")),
    path("posts/", include("frontline.posts.urls")),
    path("excel/", include("frontline.excel.urls")),
    path("dispatch/", include("frontline.dispatch.urls")),
    path("ledger/", include("frontline.ledger.urls")),
    path("talent/", include("frontline.talent.urls")),
    path("appraisal/", include("frontline.appraisal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
