from django.urls import path

from frontline.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("audit/", views.audit_log, name="audit_log"),
]
