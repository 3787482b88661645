from django.urls import path

from frontline.cadres import views

app_name = "cadres"
urlpatterns = [
    path("", views.cadre_list_view, name="list"),
    path("<int:pk>/", views.cadre_detail_view, name="detail"),
]
