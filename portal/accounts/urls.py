from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.panel, name="panel"),
    path("profile/", views.profile_edit, name="profile-edit"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
