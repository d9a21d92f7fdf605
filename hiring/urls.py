from django.urls import path

from hiring import api, views

app_name = "hiring"

urlpatterns = [
    path("interviews/", views.MyInterviewsView.as_view(), name="my-interviews"),
    path("interviews/<int:interview_id>/", views.InterviewKitView.as_view(), name="kit"),
    path(
        "interviews/<int:interview_id>/scorecard/",
        views.ScorecardView.as_view(),
        name="scorecard",
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
]
