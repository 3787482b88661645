from django.urls import path

from frontline.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list_view, name="unit_list"),
    path("units/new/", views.unit_create_view, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail_view, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit_view, name="unit_edit"),
    path("regions/", views.region_list_view, name="region_list"),
    path("regions/new/", views.region_create_view, name="region_create"),
    path("regions/<str:code>/", views.region_detail_view, name="region_detail"),
    path("regions/<str:code>/edit/", views.region_edit_view, name="region_edit"),
]
