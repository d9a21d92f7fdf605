from django.urls import path

from hiring import api, packet_api, packet_views, views

app_name = "hiring"

urlpatterns = [
    path("interviews/", views.MyInterviewsView.as_view(), name="my-interviews"),
    path("interviews/<int:interview_id>/", views.InterviewKitView.as_view(), name="kit"),
    path(
        "interviews/<int:interview_id>/scorecard/",
        views.ScorecardView.as_view(),
        name="scorecard",
    ),
    path("packets/", packet_views.PacketDashboardView.as_view(), name="packets"),
    path("packets/<int:packet_id>/", packet_views.PacketView.as_view(), name="packet"),
    path("packets/<int:packet_id>/vote/", packet_views.PacketVoteView.as_view(), name="vote"),
    path(
        "packets/<int:packet_id>/decision/",
        packet_views.PacketDecisionView.as_view(),
        name="decision",
    ),
    path(
        "packets/<int:packet_id>/decision/amend/",
        packet_views.PacketAmendView.as_view(),
        name="decision-amend",
    ),
    path(
        "packets/<int:packet_id>/follow-up/",
        packet_views.PacketFollowUpView.as_view(),
        name="follow-up",
    ),
]

api_urlpatterns = [
    path("me/interviews/", api.MyInterviewListApi.as_view(), name="api-my-interviews"),
    path(
        "interviews/<int:interview_id>/scorecard/",
        api.ScorecardStartApi.as_view(),
        name="api-scorecard-start",
    ),
    path("scorecards/", api.ScorecardListApi.as_view(), name="api-scorecard-list"),
    path(
        "scorecards/<int:scorecard_id>/",
        api.ScorecardDetailApi.as_view(),
        name="api-scorecard-detail",
    ),
    path(
        "scorecards/<int:scorecard_id>/draft/",
        api.ScorecardDraftApi.as_view(),
        name="api-scorecard-draft",
    ),
    path(
        "scorecards/<int:scorecard_id>/submit/",
        api.ScorecardSubmitApi.as_view(),
        name="api-scorecard-submit",
    ),
    path(
        "scorecards/<int:scorecard_id>/amend/",
        api.ScorecardAmendApi.as_view(),
        name="api-scorecard-amend",
    ),
    path(
        "scorecards/<int:scorecard_id>/history/",
        api.ScorecardHistoryApi.as_view(),
        name="api-scorecard-history",
    ),
    path("candidates/", api.CandidateListCreateApi.as_view(), name="api-candidate-list"),
    path(
        "candidates/<int:candidate_id>/",
        api.CandidateDetailApi.as_view(),
        name="api-candidate-detail",
    ),
    path("requisitions/", api.RequisitionListCreateApi.as_view(), name="api-requisition-list"),
    path(
        "requisitions/<int:requisition_id>/",
        api.RequisitionDetailApi.as_view(),
        name="api-requisition-detail",
    ),
    path("applications/", api.ApplicationListCreateApi.as_view(), name="api-application-list"),
    path(
        "applications/<int:application_id>/",
        api.ApplicationDetailApi.as_view(),
        name="api-application-detail",
    ),
    path(
        "applications/<int:application_id>/move/",
        api.ApplicationMoveApi.as_view(),
        name="api-application-move",
    ),
    path("packets/", packet_api.PacketListApi.as_view(), name="api-packet-list"),
    path(
        "packets/<int:packet_id>/", packet_api.PacketDetailApi.as_view(), name="api-packet-detail"
    ),
    path("packets/<int:packet_id>/votes/", packet_api.PacketVoteApi.as_view(), name="api-votes"),
    path(
        "packets/<int:packet_id>/decisions/",
        packet_api.PacketDecisionApi.as_view(),
        name="api-decisions",
    ),
    path(
        "packets/<int:packet_id>/decisions/amend/",
        packet_api.PacketDecisionAmendApi.as_view(),
        name="api-decision-amend",
    ),
    path(
        "packets/<int:packet_id>/follow-up/",
        packet_api.PacketFollowUpApi.as_view(),
        name="api-follow-up",
    ),
]
