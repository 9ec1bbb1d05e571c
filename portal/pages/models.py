from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """The site's front page: a hero, a join call for visitors, the member's status."""

    hero_title = models.CharField(_("hero title"), max_length=120, blank=True)
    hero_text = models.CharField(_("hero text"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("hero_title"),
        FieldPanel("hero_text"),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from .home import home_context

        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(user=request.user))
        return context


class ClubPage(Page):
    """How the club works: an editable introduction, then the tiers, their benefits and
    the earning rules, always read from the live club settings (portal/pages/club.py)."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("club page")

    def get_context(self, request, *args, **kwargs):
        from .club import club_figures, member_progress

        context = super().get_context(request, *args, **kwargs)
        context.update(club_figures())
        if request.user.is_authenticated:
            context["progress"] = member_progress(member=request.user)
        return context
