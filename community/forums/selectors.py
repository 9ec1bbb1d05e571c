"""Reads of the forums: who may enter which category, the topics and posts a viewer may see,
search, and the small lists other pages show (a member's recent posts, a group's topics).

The one rule every page goes through: a viewer sees a category when it is open and they
reach its lowest tier (members without a tier count as the lowest, threshold 0) and belong
to its interest group; moderators see every category. Anonymous visitors see nothing (the
community is the members' own). Everything here is a lazy queryset built on
visible_categories(), so the rule costs a subquery, not a query per row."""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Count, F, Max, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from community.models import GroupMembership
from gamification.models import MemberTier
from portal.accounts.roles import permission_holders

from .models import CategoryKind, ForumCategory, Poll, PollVote, Post, Topic, TopicFollow

MODERATE = "accounts.moderate_community"
SEARCH_CONFIG = "simple"  # no stemming: the same for Persian and English (0002 indexes it)
TITLE_HITS = 500  # topics found by their title, at most
AUTHOR_FIELDS = ("author", "author__profile", "author__community")


def is_moderator(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or user.has_perm(MODERATE))
    )


def _tier_threshold(user):
    """The viewer's tier threshold as a subquery (0 without a tier: the lowest)."""
    return Coalesce(
        Subquery(MemberTier.objects.filter(member=user).values("tier__threshold")[:1]), Value(0)
    )


def visible_categories(user) -> QuerySet[ForumCategory]:
    """The categories `user` may enter (see the module docstring). No query by itself."""
    categories = ForumCategory.objects.all()
    if user is None or not user.is_authenticated:
        return categories.none()
    if is_moderator(user):
        return categories
    return categories.filter(
        Q(is_active=True),
        Q(min_tier__isnull=True) | Q(min_tier__threshold__lte=_tier_threshold(user)),
        Q(group__isnull=True)
        | Q(group__in=GroupMembership.objects.filter(member=user).values("group_id")),
    )


def can_enter(category: ForumCategory, user) -> bool:
    return visible_categories(user).filter(pk=category.pk).exists()


def entrants(category: ForumCategory) -> Q:
    """A filter on the user model for who may enter `category` (for notifications: nobody
    is told about what they cannot open)."""
    staff = Q(is_superuser=True) | permission_holders(MODERATE)
    if not category.is_active:
        return staff
    allowed = Q(is_active=True)
    if category.min_tier_id:
        threshold = category.min_tier.threshold
        reached = Q(club_tier__tier__threshold__gte=threshold)
        # Members without a tier row count as the lowest tier (threshold 0).
        allowed &= (reached | Q(club_tier__isnull=True)) if threshold <= 0 else reached
    if category.group_id:
        allowed &= Q(
            pk__in=GroupMembership.objects.filter(group_id=category.group_id).values("member_id")
        )
    return allowed | staff


def visible_topics(user, *, public_only: bool = False) -> QuerySet[Topic]:
    """Topics in categories `user` may enter. A hidden topic (hidden by a moderator, or
    whose opening post is hidden) is seen by moderators and its author only, and by nobody
    with `public_only` (lists shown on other pages, search)."""
    if user is None or not user.is_authenticated:
        return Topic.objects.none()
    topics = Topic.objects.filter(category__in=visible_categories(user))
    shown = Q(is_hidden=False, first_post__is_hidden=False)
    if public_only:
        return topics.filter(shown)
    if is_moderator(user):
        return topics
    return topics.filter(shown | Q(author=user))


def can_see_post(user, post: Post) -> bool:
    """Whether `user` may see `post`'s topic (hidden posts are the caller's business)."""
    return visible_topics(user).filter(pk=post.topic_id).exists()


# --- Pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindGroup:
    kind: str
    label: str
    categories: list


