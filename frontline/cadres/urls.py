from django.urls import path

from frontline.cadres import views

app_name = "cadres"
urlpatterns = [
    path("", views.cadre_list_view, name="list"),
    path("new/", views.cadre_create_view, name="create"),
    path("<int:pk>/", views.cadre_detail_view, name="detail"),
    path("<int:pk>/edit/", views.cadre_update_view, name="update"),
    path("<int:pk>/delete/", views.cadre_delete_view, name="delete"),
    path("<int:pk>/sensitive/", views.cadre_sensitive_view, name="sensitive"),
]
