from django.urls import path

from frontline.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list_view, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail_view, name="unit_detail"),
    path("regions/", views.region_list_view, name="region_list"),
    path("regions/<str:code>/", views.region_detail_view, name="region_detail"),
]
