"""Wagtail's publication and workflow signals (framework hooks, not domain events) turned
into calls of the library's services: points when an article goes live, taken back when
it is unpublished, and a word to the author when the moderators decide."""

from wagtail.models import WorkflowState
from wagtail.signals import (
    page_published,
    page_unpublished,
    workflow_approved,
    workflow_rejected,
)

from . import services
from .models import ArticlePage


def _article_of(state: WorkflowState) -> ArticlePage | None:
    page = state.content_object
    page = getattr(page, "specific", page)
    return page if isinstance(page, ArticlePage) else None


def on_published(sender, instance, **kwargs) -> None:
    services.article_published(article=instance)


def on_unpublished(sender, instance, **kwargs) -> None:
    services.article_unpublished(article=instance)


def on_approved(sender, instance, **kwargs) -> None:
    article = _article_of(instance)
    if article is not None:
        services.article_approved(article=article)


def on_rejected(sender, instance, **kwargs) -> None:
    article = _article_of(instance)
    if article is not None:
        task_state = instance.current_task_state
        services.article_rejected(
            article=article, comment=(task_state.comment if task_state else "") or ""
        )


def connect() -> None:
    page_published.connect(on_published, sender=ArticlePage, dispatch_uid="content_published")
    page_unpublished.connect(on_unpublished, sender=ArticlePage, dispatch_uid="content_unpublished")
    workflow_approved.connect(on_approved, sender=WorkflowState, dispatch_uid="content_approved")
    workflow_rejected.connect(on_rejected, sender=WorkflowState, dispatch_uid="content_rejected")
