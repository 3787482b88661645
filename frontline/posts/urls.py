from django.urls import path

from frontline.posts import views

app_name = "posts"
urlpatterns = [
    path("", views.post_list_view, name="list"),
    path("<int:pk>/", views.post_detail_view, name="detail"),
]