def category_index(user) -> list[KindGroup]:
    """The categories `user` may enter grouped by kind, each with its number of topics and
    posts and its last activity (visible topics only). One query."""
    listed = Q(topics__is_hidden=False, topics__first_post__is_hidden=False)
    categories = (
        visible_categories(user)
        .select_related("min_tier", "group")
        .annotate(
            topic_total=Count("topics", filter=listed),
            post_total=Coalesce(Sum("topics__post_count", filter=listed), 0),
            last_activity=Max("topics__last_post_at", filter=listed),
        )
        .order_by("kind", "position", "name")
    )
    by_kind: dict[str, list] = {}
    for category in categories:
        by_kind.setdefault(category.kind, []).append(category)
    return [
        KindGroup(kind, label, by_kind[kind])
        for kind, label in CategoryKind.choices
        if kind in by_kind
    ]


def category_topics(category: ForumCategory, user) -> QuerySet[Topic]:
    """A category's topics for its page: pinned first, then by last activity."""
    return (
        visible_topics(user)
        .filter(category=category)
        .select_related(*AUTHOR_FIELDS)
        .annotate(opening_hidden=F("first_post__is_hidden"))
        .prefetch_related("tags")
        .order_by("-is_pinned", "-last_post_at", "-pk")
    )


def topic_posts(topic: Topic) -> QuerySet[Post]:
    """A topic's posts in order, hidden ones included (the page shows them as a line saying
    so, except to moderators), with what their lines need."""
    return (
        Post.objects.filter(topic=topic)
        .select_related(
            *AUTHOR_FIELDS,
            "quote_of",
            "quote_of__author",
            "quote_of__author__profile",
            "edited_by",
            "edited_by__profile",
        )
        .prefetch_related("images")
        .order_by("created_at", "pk")
    )


def post_position(post: Post) -> int:
    """How many posts come before `post` in its topic (one query)."""
    return (
        Post.objects.filter(topic_id=post.topic_id)
        .filter(Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk))
        .count()
    )


def tagged_topics(slug: str, user) -> QuerySet[Topic]:
    return (
        visible_topics(user, public_only=True)
        .filter(tagged_items__tag__slug=slug)
        .select_related("category", *AUTHOR_FIELDS)
        .prefetch_related("tags")
        .order_by("-last_post_at", "-pk")
    )


def is_following(topic: Topic, user) -> bool:
    return TopicFollow.objects.filter(topic=topic, member=user).exists()


@dataclass
class PollView:
    poll: Poll
    choices: list  # each with .vote_total and .percent
    voters: int
    my_choice_ids: set
    is_open: bool


def poll_for(topic: Topic, user) -> PollView | None:
    """The topic's poll with its counts and the viewer's votes (three queries), or None."""
    poll = Poll.objects.filter(topic=topic).first()
    if poll is None:
        return None
    choices = list(poll.choices.annotate(vote_total=Count("votes")).order_by("position", "pk"))
    votes = PollVote.objects.filter(poll=poll)
    voters = votes.values("member_id").distinct().count()
    mine = set(votes.filter(member=user).values_list("choice_id", flat=True))
    for choice in choices:
        choice.percent = round(100 * choice.vote_total / voters) if voters else 0
    return PollView(poll, choices, voters, mine, poll.is_open())


# --- Search -----------------------------------------------------------------------------------


def _search_vector(field: str) -> SearchVector:
    # Must stay the very expression of migration 0002's GIN indexes.
    return SearchVector(field, config=SEARCH_CONFIG)


def search(query: str, user) -> QuerySet[Post]:
    """Visible posts matching `query` (in their text, or a topic's title for its opening
    post), best first. PostgreSQL: full-text search ('simple' configuration, web-search
    syntax: words, "phrases", -not) ranked by SearchRank, titles first; one query more for
    the topics whose title matches. Elsewhere: every word must appear (a case-insensitive
    LIKE), newest first. Hidden posts and topics and categories the viewer may not enter
    never come back."""
    query = " ".join((query or "").split())
    posts = Post.objects.filter(
        is_hidden=False, topic__in=visible_topics(user, public_only=True)
    ).select_related("topic", "topic__category", *AUTHOR_FIELDS)
    if not query:
        return posts.none()
    if connection.vendor == "postgresql":
        wanted = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        # The opening posts of topics whose title matches, looked up first (its own GIN
        # index), so the posts' condition is "text matches OR pk in (...)": two index scans
        # PostgreSQL can OR together, never a scan of every post.
        title_hits = list(
            visible_topics(user, public_only=True)
            .annotate(document=_search_vector("title"))
            .filter(document=wanted, first_post__isnull=False)
            .values_list("first_post_id", flat=True)[:TITLE_HITS]
        )
        return (
            posts.annotate(document=_search_vector("body"))
            .filter(Q(document=wanted) | Q(pk__in=title_hits))
            .annotate(
                title_hit=Case(When(pk__in=title_hits, then=Value(1)), default=Value(0)),
                rank=SearchRank(_search_vector("body"), wanted),
            )
            .order_by(F("title_hit").desc(), F("rank").desc(), "-created_at", "-pk")
        )
    for word in query.split():
        posts = posts.filter(
            Q(body__icontains=word) | Q(is_opening=True, topic__title__icontains=word)
        )
    return posts.order_by("-created_at", "-pk")


