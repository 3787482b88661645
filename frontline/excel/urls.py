from django.urls import path

from frontline.excel import views

app_name = "excel"
urlpatterns = [
    path("imports/", views.import_list_view, name="import_list"),
    path("imports/<int:pk>/", views.import_detail_view, name="import_detail"),
]
