from django.urls import path

from frontline.excel import views

app_name = "excel"
urlpatterns = [
    path("imports/", views.import_list_view, name="import_list"),
    path("imports/<int:pk>/", views.import_detail_view, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress_view, name="import_progress"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors_view, name="import_errors"),
    path("templates/cadres.xlsx", views.template_view, {"kind": "cadres"}, name="template_cadres"),
    path("templates/posts.xlsx", views.template_view, {"kind": "posts"}, name="template_posts"),
    path("export/cadres.xlsx", views.export_cadres_view, name="export_cadres"),
    path("export/posts.xlsx", views.export_posts_view, name="export_posts"),
]
