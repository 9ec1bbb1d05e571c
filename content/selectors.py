"""Reads of the article library shared by its pages, the home page and the member's
"my articles" screen. Lists cost a fixed number of queries whatever their length."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, WorkflowState

from .models import ArticleIndexPage, ArticlePage

# The cover picture's size in lists and on the article (prefetched with the list).
LIST_COVER = "fill-640x360"
COMMENTS_PAGE = 50


def _with_covers(articles: QuerySet) -> QuerySet:
    images = get_image_model().objects.prefetch_renditions(LIST_COVER)
    return articles.select_related("category", "author", "author__profile").prefetch_related(
        Prefetch("cover_image", queryset=images), "tags"
    )


def public_articles() -> QuerySet[ArticlePage]:
    """Live articles nobody has put behind a view restriction."""
    return ArticlePage.objects.live().public()


def is_public(page) -> bool:
    if not page.live:
        return False
    return not PageViewRestriction.objects.filter(
        page__in=Page.objects.ancestor_of(page, inclusive=True)
    ).exists()


def library_articles(*, index, category=None, tag: str = "") -> QuerySet[ArticlePage]:
    """Public articles under `index`, newest first, in `category` and with `tag` when given."""
    articles = public_articles().descendant_of(index)
    if category is not None:
        articles = articles.filter(category=category)
    if tag:
        articles = articles.filter(tags__name__iexact=tag)
    return _with_covers(articles).order_by("-first_published_at", "-pk")


def latest_articles(limit: int = 3) -> list[ArticlePage]:
    """The newest public articles, their category and cover picture prefetched (home page)."""
    return list(_with_covers(public_articles()).order_by("-first_published_at", "-pk")[:limit])


def related_articles(*, page: ArticlePage, limit: int = 3) -> list[ArticlePage]:
    """Public articles in the same category or sharing a tag with `page`, newest first."""
    tag_ids = [tag.pk for tag in page.tags.all()]
    if not page.category_id and not tag_ids:
        return []
    match = Q(tags__in=tag_ids) if tag_ids else Q()
    if page.category_id:
        match |= Q(category_id=page.category_id)
    ids = (
        public_articles()
        .filter(match)
        .exclude(pk=page.pk)
        .order_by("-first_published_at", "-pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    chosen = list(dict.fromkeys(ids))[:limit]
    found = {a.pk: a for a in _with_covers(ArticlePage.objects.filter(pk__in=chosen))}
    return [found[pk] for pk in chosen if pk in found]


def article_extras(*, page: ArticlePage, request) -> dict:
    """What an article's page shows beside the article: likes, comments, related articles
    and the share links."""
    from community import likes
    from community.forms import CommentForm
    from community.models import Comment, Like
    from community.profiles import attach_author_status
    from community.targets import is_moderator

    from .sharing import share_links

    user = request.user
    article_type = ContentType.objects.get_for_model(ArticlePage)
    page.like_count = Like.objects.filter(target_type=article_type, target_id=page.pk).count()
    page.liked = bool(likes.liked_ids(member=user, targets=[page]))
    comments = Comment.objects.filter(target_type=article_type, target_id=page.pk).select_related(
        "author", "author__profile", "author__community"
    )
    if not is_moderator(user):
        shown = Q(is_hidden=False)
        if user.is_authenticated:
            shown |= Q(author=user)
        comments = comments.filter(shown)
    comment_page = Paginator(comments, COMMENTS_PAGE).get_page(request.GET.get("page"))
    listed = attach_author_status(comment_page.object_list)
    liked = likes.liked_ids(member=user, targets=listed)
    for comment in listed:
        comment.liked = comment.pk in liked
    url = request.build_absolute_uri(page.url or "")
    library = ArticleIndexPage.objects.ancestor_of(page).first()
    return {
        "share_url": url,
        "library_url": library.get_url(request) if library else "",
        "comments": listed,
        "page_obj": comment_page,
        "form": CommentForm(),
        "related": related_articles(page=page),
        "share_links": share_links(url=url, title=page.title),
        "cover_spec": LIST_COVER,
    }


@dataclass
class Submission:
    article: ArticlePage
    status: str
    status_label: str
    comment: str = ""


STATUS_LABELS = {
    "published": _("Published"),
    "in_review": _("Waiting for review"),
    "returned": _("Returned with changes requested"),
    "draft": _("Draft"),
    "unpublished": _("Unpublished"),
}


def member_submissions(*, member) -> list[Submission]:
    """The member's articles, newest first, each with its review status and the reviewer's
    comment when it was returned. Three queries."""
    articles = list(
        ArticlePage.objects.filter(author=member)
        .select_related("category")
        .order_by("-latest_revision_created_at", "-pk")
    )
    states: dict[str, WorkflowState] = {}
    if articles:
        for state in (
            WorkflowState.objects.filter(
                base_content_type=ContentType.objects.get_for_model(Page),
                object_id__in=[str(a.pk) for a in articles],
            )
            .select_related("current_task_state")
            .order_by("created_at", "pk")
        ):
            states[state.object_id] = state  # the latest wins
    result = []
    for article in articles:
        state = states.get(str(article.pk))
        comment = ""
        if article.live:
            status = "published"
        elif state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
            status = "in_review"
        elif state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            status = "returned"
            comment = state.current_task_state.comment if state.current_task_state else ""
        elif article.first_published_at:
            status = "unpublished"
        else:
            status = "draft"
        result.append(Submission(article, status, str(STATUS_LABELS[status]), comment))
    return result
