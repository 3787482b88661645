from django.urls import path

from frontline.talent import views

app_name = "talent"
urlpatterns = [
    path("reserve/", views.reserve_list_view, name="reserve_list"),
    path("reserve/export.xlsx", views.reserve_export_view, name="reserve_export"),
    path("reserve/new/", views.reserve_nominate_view, name="reserve_nominate"),
    path("reserve/candidates/", views.reserve_candidates_view, name="reserve_candidates"),
    path("reserve/<int:pk>/", views.reserve_detail_view, name="reserve_detail"),
    path("reserve/<int:pk>/<str:action>/", views.reserve_decide_view, name="reserve_decide"),
    path("promotions/", views.promotion_list_view, name="promotion_list"),
    path("promotions/new/", views.promotion_create_view, name="promotion_create"),
    path("merits/", views.merit_list_view, name="merit_list"),
    path("merits/new/", views.merit_create_view, name="merit_create"),
    path("cadres/<int:cadre_id>/dossier.pdf", views.dossier_view, name="dossier"),
]
