from django.urls import path

from . import views

app_name = "shell"
urlpatterns = [
    path("language/", views.set_language, name="set-language"),
    path("staff/", views.staff_home, name="staff-home"),
]
