from django.urls import path

from . import views

app_name = "content"

urlpatterns = [
    path("submit/", views.article_submit, name="article-submit"),
    path("mine/", views.my_articles, name="mine"),
    path("<int:pk>/comment/", views.comment_create, name="comment-create"),
    path("<int:pk>/share/", views.share, name="share"),
]
