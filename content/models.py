"""The article library: categories (snippets), the index page, articles, the section of
member-submitted articles, the club manager's submission rule, and recorded shares."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import ArticleBodyBlock, body_words

WORDS_PER_MINUTE = 200
INDEX_PAGE_SIZE = 10


class ArticleCategory(models.Model):
    """What an article is about (management, health, ...); the club manager edits the list."""

    name = models.CharField(_("name"), max_length=80)
    name_fa = models.CharField(
        _("name in Persian"), max_length=80, blank=True, help_text=_("Shown on Persian pages.")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    description_fa = models.TextField(
        _("description in Persian"), blank=True, help_text=_("Shown on Persian pages.")
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("name_fa"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("description_fa"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self) -> str:
        if self.name_fa and get_language() == "fa":
            return self.name_fa
        return self.name

    @property
    def localized_description(self) -> str:
        if self.description_fa and get_language() == "fa":
            return self.description_fa
        return self.description


class ContentSettings(models.Model):
    """Who may submit articles: the club manager's rule. One row (pk=1)."""

    submissions_open = models.BooleanField(_("members may submit articles"), default=True)
    min_tier = models.ForeignKey(
        "gamification.Tier",
        verbose_name=_("lowest tier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Members below this tier cannot submit articles. Empty: any tier."),
    )
    min_points = models.PositiveIntegerField(
        _("fewest points earned"),
        default=0,
        help_text=_("Points a member must have earned in all (0: no minimum)."),
    )

    panels = [FieldPanel("submissions_open"), FieldPanel("min_tier"), FieldPanel("min_points")]

    class Meta:
        verbose_name = _("article settings")
        verbose_name_plural = _("article settings")

    def __str__(self) -> str:
        return str(_("Article settings"))

    @classmethod
    def load(cls) -> "ContentSettings":
        return cls.objects.get_or_create(pk=1)[0]


class ArticleIndexPage(Page):
    """The library: live public articles, newest first, by category or tag."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["content.ArticlePage", "content.MemberContributionsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("article library")

    def get_context(self, request, *args, **kwargs):
        from .selectors import library_articles

        context = super().get_context(request, *args, **kwargs)
        category = ArticleCategory.objects.filter(slug=request.GET.get("category") or "").first()
        tag = (request.GET.get("tag") or "").strip()[:100]
        articles = library_articles(index=self, category=category, tag=tag)
        context.update(
            page_obj=Paginator(articles, INDEX_PAGE_SIZE).get_page(request.GET.get("page")),
            categories=ArticleCategory.objects.all(),
            category=category,
            tag=tag,
            library_url=self.get_url(request),
        )
        return context


class MemberContributionsPage(Page):
    """The section where members' articles live: a submission lands here as a draft and
    goes through the "Member contributions" moderation workflow."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["content.ArticleIndexPage"]
    subpage_types = ["content.ArticlePage"]
    max_count = 1

    class Meta:
        verbose_name = _("member contributions")

    def get_context(self, request, *args, **kwargs):
        from .selectors import library_articles

        context = super().get_context(request, *args, **kwargs)
        articles = library_articles(index=self)
        context["page_obj"] = Paginator(articles, INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
        context["library_url"] = self.get_parent().get_url(request)
        return context


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(Page):
    """An article: a StreamField body, a category, tags, a cover picture, and likes,
    comments and shares through the community."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author (member)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text=_("The member who wrote it; set for member-submitted articles."),
    )
    byline = models.CharField(
        _("byline"), max_length=120, blank=True, help_text=_("Shown as the author's name.")
    )
    summary = models.TextField(_("summary"), max_length=400, blank=True)
    category = models.ForeignKey(
        ArticleCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    tags = ClusterTaggableManager(_("tags"), through=ArticlePageTag, blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover picture"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"))
    reading_minutes = models.PositiveSmallIntegerField(
        _("reading time (minutes)"), default=1, editable=False
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("byline"), FieldPanel("author", read_only=True)], heading=_("Author")
        ),
        FieldPanel("summary"),
        FieldPanel("category"),
        FieldPanel("tags"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("byline"),
        index.SearchField("body"),
        index.FilterField("category"),
        index.FilterField("author"),
    ]
    parent_page_types = ["content.ArticleIndexPage", "content.MemberContributionsPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def save(self, *args, **kwargs):
        self.reading_minutes = reading_minutes(self.body)
        return super().save(*args, **kwargs)

    @property
    def author_name(self) -> str:
        if self.byline:
            return self.byline
        return self.author.display_name if self.author_id else ""

    @property
    def published_at(self):
        return self.first_published_at or self.latest_revision_created_at

    def get_context(self, request, *args, **kwargs):
        from .selectors import article_extras

        context = super().get_context(request, *args, **kwargs)
        context.update(article_extras(page=self, request=request))
        return context


def reading_minutes(body) -> int:
    """Minutes to read `body` at about 200 words a minute, at least one."""
    return max(1, round(body_words(body) / WORDS_PER_MINUTE))


class Network(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
    WHATSAPP = "whatsapp", "WhatsApp"
    X = "x", "X"
    LINKEDIN = "linkedin", "LinkedIn"
    EMAIL = "email", _("E-mail")
    COPY = "copy", _("Copied link")


class Share(models.Model):
    """A member shared an article to a network: the subject of the "shared" award, so a
    member is paid at most once per article and network."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_shares"
    )
    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="shares")
    network = models.CharField(_("network"), max_length=12, choices=Network.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "article", "network"], name="content_share_once"
            )
        ]

    def __str__(self) -> str:
        return f"share #{self.pk}"
