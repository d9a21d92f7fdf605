from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api import TokenObtainApi
from config.health import healthz
from hiring import views as hiring_views
from hiring.report_urls import api_urlpatterns as reports_api
from hiring.urls import api_urlpatterns as hiring_api
from loops.urls import api_urlpatterns as loops_api
from rubrics.urls import api_urlpatterns as rubrics_api

urlpatterns = [
    path("", hiring_views.HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("rubrics.urls")),
    path("", include("loops.urls")),
    path("", include("hiring.urls")),
    path("reports/", include("hiring.report_urls")),
    path("api/rubrics/", include((rubrics_api, "rubrics-api"))),
    path("api/loops/", include((loops_api, "loops-api"))),
    path("api/", include((hiring_api, "hiring-api"))),
    path("api/", include((reports_api, "reports-api"))),
    path("api/auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the strict CSP needs no exception.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]
