from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    label = "content"
    verbose_name = _("Article library")

    def ready(self) -> None:
        from community import targets

        from . import signals
        from .models import ArticlePage

        # Articles take likes and comments through the community's machinery; only live
        # public articles can be seen (and so liked or commented on). No flags: articles
        # are reviewed before publication and unpublished in Wagtail (they have no
        # hidden state); their comments take flags as everywhere.
        targets.register(ArticlePage, visible=_article_visible, flags=False)
        signals.connect()


def _article_visible(user, page) -> bool:
    from .selectors import is_public

    return is_public(page)
