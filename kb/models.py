"""The knowledge base: an index page, sections under it, and one page per answer (the
question is the page title). Answers are indexed for Wagtail search; the site search, the
index's own search box and the ticket form's suggestions all read them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from .panels import FeedbackPanel

ANSWER_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class KnowledgeBaseIndexPage(Page):
    """The knowledge base's front page: its sections with their answers and a search box."""

    intro = RichTextField(_("introduction"), blank=True, features=ANSWER_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["kb.KBSectionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("knowledge base")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        query = request.GET.get("q", "").strip()[: selectors.MAX_QUERY]
        context["sections"] = selectors.sections_with_answers(index=self)
        context["query"] = query
        if query:
            context["results"] = selectors.search_answers(
                query=query, within=self, limit=selectors.INDEX_RESULTS
            )
        return context


class KBSectionPage(Page):
    """A group of answers ("Points and credit", "Cards", ...)."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["kb.KnowledgeBaseIndexPage"]
    subpage_types = ["kb.KBAnswerPage"]

    class Meta:
        verbose_name = _("knowledge base section")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["answers"] = selectors.answers_in(section=self)
        return context


class KBAnswerPage(Page):
    """One question (the title) and its answer."""

    answer = RichTextField(_("answer"), features=ANSWER_FEATURES)
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("related ticket category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Tickets of this category are what the answer helps with (optional)."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("answer"),
        FieldPanel("category"),
        FeedbackPanel(heading=_("Reader feedback")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("answer"),
        index.AutocompleteField("answer"),
    ]
    parent_page_types = ["kb.KBSectionPage"]
    subpage_types: list[str] = []
    og_type = "article"

    class Meta:
        verbose_name = _("knowledge base answer")

    def get_context(self, request, *args, **kwargs):
        from .views import voted_on

        context = super().get_context(request, *args, **kwargs)
        context["voted"] = voted_on(request, self)
        return context

    @property
    def snippet(self) -> str:
        from portal.pages.search import plain_text

        return self.search_description or plain_text(self.answer)


class AnswerFeedback(models.Model):
    """One "was this helpful?" vote. Votes are rows (never a counter on the page, which a
    later revision would overwrite)."""

    answer = models.ForeignKey(KBAnswerPage, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("answer feedback")
        verbose_name_plural = _("answer feedback")
        indexes = [models.Index(fields=["answer", "helpful"], name="kb_feedback_answer")]

    def __str__(self) -> str:
        return f"{self.answer_id}: {'yes' if self.helpful else 'no'}"
