from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.panel, name="panel"),
    path("profile/", views.profile_edit, name="profile-edit"),
    path("my-data/", views.my_data, name="my-data"),
    path("erase/", views.erase, name="erase"),
    path("erase/confirm/", views.erase_code, name="erase-code"),
    path("erase/cancel/", views.erase_cancel, name="erase-cancel"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
