from django.urls import path

from frontline.appraisal import views

app_name = "appraisal"
urlpatterns = [
    path("", views.index_view, name="index"),
    path("me/", views.my_scores_view, name="my_scores"),
    path("schemes/new/", views.scheme_create_view, name="scheme_create"),
    path("schemes/<int:pk>/", views.scheme_detail_view, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_edit_view, name="scheme_edit"),
    path("schemes/<int:pk>/new-version/", views.scheme_new_version_view, name="scheme_new_version"),
    path("campaigns/<int:campaign_pk>/periods/", views.campaign_periods_view, name="campaign_periods"),
    path("periods/<int:pk>/", views.period_detail_view, name="period_detail"),
    path("periods/<int:pk>/status/", views.period_status_view, name="period_status"),
    path("periods/<int:pk>/compute/", views.period_compute_view, name="period_compute"),
    path("periods/<int:pk>/lock/", views.period_lock_view, name="period_lock"),
    path("periods/<int:pk>/rankings/", views.rankings_view, name="rankings"),
    path("periods/<int:pk>/rankings.xlsx", views.rankings_export_view, name="rankings_export"),
    path("periods/<int:pk>/projects/", views.projects_view, name="projects"),
    path("periods/<int:pk>/flags/", views.flags_view, name="flags"),
    path("flags/<int:pk>/review/", views.flag_review_view, name="flag_review"),
    path("scores/<int:pk>/", views.score_detail_view, name="score_detail"),
    path("scores/<int:pk>/adjust/", views.score_adjust_view, name="score_adjust"),
    path("scores/<int:pk>/evidence/<int:dimension>/<int:item>/", views.score_evidence_view, name="score_evidence"),
    path("cadres/<int:cadre_pk>/performance/", views.performance_view, name="performance"),
    path("cadres/<int:cadre_pk>/inspections/new/", views.inspection_create_view, name="inspection_create"),
    path("cadres/<int:cadre_pk>/ratings/new/", views.rating_create_view, name="rating_create"),
    path("cadres/<int:cadre_pk>/suggestions/new/", views.suggestion_create_view, name="suggestion_create"),
    path("suggestions/", views.suggestion_list_view, name="suggestion_list"),
    path("suggestions/<int:pk>/", views.suggestion_detail_view, name="suggestion_detail"),
    path("suggestions/<int:pk>/adopt/", views.suggestion_adopt_view, name="suggestion_adopt"),
]
