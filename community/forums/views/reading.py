"""Reading the forums: the category list, a category's topics, a topic with its posts and
poll, a post's place, its edit history, its pictures, a tag's topics and search. Members
only (the community is the members' own); what they may not enter is 404."""

import mimetypes

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET
from taggit.models import Tag

from community import likes, moderation, profiles
from portal.shell.paging import KeysFirstPaginator

from .. import selectors
from ..forms import ReplyForm, SearchForm, VoteForm
from ..models import PostImage, PostRevision, Topic
from .common import (
    POSTS_PER_PAGE,
    RESULTS_PER_PAGE,
    TOPICS_PER_PAGE,
    post_location,
    post_or_404,
    topic_or_404,
)


@require_GET
@login_required
def index(request):
    return render(
        request,
        "forums/index.html",
        {
            "groups": selectors.category_index(request.user),
            "search_form": SearchForm(),
            "suspension": moderation.active_suspension(request.user),
        },
    )


@require_GET
@login_required
def category(request, slug: str):
    found = get_object_or_404(
        selectors.visible_categories(request.user).select_related("min_tier", "group"), slug=slug
    )
    page = Paginator(selectors.category_topics(found, request.user), TOPICS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "forums/category.html",
        {
            "category": found,
            "page": page,
            "topics": page.object_list,
            "suspension": moderation.active_suspension(request.user),
        },
    )


def render_topic(request, topic: Topic, *, reply_form=None, vote_form=None, status=200):
    """The topic page (also re-rendered by a refused vote). A fixed number of queries
    whatever the number of posts."""
    user = request.user
    moderator = selectors.is_moderator(user)
    page = KeysFirstPaginator(selectors.topic_posts(topic), POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    posts = list(page.object_list)
    authors = profiles.badges_and_tier({post.author_id for post in posts})
    liked = likes.liked_ids(member=user, targets=posts)
    for post in posts:
        post.author_tier, post.author_badges = authors.get(post.author_id, (None, []))
        post.liked = post.pk in liked  # read by community's like_button tag
        post.is_mine = post.author_id == user.pk
        # Hidden posts keep their place as a line saying so; their author and the
        # moderators still see them (as everywhere in the community).
        post.is_shown = moderator or post.is_mine or not post.is_hidden
    suspension = moderation.active_suspension(user)
    suspended = suspension is not None
    poll = selectors.poll_for(topic, user)
    if (
        poll is not None
        and vote_form is None
        and poll.is_open
        and not poll.my_choice_ids
        and not topic.is_locked
        and not suspended
    ):
        vote_form = VoteForm(poll=poll.poll, choices=poll.choices)
    hidden = topic.is_hidden or bool(topic.first_post and topic.first_post.is_hidden)
    can_reply = (
        not suspended
        and not hidden
        and (moderator or (not topic.is_locked and topic.category.is_active))
    )
    context = {
        "topic": topic,
        "category": topic.category,
        "tags": list(topic.tags.all()),
        "page": page,
        "posts": posts,
        "poll": poll,
        "vote_form": vote_form if (poll and poll.is_open and not poll.my_choice_ids) else None,
        "following": selectors.is_following(topic, user),
        "suspension": suspension,
        "can_reply": can_reply,
        "reply_form": reply_form or (ReplyForm() if can_reply else None),
        "is_moderator": moderator,
    }
    return render(request, "forums/topic.html", context, status=status)


@require_GET
@login_required
def topic(request, pk: int):
    return render_topic(request, topic_or_404(request.user, pk))


@require_GET
@login_required
def post(request, pk: int):
    """A post's address: the topic page it is on, scrolled to it."""
    found = post_or_404(request.user, pk, hidden_ok=True)
    return redirect(post_location(found))


@require_GET
@login_required
def post_history(request, pk: int):
    found = post_or_404(request.user, pk)
    revisions = list(
        PostRevision.objects.filter(post=found).select_related("editor", "editor__profile")
    )
    return render(
        request,
        "forums/post_history.html",
        {"post": found, "topic": found.topic, "revisions": revisions},
    )


@require_GET
@login_required
def image(request, pk: int):
    """A post's picture, to those who may see the post (never a public media address)."""
    picture = get_object_or_404(PostImage.objects.select_related("post"), pk=pk)
    post_or_404(request.user, picture.post_id)
    try:
        handle = picture.image.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = mimetypes.guess_type(picture.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def tag(request, slug: str):
    found = get_object_or_404(Tag, slug=slug)
    page = Paginator(selectors.tagged_topics(found.slug, request.user), TOPICS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    if not page.paginator.count:
        # Tags are shared by all categories: one used only where the visitor may not enter
        # is as unknown to them as one never used.
        raise Http404
    return render(
        request, "forums/tag.html", {"tag": found, "page": page, "topics": page.object_list}
    )


@require_GET
@login_required
def search(request):
    form = SearchForm(request.GET or None)
    page = None
    if form.is_valid():
        page = Paginator(
            selectors.search(form.cleaned_data["q"], request.user), RESULTS_PER_PAGE
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "forums/search.html",
        {"form": form, "page": page, "results": page.object_list if page else []},
    )


urlpatterns = [
    path("", index, name="index"),
    path("c/<str:slug>/", category, name="category"),
    path("t/<int:pk>/", topic, name="topic"),
    path("p/<int:pk>/", post, name="post"),
    path("p/<int:pk>/history/", post_history, name="post-history"),
    path("images/<int:pk>/", image, name="image"),
    path("tags/<str:slug>/", tag, name="tag"),
    path("search/", search, name="search"),
]

__all__ = ["render_topic", "urlpatterns", "ReplyForm"]
