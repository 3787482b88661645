from django.urls import path

from frontline.ledger import views

app_name = "ledger"
urlpatterns = [
    path("problems/", views.problem_list_view, name="problem_list"),
]
