from django.urls import path

from .views import compliance, coordination, outcomes, overview, workspace

app_name = "commitments"

GROUP = "g/<slug:slug>/"
COMMITMENT = GROUP + "commitments/<str:reference>/"
MEETING = GROUP + "meetings/<int:number>/"
INDICATOR = GROUP + "indicators/<int:pk>/"
REVIEW = GROUP + "reviews/<int:pk>/"

urlpatterns = [
    path("", workspace.home, name="home"),
    path(GROUP, workspace.group_dashboard, name="group_dashboard"),
    path(GROUP + "commitments/", workspace.commitment_list, name="commitment_list"),
    path(COMMITMENT, workspace.commitment_detail, name="commitment_detail"),
    path(COMMITMENT + "follow-ups/", workspace.follow_up_create, name="follow_up_create"),
    path(COMMITMENT + "status/", workspace.commitment_status, name="commitment_status"),
    path(COMMITMENT + "edit/", coordination.commitment_edit, name="commitment_edit"),
    path(COMMITMENT + "withdraw/", coordination.commitment_withdraw, name="commitment_withdraw"),
    path(GROUP + "meetings/new/", coordination.meeting_create, name="meeting_create"),
    path(MEETING, workspace.meeting_detail, name="meeting_detail"),
    path(MEETING + "edit/", coordination.meeting_edit, name="meeting_edit"),
    path(MEETING + "commitments/new/", coordination.commitment_create, name="commitment_create"),
    path(GROUP + "areas/<slug:area_slug>/", workspace.area_detail, name="area_detail"),
    path(GROUP + "indicators/new/", coordination.indicator_create, name="indicator_create"),
    path(INDICATOR + "edit/", coordination.indicator_edit, name="indicator_edit"),
    path(INDICATOR, outcomes.indicator_detail, name="indicator_detail"),
    path(INDICATOR + "measurements/", outcomes.measurement_create, name="measurement_create"),
    path(
        INDICATOR + "measurements/<int:measurement_pk>/correct/",
        outcomes.measurement_correct,
        name="measurement_correct",
    ),
    path(
        COMMITMENT + "measurements/",
        outcomes.commitment_measurement_create,
        name="commitment_measurement_create",
    ),
    path(GROUP + "reviews/", compliance.review_list, name="review_list"),
    path(GROUP + "changes/", compliance.changes, name="changes"),
    path(GROUP + "reviews/new/", compliance.review_create, name="review_create"),
    path(REVIEW, compliance.review_detail, name="review_detail"),
    path(REVIEW + "close/", compliance.review_close, name="review_close"),
    path(
        REVIEW + "scores/<str:reference>/<str:party>/",
        compliance.score_edit,
        name="score_edit",
    ),
    path(REVIEW + "confirm/<int:score_pk>/", compliance.score_confirm, name="score_confirm"),
    path(GROUP + "sides/", overview.sides, name="sides"),
    path(GROUP + "activity/", overview.recent_activity, name="recent_activity"),
    path(GROUP + "members/", overview.members, name="members"),
]
