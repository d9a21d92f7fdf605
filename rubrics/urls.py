from django.urls import path

from rubrics import api, views

app_name = "rubrics"

urlpatterns = [
    path("rubrics/", views.RoleProfileListView.as_view(), name="profile-list"),
    path("rubrics/<slug:key>/", views.RoleProfileDetailView.as_view(), name="profile-detail"),
    path(
        "rubrics/<slug:key>/levels/<str:level_code>/",
        views.LevelRubricView.as_view(),
        name="level-rubric",
    ),
]

api_urlpatterns = [
    path("competencies/", api.CompetencyListApi.as_view(), name="api-competency-list"),
    path("ladders/", api.LadderListApi.as_view(), name="api-ladder-list"),
    path("role-profiles/", api.RoleProfileListApi.as_view(), name="api-role-profile-list"),
    path(
        "role-profiles/<slug:key>/",
        api.RoleProfileDetailApi.as_view(),
        name="api-role-profile-detail",
    ),
    path(
        "role-profiles/<slug:key>/levels/<str:level_code>/expectations/",
        api.RoleProfileLevelExpectationsApi.as_view(),
        name="api-role-profile-level-expectations",
    ),
    path("questions/", api.QuestionListApi.as_view(), name="api-question-list"),
]
