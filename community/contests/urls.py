"""The contest pages, under /community/contests/."""

from django.urls import path

from . import views

app_name = "contests"
urlpatterns = [
    path("", views.contest_list, name="list"),
    path("winners/", views.winners, name="winners"),
    path("<str:slug>/", views.detail, name="detail"),
    path("<str:slug>/start/", views.quiz_start, name="quiz-start"),
    path("<str:slug>/quiz/", views.quiz, name="quiz"),
    path("<str:slug>/results/", views.results, name="results"),
    path("<str:slug>/photos/", views.gallery, name="gallery"),
    path("<str:slug>/photos/new/", views.photo_new, name="photo-new"),
    path("<str:slug>/photos/<int:pk>/vote/", views.photo_vote, name="vote"),
    path("<str:slug>/photos/<int:pk>/unvote/", views.photo_unvote, name="unvote"),
    path("<str:slug>/photos/<int:pk>/remove/", views.photo_remove, name="photo-remove"),
    path("<str:slug>/photos/<int:pk>/restore/", views.photo_restore, name="photo-restore"),
]
