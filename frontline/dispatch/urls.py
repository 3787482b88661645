from django.urls import path

from frontline.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("campaigns/", views.campaign_list_view, name="campaign_list"),
    path("campaigns/new/", views.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail_view, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit_view, name="campaign_edit"),
    path("campaigns/<int:pk>/progress/", views.campaign_progress_view, name="campaign_progress"),
    path("campaigns/<int:campaign_pk>/groups/new/", views.working_group_create_view, name="group_create"),
    path("campaigns/<int:campaign_pk>/runs/new/", views.run_start_view, name="run_start"),
    path("groups/<int:pk>/edit/", views.working_group_edit_view, name="group_edit"),
    path("deployments/", views.deployment_list_view, name="deployment_list"),
    path("deployments/new/", views.deployment_create_view, name="deployment_create"),
    path("deployments/<int:pk>/", views.deployment_detail_view, name="deployment_detail"),
    path(
        "deployments/<int:pk>/<str:action>/",
        views.deployment_action_view,
        name="deployment_action",
    ),
    path("responsibilities/", views.responsibility_list_view, name="responsibility_list"),
    path("responsibilities/export.xlsx", views.responsibility_export_view, name="responsibility_export"),
    path("responsibilities/new/", views.responsibility_create_view, name="responsibility_create"),
    path("responsibilities/<int:pk>/end/", views.responsibility_end_view, name="responsibility_end"),
    path("posts/<int:post_id>/needs/", views.post_needs_view, name="post_needs"),
    path("posts/<int:post_id>/ask-link/", views.requester_link_rotate_view, name="requester_link_rotate"),
    path("posts/<int:post_id>/ask-link/withdraw/", views.requester_link_withdraw_view, name="requester_link_withdraw"),
    path("needs/<int:pk>/edit/", views.post_need_edit_view, name="need_edit"),
    path("needs/<int:pk>/delete/", views.post_need_delete_view, name="need_delete"),
    path("runs/<int:pk>/", views.run_detail_view, name="run_detail"),
    path("runs/<int:pk>/status/", views.run_status_view, name="run_status"),
    path("runs/<int:pk>/adjust/", views.run_adjust_view, name="run_adjust"),
    path("runs/<int:pk>/rerun/", views.run_rerun_view, name="run_rerun"),
    path("runs/<int:pk>/approve/", views.run_approve_view, name="run_approve"),
    path("runs/<int:pk>/export.xlsx", views.run_export_view, name="run_export"),
    path("rules/<int:pk>/delete/", views.rule_delete_view, name="rule_delete"),
    # Public page: no login; the token is the only key.
    path("ask/<str:token>/", views.requester_public_view, name="requester_public"),
]
