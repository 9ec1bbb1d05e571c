from django.urls import path

from . import views

app_name = "kb"
urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    path("answers/<int:answer_id>/feedback/", views.feedback, name="feedback"),
]
