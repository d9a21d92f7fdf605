"""Report pages and their CSV exports (filled in by the reports work)."""

from django.urls import URLPattern

app_name = "reports"

urlpatterns: list[URLPattern] = []
api_urlpatterns: list[URLPattern] = []
