from django.urls import path

from frontline.posts import views

app_name = "posts"
urlpatterns = [
    path("", views.post_list_view, name="list"),
    path("new/", views.post_create_view, name="create"),
    path("<int:pk>/", views.post_detail_view, name="detail"),
    path("<int:pk>/edit/", views.post_edit_view, name="edit"),
    path("<int:pk>/delete/", views.post_delete_view, name="delete"),
]