# --- Blocks on other pages ------------------------------------------------------------------


def recent_posts_by(member, viewer, limit: int = 5) -> list[Post]:
    """`member`'s latest visible posts in categories `viewer` may enter (for the member's
    profile page; hidden posts and topics are left out for everyone). One query (once the
    viewer's permissions are loaded, as they are for any page)."""
    return list(
        Post.objects.filter(
            author=member, is_hidden=False, topic__in=visible_topics(viewer, public_only=True)
        )
        .select_related("topic", "topic__category")
        .order_by("-created_at", "-pk")[:limit]
    )


def recent_topics_in_group(group, viewer, limit: int = 5) -> list[Topic]:
    """The latest active visible topics in the group's categories that `viewer` may enter
    (for the group's page). Two queries (the topics, their tags) once the viewer's
    permissions are loaded."""
    return list(
        visible_topics(viewer, public_only=True)
        .filter(category__group=group)
        .select_related("category", *AUTHOR_FIELDS)
        .prefetch_related("tags")
        .order_by("-last_post_at", "-pk")[:limit]
    )


# --- "Download my data" ------------------------------------------------------------------------


def _when(value) -> str | None:
    from django.utils import timezone

    return timezone.localtime(value).isoformat() if value else None


def member_forum_data(member) -> dict[str, list[dict]]:
    """For the member's data export (portal.accounts.data_export): the topics they started,
    their posts with the earlier versions of them, their poll answers and the topics they
    follow. Other people's words never come in: a post in someone else's topic names the
    topic by its number."""
    from .models import PostRevision

    topics = [
        {"topic": pk, "title": title, "category": category, "created_at": _when(created)}
        for pk, title, category, created in Topic.objects.filter(author=member)
        .order_by("created_at", "pk")
        .values_list("pk", "title", "category__name", "created_at")
    ]
    posts = [
        {
            "post": pk,
            "topic": topic_id,
            "text": body,
            "created_at": _when(created),
            "edited_at": _when(edited),
            "hidden": hidden,
            "likes": like_count,
        }
        for pk, topic_id, body, created, edited, hidden, like_count in Post.objects.filter(
            author=member
        )
        .order_by("created_at", "pk")
        .values_list("pk", "topic_id", "body", "created_at", "edited_at", "is_hidden", "like_count")
    ]
    earlier = [
        {"post": post_id, "text": body, "replaced_at": _when(edited)}
        for post_id, body, edited in PostRevision.objects.filter(post__author=member)
        .order_by("edited_at", "pk")
        .values_list("post_id", "body", "edited_at")
    ]
    votes = [
        {"poll": poll_id, "answer": answer, "voted_at": _when(created)}
        for poll_id, answer, created in PollVote.objects.filter(member=member)
        .order_by("created_at", "pk")
        .values_list("poll_id", "choice__text", "created_at")
    ]
    follows = [
        {"topic": topic_id, "since": _when(created)}
        for topic_id, created in TopicFollow.objects.filter(member=member)
        .order_by("created_at", "pk")
        .values_list("topic_id", "created_at")
    ]
    return {
        "forum_topics": topics,
        "forum_posts": posts,
        "forum_post_earlier_versions": earlier,
        "forum_poll_answers": votes,
        "forum_followed_topics": follows,
    }
