from django.urls import path

from loops import api, views

app_name = "loops"

urlpatterns = [
    path("loops/", views.LoopListView.as_view(), name="loop-list"),
    path("loops/new/", views.LoopDesignView.as_view(), name="loop-design"),
    path("loops/<int:loop_id>/", views.LoopDetailView.as_view(), name="loop-detail"),
    path(
        "loops/<int:loop_id>/interviews/<int:position>/",
        views.InterviewKitView.as_view(),
        name="interview-kit",
    ),
]

api_urlpatterns = [
    path("plan/", api.LoopPlanApi.as_view(), name="api-loop-plan"),
    path("", api.LoopListCreateApi.as_view(), name="api-loop-list"),
    path("<int:loop_id>/", api.LoopDetailApi.as_view(), name="api-loop-detail"),
    path("<int:loop_id>/regenerate/", api.LoopRegenerateApi.as_view(), name="api-loop-regenerate"),
    path(
        "<int:loop_id>/schedule-day/",
        api.LoopScheduleDayApi.as_view(),
        name="api-loop-schedule-day",
    ),
    path(
        "<int:loop_id>/interviews/<int:position>/schedule/",
        api.InterviewScheduleApi.as_view(),
        name="api-interview-schedule",
    ),
    path("<int:loop_id>/assign/", api.LoopAssignApi.as_view(), name="api-loop-assign"),
    path("<int:loop_id>/calendar.ics", api.LoopCalendarApi.as_view(), name="api-loop-calendar"),
    path(
        "interviewers/<int:interviewer_id>/calendar.ics",
        api.InterviewerCalendarApi.as_view(),
        name="api-interviewer-calendar",
    ),
]
