from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/columns/", views.job_mapping, name="job-mapping"),
    path("<int:pk>/start/", views.job_start, name="job-start"),
    path("<int:pk>/discard/", views.job_discard, name="job-discard"),
    path("<int:pk>/status.json", views.job_status, name="job-status"),
    path("<int:pk>/report.csv", views.job_report, {"fmt": "csv"}, name="job-report-csv"),
    path("<int:pk>/report.xlsx", views.job_report, {"fmt": "xlsx"}, name="job-report-xlsx"),
]
