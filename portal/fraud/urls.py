from django.urls import path

from . import views

app_name = "fraud"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.case_detail, name="case"),
]
