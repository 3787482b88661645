from django.urls import path

from frontline.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("campaigns/", views.campaign_list_view, name="campaign_list"),
]
