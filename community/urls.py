"""The community's shared pages under /community/. The sub-apps are mounted beside them
(community/forums/, community/surveys/, community/contests/), so no path here starts
with those words."""

from django.urls import path

from .views import feed, groups, members, moderation, reactions

app_name = "community"
urlpatterns = [
    path("", feed.feed, name="feed"),
    path("status/new/", feed.status_create, name="status-create"),
    path("status/<int:pk>/", feed.status_detail, name="status"),
    path("status/<int:pk>/comment/", feed.comment_create, name="comment-create"),
    path("comments/<int:pk>/", feed.comment_redirect, name="comment"),
    path("like/<str:label>/<int:pk>/", reactions.like, name="like"),
    path("unlike/<str:label>/<int:pk>/", reactions.unlike, name="unlike"),
    path("flag/<str:label>/<int:pk>/", reactions.flag, name="flag"),
    path("me/", members.me, name="me"),
    path("profile/edit/", members.edit, name="profile-edit"),
    path("members/<str:handle>/", members.profile, name="member"),
    path("members/<str:handle>/follow/", members.follow, name="follow"),
    path("members/<str:handle>/unfollow/", members.unfollow, name="unfollow"),
    path("groups/", groups.group_list, name="groups"),
    path("groups/<str:slug>/", groups.group_detail, name="group"),
    path("groups/<str:slug>/join/", groups.join, name="group-join"),
    path("groups/<str:slug>/leave/", groups.leave, name="group-leave"),
    path("moderation/", moderation.queue, name="moderation-queue"),
    path("moderation/log/", moderation.log, name="moderation-log"),
    path("moderation/act/<str:label>/<int:pk>/", moderation.act, name="moderation-act"),
    path("moderation/go/<str:label>/<int:pk>/", moderation.go, name="moderation-go"),
    path("moderation/members/<int:pk>/", moderation.member, name="moderation-member"),
    path("moderation/members/<int:pk>/warn/", moderation.warn, name="moderation-warn"),
    path("moderation/members/<int:pk>/suspend/", moderation.suspend, name="moderation-suspend"),
    path("moderation/members/<int:pk>/lift/", moderation.lift, name="moderation-lift"),
]
