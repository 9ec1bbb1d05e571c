"""What the forum views share: finding a topic or post the visitor may see (404 for anything
else: a restricted category never says it exists), and a post's place in its thread."""

from django.http import Http404
from django.urls import reverse

from .. import selectors
from ..models import Post, Topic

TOPICS_PER_PAGE = 25
POSTS_PER_PAGE = 20
RESULTS_PER_PAGE = 20


def topic_or_404(user, pk: int) -> Topic:
    """The topic if `user` may see it (hidden ones: moderators only)."""
    topic = (
        selectors.visible_topics(user)
        .select_related("category", "category__min_tier", "category__group", "first_post")
        .filter(pk=pk)
        .first()
    )
    if topic is None:
        raise Http404
    return topic


def post_or_404(user, pk: int, *, hidden_ok: bool = False) -> Post:
    """The post if `user` may see its topic; a hidden post only with `hidden_ok` or for
    moderators."""
    post = (
        Post.objects.select_related("topic", "topic__category", "author")
        .filter(pk=pk, topic__in=selectors.visible_topics(user))
        .first()
    )
    if post is None or (post.is_hidden and not hidden_ok and not selectors.is_moderator(user)):
        raise Http404
    return post


def post_location(post: Post) -> str:
    """The topic page holding `post`, scrolled to it."""
    page = selectors.post_position(post) // POSTS_PER_PAGE + 1
    url = reverse("forums:topic", args=[post.topic_id])
    if page > 1:
        url += f"?page={page}"
    return f"{url}#post-{post.pk}"
