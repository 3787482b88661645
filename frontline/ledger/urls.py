from django.urls import path

from frontline.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.my_post_view, name="my_post"),
    path("problems/", views.problem_list_view, name="problem_list"),
    path("problems/export.xlsx", views.problem_export_view, name="problem_export"),
    path("problems/new/", views.problem_create_view, name="problem_create"),
    path("problems/<int:pk>/", views.problem_detail_view, name="problem_detail"),
    path("problems/<int:pk>/transition/", views.problem_transition_view, name="problem_transition"),
    path("problems/<int:pk>/plan/", views.problem_plan_view, name="problem_plan"),
    path("problems/<int:pk>/attachments/", views.problem_attachment_view, name="problem_attachment"),
    path(
        "problems/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download_view,
        name="attachment_download",
    ),
    path("plans/", views.plan_list_view, name="plan_list"),
    path("plans/export.xlsx", views.plan_export_view, name="plan_export"),
    path("plans/new/", views.plan_create_view, name="plan_create"),
    path("plans/enterprise/<int:post_id>/", views.plan_for_post_view, name="plan_for_post"),
    path("plans/<int:pk>/", views.plan_detail_view, name="plan_detail"),
    path("plans/<int:pk>/measures/", views.plan_measure_add_view, name="plan_measure_add"),
    path("plans/<int:pk>/measures/<int:measure_pk>/", views.plan_measure_edit_view, name="plan_measure_edit"),
    path(
        "plans/<int:pk>/measures/<int:measure_pk>/status/", views.plan_measure_status_view, name="plan_measure_status"
    ),
    path("visits/new/", views.visit_create_view, name="visit_create"),
    path("inbox/", views.inbox_view, name="inbox"),
    path("board/", views.board_view, name="board"),
    path("notifications/", views.notifications_view, name="notifications"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/set/", views.calendar_set_view, name="calendar_set"),
    path("calendar/<str:day>/delete/", views.calendar_delete_view, name="calendar_delete"),
    path("calendar/confirm/", views.calendar_confirm_view, name="calendar_confirm"),
    path("lists/", views.list_view, name="lists"),
    path("lists/<int:pk>/", views.list_item_view, name="list_item"),
    path("matches/<int:pk>/outcome/", views.match_outcome_view, name="match_outcome"),
    # Public pages: no login.
    path("p/<int:post_id>/", views.public_post_view, name="public_post"),
    path("p/<int:post_id>/poster/", views.public_poster_view, name="public_poster"),
    path("t/", views.track_lookup_view, name="track_lookup"),
    path("t/<str:code>/", views.track_view, name="track"),
    path("t/<str:code>/files/<int:attachment_pk>/", views.track_attachment_view, name="track_attachment"),
]
