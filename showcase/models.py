"""The portal's showcase pages (Wagtail): new product announcements, executives' messages,
the representatives and dealers directory, company videos and the hall of fame. Each
index hangs under the home page; reads for lists are in selectors.py."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .blocks import BodyBlock
from .choosers import member_chooser_viewset
from .video import player_src

HOME = ["pages.HomePage"]
SHORT_TEXT_FEATURES = ["bold", "italic", "link"]
VIDEO_EXTENSIONS = ("mp4", "webm")


def _image(verbose_name):
    return models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class PagedIndex:
    """An index page listing its live, public children newest first, a page at a time."""

    per_page = 10

    def get_context(self, request, *args, **kwargs):
        from .selectors import paginate

        context = super().get_context(request, *args, **kwargs)
        context["items"] = paginate(self.listing(), request.GET.get("page"), self.per_page)
        return context


# --- Announcements ---------------------------------------------------------------------


class AnnouncementIndexPage(PagedIndex, Page):
    intro = RichTextField(_("introduction"), features=SHORT_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = HOME
    subpage_types = ["showcase.AnnouncementPage"]
    max_count = 1

    class Meta:
        verbose_name = _("new products page")

    def listing(self):
        from .selectors import announcements

        return announcements(parent=self)


class AnnouncementPage(Page):
    product_name = models.CharField(_("product name"), max_length=150)
    launch_date = models.DateField(_("launch date"))
    image = _image(_("image"))
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences for the list.")
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    link_url = models.URLField(_("link"), blank=True, help_text=_("Where to read or buy more."))
    link_text = models.CharField(_("link text"), max_length=80, blank=True)
    price_text = models.CharField(
        _("price"),
        max_length=80,
        blank=True,
        help_text=_("As it should read, e.g. from 4,900,000 rials."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("product_name"),
        FieldPanel("launch_date"),
        FieldPanel("image"),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("price_text"), FieldPanel("link_url"), FieldPanel("link_text")],
            heading=_("Price and link"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("product_name"),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("launch_date"),
    ]
    parent_page_types = ["showcase.AnnouncementIndexPage"]
    subpage_types = []
    og_type = "article"  # templates/includes/meta.html

    class Meta:
        verbose_name = _("new product announcement")


# --- Executives' messages --------------------------------------------------------------


class ExecutiveMessageIndexPage(PagedIndex, Page):
    intro = RichTextField(_("introduction"), features=SHORT_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = HOME
    subpage_types = ["showcase.ExecutiveMessagePage"]
    max_count = 1

    class Meta:
        verbose_name = _("executives' messages page")

    def listing(self):
        from .selectors import executive_messages

        return executive_messages(parent=self)


class ExecutiveMessagePage(Page):
    executive_name = models.CharField(_("executive's name"), max_length=120)
    executive_role = models.CharField(_("role"), max_length=120)
    portrait = _image(_("portrait"))
    date = models.DateField(_("date"))
    message = RichTextField(_("message"), features=SHORT_TEXT_FEATURES, max_length=3000)

    content_panels = [
        *Page.content_panels,
        FieldPanel("executive_name"),
        FieldPanel("executive_role"),
        FieldPanel("portrait"),
        FieldPanel("date"),
        FieldPanel("message"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("executive_name"),
        index.SearchField("executive_role"),
        index.SearchField("message"),
        index.FilterField("date"),
    ]
    parent_page_types = ["showcase.ExecutiveMessageIndexPage"]
    subpage_types = []
    og_type = "article"

    class Meta:
        verbose_name = _("executive's message")

    @property
    def feed_image(self):
        """The picture shared with links to the page (og:image, portal/pages page_meta)."""
        return self.portrait


# --- Dealers ---------------------------------------------------------------------------


class DealerKind(models.TextChoices):
    REPRESENTATIVE = "representative", _("Representative")
    DEALER = "dealer", _("Dealer")
    BRANCH_PARTNER = "branch_partner", _("Branch partner")


class Dealer(index.Indexed, models.Model):
    """A representative, dealer or partner shop, listed by city on the directory page
    (a Wagtail snippet the club manager keeps)."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=DealerKind.choices)
    city = models.CharField(_("city"), max_length=80)
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=40)
    opening_hours = models.CharField(
        _("opening hours"), max_length=200, blank=True, help_text=_("e.g. Sat-Wed 9:00-18:00")
    )
    map_url = models.URLField(_("map link"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active ones are listed.")
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("city"),
        FieldPanel("address"),
        FieldPanel("phone"),
        FieldPanel("opening_hours"),
        FieldPanel("map_url"),
        FieldPanel("is_active"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("city"),
        index.SearchField("address"),
        index.AutocompleteField("name"),
        index.FilterField("city"),
        index.FilterField("kind"),
        index.FilterField("is_active"),
    ]

    class Meta:
        ordering = ["city", "name"]
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        indexes = [models.Index(fields=["is_active", "city"], name="dealer_active_city")]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    def clean(self):
        self.city = " ".join((self.city or "").split())
        self.name = self.name.strip()


class DealerDirectoryPage(Page):
    intro = RichTextField(_("introduction"), features=SHORT_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = HOME
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("dealers directory page")

    def get_context(self, request, *args, **kwargs):
        from .selectors import dealer_directory

        context = super().get_context(request, *args, **kwargs)
        context["directory"] = dealer_directory(city=request.GET.get("city", ""))
        return context


# --- Videos ----------------------------------------------------------------------------


class VideoIndexPage(PagedIndex, Page):
    intro = RichTextField(_("introduction"), features=SHORT_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = HOME
    subpage_types = ["showcase.VideoPage"]
    max_count = 1
    per_page = 12

    class Meta:
        verbose_name = _("videos page")

    def listing(self):
        from .selectors import videos

        return videos(parent=self)


class VideoPage(Page):
    video_url = models.URLField(
        _("video link"),
        blank=True,
        help_text=_("A YouTube, Vimeo or Aparat link. Or upload the file below instead."),
    )
    video_file = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("video file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("An MP4 or WebM file from the documents library."),
    )
    thumbnail = _image(_("thumbnail"))
    duration = models.DurationField(_("duration"), null=True, blank=True, help_text=_("hh:mm:ss"))
    description = RichTextField(_("description"), features=SHORT_TEXT_FEATURES, blank=True)
    transcript = models.TextField(_("transcript"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("video_url"), FieldPanel("video_file")], heading=_("The video")
        ),
        FieldPanel("thumbnail"),
        FieldPanel("duration"),
        FieldPanel("description"),
        FieldPanel("transcript"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.SearchField("transcript"),
    ]
    parent_page_types = ["showcase.VideoIndexPage"]
    subpage_types = []
    og_type = "video.other"

    class Meta:
        verbose_name = _("video")

    @property
    def feed_image(self):
        """The picture shared with links to the page (og:image, portal/pages page_meta)."""
        return self.thumbnail

    def clean(self):
        super().clean()
        errors = {}
        if not self.video_url and not self.video_file_id:
            errors["video_url"] = _("Give a video link or choose a video file.")
        if self.video_url and not player_src(self.video_url):
            errors["video_url"] = _("Only YouTube, Vimeo and Aparat video links can be shown.")
        if self.video_file_id and self.video_file.file_extension.lower() not in VIDEO_EXTENSIONS:
            errors["video_file"] = _("Choose an MP4 or WebM file.")
        if errors:
            raise ValidationError(errors)

    @property
    def player_src(self) -> str:
        return player_src(self.video_url)

    @property
    def duration_text(self) -> str:
        if not self.duration:
            return ""
        seconds = int(self.duration.total_seconds())
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


# --- Hall of fame ----------------------------------------------------------------------


class HallOfFamePage(Page):
    intro = RichTextField(_("introduction"), features=SHORT_TEXT_FEATURES, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("entries", label=_("Exemplary members"), heading=_("Exemplary members")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = HOME
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("hall of fame")

    def get_context(self, request, *args, **kwargs):
        from .selectors import hall_of_fame

        context = super().get_context(request, *args, **kwargs)
        context["entries"] = hall_of_fame(page=self)
        return context


class HallOfFameEntry(Orderable):
    page = ParentalKey(HallOfFamePage, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=120, help_text=_("e.g. Helper of the year"))
    reason = models.TextField(_("why"), max_length=600, blank=True)
    period = models.CharField(_("year or period"), max_length=40)
    photo = _image(_("photo"))

    panels = [
        FieldPanel("member", widget=member_chooser_viewset.widget_class),
        FieldPanel("title"),
        FieldPanel("reason"),
        FieldPanel("period"),
        FieldPanel("photo"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("hall of fame entry")
        verbose_name_plural = _("hall of fame entries")

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"
