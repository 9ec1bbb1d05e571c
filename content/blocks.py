"""The blocks of an article's body (ArticlePage.body)."""

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("alternative text"),
        max_length=200,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), max_length=250, required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "content/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("attribution"), max_length=120, required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "content/blocks/quote.html"


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        label=_("tone"),
        choices=[("info", _("Information")), ("tip", _("Tip")), ("warning", _("Warning"))],
        default="info",
    )
    text = blocks.RichTextBlock(label=_("text"), features=["bold", "italic", "link"])

    class Meta:
        icon = "warning"
        label = _("Call-out")
        template = "content/blocks/callout.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "blockquote"],
        template="content/blocks/paragraph.html",
    )
    image = ImageBlock()
    embed = EmbedBlock(label=_("Embedded media"), icon="media")
    quote = QuoteBlock()
    callout = CalloutBlock()


def body_words(body) -> int:
    """The words a reader reads in a StreamField `body` (text, quotes, call-outs and
    captions; not the embeds)."""
    words = 0
    for block in body:
        value = block.value
        if block.block_type == "paragraph":
            text = strip_tags(value.source)
        elif block.block_type == "quote":
            text = f"{value['text']} {value['attribution']}"
        elif block.block_type == "callout":
            text = strip_tags(value["text"].source)
        elif block.block_type == "image":
            text = value["caption"]
        else:
            continue
        words += len(text.split())
    return words
